import { describe, expect, it } from '@jest/globals';
import { whyNotBookable, whyNotCancellable } from '../../src/bookings/service.js';
import type { ClassSession } from '../../src/classes/repository.js';
import type { Grant } from '../../src/packages/repository.js';

const now = new Date('2026-05-04T12:00:00.000Z');
const session = (overrides: Partial<ClassSession> = {}): ClassSession => ({
  id: 1, activityId: 10, activityName: 'Yoga', locationId: 3, startsAt: '2026-05-04T18:00:00.000Z', endsAt: '2026-05-04T19:00:00.000Z',
  capacity: 12, bookedCount: 4, seatsLeft: 8, instructor: null, status: 'scheduled', createdAt: '2026-05-01T00:00:00.000Z', updatedAt: '2026-05-01T00:00:00.000Z',
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
});
