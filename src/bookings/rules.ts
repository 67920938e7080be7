import type { ClassSession } from '../classes/repository.js';
import type { Grant } from '../packages/repository.js';
import { grantsAllow } from '../packages/service.js';
import type { BookingStatus } from './repository.js';

/*
 * The one booking rule set, pure: used by the class list, by booking, by joining a waitlist and by
 * promotion, whatever channel (club app, EGYM, aggregators) asks.
 */

export type NotBookableReason = 'noPackage' | 'full' | 'started' | 'alreadyBooked' | 'sessionCancelled';

export type NotJoinableReason =
  | 'alreadyBooked'
  | 'alreadyOnWaitlist'
  | 'sessionCancelled'
  | 'started'
  | 'noPackage'
  | 'notFull'
  | 'waitlistClosed'
  | 'waitlistFull';

/** Statuses of a booking that hold a seat. */
export const HELD: readonly BookingStatus[] = ['booked', 'attended'];

const MINUTE = 60_000;

/** What the booking rule reads of a session. */
export type SessionForRules = Pick<ClassSession, 'activityId' | 'locationId' | 'startsAt' | 'status' | 'seatsLeft'>;

/**
 * Why the client cannot book the session now, or null when they can. One rule, used by the list
 * and by booking. `grants` 'aggregator': the booking comes through an aggregator, whose own
 * membership entitles the member (no club package needed).
 */
export function whyNotBookable(
  session: SessionForRules,
  grants: Grant[] | 'aggregator',
  held: BookingStatus | undefined,
  now: Date,
): NotBookableReason | null {
  if (held && HELD.includes(held)) return 'alreadyBooked';
  if (session.status === 'cancelled') return 'sessionCancelled';
  const startsAt = new Date(session.startsAt);
  if (startsAt.getTime() <= now.getTime()) return 'started';
  if (grants !== 'aggregator' && !grantsAllow(grants, { activityId: session.activityId, locationId: session.locationId, startsAt })) {
    return 'noPackage';
  }
  if (session.seatsLeft <= 0) return 'full';
  return null;
}

/**
 * Seats offered to an aggregator, as absolute counts: what it holds, plus what is still open to
 * it (the free seats, within its cap). The club's own bookings shrink the offer as they come.
 */
export function offeredSeats(session: Pick<ClassSession, 'capacity' | 'bookedCount' | 'aggregatorBookedCount'>, cap: number | null): { capacity: number; booked: number } {
  const free = Math.max(0, session.capacity - session.bookedCount);
  const open = cap === null ? free : Math.max(0, Math.min(free, cap - session.aggregatorBookedCount));
  return { capacity: session.aggregatorBookedCount + open, booked: session.aggregatorBookedCount };
}

/** Whether the waitlist of a session starting at `startsAt` is past its cut-off: nobody joins or is promoted any more. */
export function waitlistClosed(startsAt: string | Date, now: Date, cutoffMinutes: number): boolean {
  return now.getTime() >= new Date(startsAt).getTime() - cutoffMinutes * MINUTE;
}

/**
 * Why the client cannot join the session's waitlist now, or null when they can: the booking rule
 * (eligibility: package, not started, not cancelled, not booked) first, then the waitlist's own:
 * seats left (book instead), the cut-off, room on the waitlist (capacity 0: no waitlist).
 */
export function whyNotJoinable(
  session: SessionForRules & Pick<ClassSession, 'waitlistCapacity' | 'waitlistCount'>,
  grants: Grant[],
  held: BookingStatus | undefined,
  waiting: boolean,
  now: Date,
  cutoffMinutes: number,
): NotJoinableReason | null {
  return waitlistReasonGiven(whyNotBookable(session, grants, held, now), session, waiting, now, cutoffMinutes);
}

/** whyNotJoinable when whyNotBookable's answer for the same member is known already (the class list has it). */
export function waitlistReasonGiven(
  notBookable: NotBookableReason | null,
  session: Pick<ClassSession, 'startsAt' | 'waitlistCapacity' | 'waitlistCount'>,
  waiting: boolean,
  now: Date,
  cutoffMinutes: number,
): NotJoinableReason | null {
  if (notBookable === 'alreadyBooked') return 'alreadyBooked';
  if (waiting) return 'alreadyOnWaitlist';
  if (notBookable === null) return 'notFull';
  if (notBookable !== 'full') return notBookable;
  if (waitlistClosed(session.startsAt, now, cutoffMinutes)) return 'waitlistClosed';
  if (session.waitlistCount >= session.waitlistCapacity) return 'waitlistFull';
  return null;
}

export const REASON_TEXT: Record<NotBookableReason | NotJoinableReason, string> = {
  noPackage: 'None of your active packages includes this class at this location',
  full: 'This class is full',
  started: 'This class has already started',
  alreadyBooked: 'You have already booked this class',
  sessionCancelled: 'This class has been cancelled',
  alreadyOnWaitlist: 'You are already on the waitlist of this class',
  notFull: 'This class has seats left: book it instead',
  waitlistClosed: 'The waitlist of this class has closed: nobody is moved up this close to the start',
  waitlistFull: 'The waitlist of this class is full',
};

/**
 * Booking sources that are aggregators, with the product their bookings carry. An aggregator owns
 * its bookings: only it cancels them (its members are refunded through it).
 */
const AGGREGATOR_PRODUCTS: Record<string, string> = { wellpass: 'EGYM Wellpass' };

/** The aggregator product a booking of this source carries, or null for the club's own channels. */
export const aggregatorProductOf = (source: string): string | null => AGGREGATOR_PRODUCTS[source] ?? null;
