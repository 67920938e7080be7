import { describe, expect, it } from '@jest/globals';
import { waitlistClosed, whyNotBookable, whyNotCancellable, whyNotJoinable } from '../../src/bookings/service.js';
import type { ClassSession } from '../../src/classes/repository.js';
import type { Grant } from '../../src/packages/repository.js';

const now = new Date('2026-05-04T12:00:00.000Z');
const session = (overrides: Partial<ClassSession> = {}): ClassSession => ({
  id: 1, activityId: 10, activityName: 'Yoga', locationId: 3, startsAt: '2026-05-04T18:00:00.000Z', endsAt: '2026-05-04T19:00:00.000Z',
  capacity: 12, bookedCount: 4, seatsLeft: 8, waitlistCapacity: 3, waitlistCount: 0, aggregatorBookedCount: 0, instructor: null, status: 'scheduled', createdAt: '2026-05-01T00:00:00.000Z', updatedAt: '2026-05-01T00:00:00.000Z',
  ...overrides,
});
const yogaPass: Grant = { packageId: 5, activityIds: new Set([10]), locationIds: new Set(), startsAt: null, endsAt: null };

describe('booking eligibility', () => {
  it('lets a member with a package for the activity book a future, open class with seats', () => {
    expect(whyNotBookable(session(), [yogaPass], undefined, now)).toBeNull();
    // a cancelled booking of the same class does not hold it: booking again is allowed
    expect(whyNotBookable(session(), [yogaPass], 'cancelled', now)).toBeNull();
  });

  it('names one reason, in order: already booked, class cancelled, started, no package, full', () => {
    const hopeless = session({ status: 'cancelled', startsAt: '2026-05-04T11:00:00.000Z', seatsLeft: 0 });
    expect(whyNotBookable(hopeless, [], 'booked', now)).toBe('alreadyBooked');
    expect(whyNotBookable(hopeless, [], 'attended', now)).toBe('alreadyBooked');
    expect(whyNotBookable(hopeless, [], undefined, now)).toBe('sessionCancelled');
    expect(whyNotBookable(session({ startsAt: '2026-05-04T11:00:00.000Z', seatsLeft: 0 }), [], undefined, now)).toBe('started');
    expect(whyNotBookable(session({ startsAt: now.toISOString() }), [yogaPass], undefined, now)).toBe('started');
    expect(whyNotBookable(session({ seatsLeft: 0 }), [], undefined, now)).toBe('noPackage');
    expect(whyNotBookable(session({ seatsLeft: 0 }), [yogaPass], undefined, now)).toBe('full');
  });

  it('needs a package granting that activity, at that location, valid when the class starts', () => {
    const elsewhere: Grant = { ...yogaPass, locationIds: new Set([4]) };
    const spinOnly: Grant = { ...yogaPass, activityIds: new Set([11]) };
    const expiresAtNoon: Grant = { ...yogaPass, endsAt: new Date('2026-05-04T17:59:59.000Z') };
    const startsTomorrow: Grant = { ...yogaPass, startsAt: new Date('2026-05-05T00:00:00.000Z') };
    for (const grant of [elsewhere, spinOnly, expiresAtNoon, startsTomorrow]) expect(whyNotBookable(session(), [grant], undefined, now)).toBe('noPackage');
    expect(whyNotBookable(session(), [elsewhere, { ...yogaPass, locationIds: new Set([3, 4]) }], undefined, now)).toBeNull();
  });

  it('lets only booked classes that have not started be cancelled', () => {
    const startsAt = new Date('2026-05-04T18:00:00.000Z');
    expect(whyNotCancellable('booked', startsAt, now)).toBeNull();
    expect(whyNotCancellable('booked', now, now)).toBe('started');
    expect(whyNotCancellable('attended', startsAt, now)).toBe('notBooked');
    expect(whyNotCancellable('no_show', startsAt, now)).toBe('notBooked');
  });

  it('lets a member who could book a full class join its waitlist until the cut-off, while there is room', () => {
    const full = (o: Partial<ClassSession> = {}) => session({ bookedCount: 12, seatsLeft: 0, ...o });
    expect(whyNotJoinable(full(), [yogaPass], undefined, false, now, 60)).toBeNull();
    expect(whyNotJoinable(full(), [yogaPass], 'cancelled', false, now, 60)).toBeNull();
    // the booking rules first, then the waitlist's own
    expect(whyNotJoinable(full({ status: 'cancelled' }), [], 'booked', true, now, 60)).toBe('alreadyBooked');
    expect(whyNotJoinable(full({ status: 'cancelled' }), [], undefined, true, now, 60)).toBe('alreadyOnWaitlist');
    expect(whyNotJoinable(full({ status: 'cancelled' }), [], undefined, false, now, 60)).toBe('sessionCancelled');
    expect(whyNotJoinable(full({ startsAt: now.toISOString() }), [], undefined, false, now, 60)).toBe('started');
    expect(whyNotJoinable(full(), [], undefined, false, now, 60)).toBe('noPackage');
    expect(whyNotJoinable(session(), [yogaPass], undefined, false, now, 60)).toBe('notFull');
    expect(whyNotJoinable(full({ startsAt: '2026-05-04T13:00:00.000Z' }), [yogaPass], undefined, false, now, 60)).toBe('waitlistClosed');
    expect(whyNotJoinable(full({ startsAt: '2026-05-04T13:00:00.001Z' }), [yogaPass], undefined, false, now, 60)).toBeNull();
    expect(whyNotJoinable(full({ waitlistCount: 3 }), [yogaPass], undefined, false, now, 60)).toBe('waitlistFull');
    expect(whyNotJoinable(full({ waitlistCapacity: 0 }), [yogaPass], undefined, false, now, 60)).toBe('waitlistFull');
  });

  it('closes a waitlist the cut-off before the start', () => {
    expect(waitlistClosed('2026-05-04T13:00:00.000Z', now, 60)).toBe(true);
    expect(waitlistClosed('2026-05-04T13:00:00.001Z', now, 60)).toBe(false);
    expect(waitlistClosed('2026-05-04T12:00:00.001Z', now, 0)).toBe(false);
  });
});
