import { getSession, releaseSeat, takeSeat, type ClassSession } from '../classes/repository.js';
import { forgetSchedules, scheduleAt } from '../classes/schedule.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { listGrantsOfClient, type Grant } from '../packages/repository.js';
import { grantsAllow } from '../packages/service.js';
import {
  bookingStatusesOf,
  cancelBookingRow,
  findBooking,
  getBooking,
  insertBooking,
  listBookedClassesOf,
  listBookingsOfClient,
  markBookingAttended,
  rebook,
  type BookedClass,
  type Booking,
  type BookingStatus,
  type BookingWithSession,
} from './repository.js';
import { inTransaction } from '../db/transaction.js';

export type NotBookableReason = 'noPackage' | 'full' | 'started' | 'alreadyBooked' | 'sessionCancelled';

const HELD: BookingStatus[] = ['booked', 'attended'];

/** Why the client cannot book the session now, or null when they can. One rule, used by the list and by booking. */
export function whyNotBookable(
  session: ClassSession,
  grants: Grant[],
  held: BookingStatus | undefined,
  now: Date,
): NotBookableReason | null {
  if (held && HELD.includes(held)) return 'alreadyBooked';
  if (session.status === 'cancelled') return 'sessionCancelled';
  const startsAt = new Date(session.startsAt);
  if (startsAt.getTime() <= now.getTime()) return 'started';
  if (!grantsAllow(grants, { activityId: session.activityId, locationId: session.locationId, startsAt })) {
    return 'noPackage';
  }
  if (session.seatsLeft <= 0) return 'full';
  return null;
}

const REASON_TEXT: Record<NotBookableReason, string> = {
  noPackage: 'None of your active packages includes this class at this location',
  full: 'This class is full',
  started: 'This class has already started',
  alreadyBooked: 'You have already booked this class',
  sessionCancelled: 'This class has been cancelled',
};

/** A class of the shared schedule, with what it means for one member. */
export interface ClassForMember {
  session: ClassSession;
  bookable: boolean;
  reason: NotBookableReason | null;
  bookingId: number | null;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A member's class list with bookable + reason per session: two queries and the location's shared
 * schedule. Default: the home location, from
 * the current minute for 7 days (every member asking within the minute shares one list); at most
 * 31 days at a time.
 */
export async function listClassesForClient(
  ctx: AppContext,
  member: { clientId: number; homeLocationId: number | null },
  query: { locationId?: number; from?: Date; to?: Date },
): Promise<{ locationId: number; from: Date; to: Date; items: ClassForMember[] }> {
  const from = query.from ?? new Date(Math.floor(ctx.now().getTime() / MINUTE) * MINUTE);
  const to = query.to ?? new Date(from.getTime() + 7 * DAY);
  if (to.getTime() <= from.getTime() || to.getTime() - from.getTime() > 31 * DAY) {
    throw AppError.badRequest('to must be after from and at most 31 days later', [{ path: 'to', message: 'invalid range' }]);
  }
  const { clientId } = member;
  const locationId = query.locationId ?? member.homeLocationId;
  if (locationId === null) {
    throw AppError.badRequest('You have no home location; pass locationId', [{ path: 'locationId', message: 'required when the member has no home location' }]);
  }
  const sessions = await scheduleAt(ctx, locationId, from, to);
  const [grants, bookings] = await Promise.all([
    listGrantsOfClient(ctx.db, clientId),
    bookingStatusesOf(ctx.db, clientId, sessions.map((s) => s.id)),
  ]);
  const now = ctx.now();
  const items = sessions.map((session): ClassForMember => {
    const booking = bookings.get(session.id);
    const reason = whyNotBookable(session, grants, booking?.status, now);
    return { session, bookable: reason === null, reason, bookingId: booking && HELD.includes(booking.status) ? booking.id : null };
  });
  return { locationId, from, to, items };
}

export async function bookSession(ctx: AppContext, clientId: number, sessionId: number, source = 'app'): Promise<Booking> {
  const session = await getSession(ctx.db, sessionId);
  if (!session) throw AppError.notFound(`There is no class session ${sessionId}`);
  const grants = await listGrantsOfClient(ctx.db, clientId);
  const now = ctx.now();
  try {
    const id = await inTransaction(ctx.db, async (trx) => {
      const existing = await findBooking(trx, sessionId, clientId);
      const reason = whyNotBookable({ ...session, seatsLeft: 1 }, grants, existing?.status, now);
      if (reason) throw AppError.rule(reason, REASON_TEXT[reason]);
      if (!(await takeSeat(trx, sessionId))) throw AppError.rule('full', REASON_TEXT.full);
      if (existing) {
        await rebook(trx, existing.id, source, now);
        return existing.id;
      }
      return insertBooking(trx, sessionId, clientId, source, now);
    });
    forgetSchedules(ctx, session.locationId);
    return (await getBooking(ctx.db, id))!;
  } catch (err) {
    // Two requests of the same client raced past the check: the unique (session, client) key decides.
    if (!(err instanceof AppError) && /unique|duplicate/i.test(String((err as Error).message))) {
      throw AppError.rule('alreadyBooked', REASON_TEXT.alreadyBooked);
    }
    throw err;
  }
}

/** Why a booking cannot be cancelled now, or null when it can: only a booked class that has not started. */
export function whyNotCancellable(status: BookingStatus, startsAt: Date, now: Date): 'notBooked' | 'started' | null {
  if (status !== 'booked') return 'notBooked';
  if (startsAt.getTime() <= now.getTime()) return 'started';
  return null;
}

/** Cancelling frees the seat. Cancelling a cancelled booking again answers the booking as it is. */
export async function cancelBooking(ctx: AppContext, clientId: number, bookingId: number): Promise<Booking> {
  const booking = await getBooking(ctx.db, bookingId);
  if (!booking || booking.clientId !== clientId) throw AppError.notFound(`You have no booking ${bookingId}`);
  if (booking.status === 'cancelled') return booking;
  const session = (await getSession(ctx.db, booking.sessionId))!;
  const reason = whyNotCancellable(booking.status, new Date(session.startsAt), ctx.now());
  if (reason === 'notBooked') throw AppError.rule(reason, `This booking is ${booking.status} and can no longer be cancelled`);
  if (reason === 'started') throw AppError.rule(reason, REASON_TEXT.started);
  await inTransaction(ctx.db, async (trx) => {
    if (await cancelBookingRow(trx, bookingId, ctx.now())) await releaseSeat(trx, booking.sessionId);
  });
  forgetSchedules(ctx, session.locationId);
  return (await getBooking(ctx.db, bookingId))!;
}

/** The client's most recent bookings with their classes, newest class first. */
export function bookingsOfClient(ctx: AppContext, clientId: number, limit: number): Promise<BookingWithSession[]> {
  return listBookingsOfClient(ctx.db, clientId, limit);
}

/** Someone walking in: a door event or a visit a membership system reported. */
export interface Entry {
  clientId: number;
  locationId: number;
  occurredAt: Date;
}

/**
 * The attendance rule: an entry attends a booked class of that client at that location when it
 * lies between `windowBeforeMinutes` before the start and the end. Returns the time each attended
 * booking was attended: the earliest entry that matched that class (a batch may hold several
 * entries of one client, on other days or at other locations).
 */
export function attendedAt(classes: BookedClass[], entries: Entry[], windowBeforeMinutes: number): Map<number, Date> {
  const windowMs = windowBeforeMinutes * MINUTE;
  const entriesOf = new Map<number, Entry[]>();
  for (const e of entries) {
    const list = entriesOf.get(e.clientId);
    if (list) list.push(e);
    else entriesOf.set(e.clientId, [e]);
  }
  const attended = new Map<number, Date>();
  for (const c of classes) {
    const opens = c.startsAt.getTime() - windowMs;
    for (const e of entriesOf.get(c.clientId) ?? []) {
      const t = e.occurredAt.getTime();
      const earliest = attended.get(c.id);
      if (e.locationId === c.locationId && opens <= t && t <= c.endsAt.getTime() && (!earliest || t < earliest.getTime())) {
        attended.set(c.id, e.occurredAt);
      }
    }
  }
  return attended;
}

/**
 * Marks the bookings a batch of entries attends (see attendedAt), for every kind of entry: one
 * query finds the candidates of the whole batch, then each attended booking is updated.
 * Idempotent: only 'booked' bookings change. Returns the ids of the bookings marked.
 */
export async function markAttendance(ctx: AppContext, entries: Entry[]): Promise<number[]> {
  if (!entries.length) return [];
  const windowBeforeMinutes = ctx.config.ATTENDANCE_WINDOW_BEFORE_MINUTES;
  const times = entries.map((e) => e.occurredAt.getTime());
  const classes = await listBookedClassesOf(ctx.db, [...new Set(entries.map((e) => e.clientId))], {
    startsBy: new Date(Math.max(...times) + windowBeforeMinutes * MINUTE),
    endsFrom: new Date(Math.min(...times)),
  });
  const now = ctx.now();
  const marked: number[] = [];
  for (const [id, at] of attendedAt(classes, entries, windowBeforeMinutes)) {
    if (await markBookingAttended(ctx.db, id, at, now)) marked.push(id);
  }
  return marked;
}
