import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ClassForMember } from '../../src/bookings/service.js';
import type { ClassSession } from '../../src/classes/repository.js';
import { classListJson } from '../../src/me/class-list-json.js';

const isoDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const session: fc.Arbitrary<ClassSession> = fc.record({
  id: fc.nat(), activityId: fc.nat(), activityName: fc.string({ unit: 'grapheme' }), locationId: fc.nat(),
  startsAt: isoDate, endsAt: isoDate, capacity: fc.nat(), bookedCount: fc.nat(), seatsLeft: fc.integer(), waitlistCapacity: fc.nat(), waitlistCount: fc.nat(), aggregatorBookedCount: fc.nat(),
  instructor: fc.option(fc.string({ unit: 'binary' })), status: fc.constantFrom('scheduled', 'cancelled'),
  createdAt: isoDate, updatedAt: isoDate,
});
const item: fc.Arbitrary<ClassForMember> = fc.record({
  session,
  bookable: fc.boolean(),
  reason: fc.constantFrom(null, 'noPackage', 'full', 'started', 'alreadyBooked', 'sessionCancelled'),
  bookingId: fc.option(fc.nat()),
  waitlist: fc.record({ capacity: fc.nat(), count: fc.nat(), position: fc.option(fc.nat()), entryId: fc.option(fc.nat()) }),
  canJoinWaitlist: fc.boolean(),
  waitlistReason: fc.constantFrom(null, 'alreadyBooked', 'alreadyOnWaitlist', 'sessionCancelled', 'started', 'noPackage', 'notFull', 'waitlistClosed', 'waitlistFull'),
});

describe('the class list body', () => {
  it('is byte for byte the JSON of each session with the member fields after it, also when a session is reused', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(item, { maxLength: 8 }), (locationId, items) => {
        const list = { locationId, from: new Date('2026-05-04T00:00:00Z'), to: new Date('2026-05-11T00:00:00Z'), items };
        const expected = JSON.stringify({
          ...list,
          items: items.map((i) => ({
            ...i.session,
            bookable: i.bookable,
            reason: i.reason ?? undefined,
            bookingId: i.bookingId,
            waitlist: {
              capacity: i.waitlist.capacity,
              count: i.waitlist.count,
              position: i.waitlist.position ?? undefined,
              entryId: i.waitlist.entryId ?? undefined,
            },
            canJoinWaitlist: i.canJoinWaitlist,
            waitlistReason: i.waitlistReason ?? undefined,
          })),
        });
        expect(classListJson(list)).toBe(expected);
        expect(classListJson(list)).toBe(expected); // the kept texts give the same answer
      }),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
