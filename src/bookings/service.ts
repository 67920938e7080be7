import { getSession, releaseSeat, takeSeat, type ClassSession, type SeatChannel } from '../classes/repository.js';
import { forgetSchedules, scheduleAt } from '../classes/schedule.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { getClient } from '../clients/repository.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { listGrantsOfClient, type Grant } from '../packages/repository.js';
import {
  bookingStatusesOf,
  cancelBookingRow,
  findBooking,
  getBooking,
  insertBooking,
  listBookedClassesOf,
  listBookingsOfClient,
  listBookingsOfSessionPage,
  markBookingAttended,
  rebookUnlessHeld,
  type BookedClass,
  type Booking,
  type BookingStatus,
  type BookingWithSession,
  type RosterEntry,
} from './repository.js';
import { HELD, REASON_TEXT, waitlistReasonGiven, whyNotBookable, type NotBookableReason, type NotJoinableReason } from './rules.js';
import { promoteFromWaitlist, stopWaitingOnBooking } from './waitlist.js';
import { waitingPlacesOf } from './waitlist-repository.js';
import { inTransaction } from '../db/transaction.js';
import { isUniqueViolation, type Db } from '../db/knex.js';
import { recordOutboxEvents } from '../outbox/service.js';

export { whyNotBookable, whyNotJoinable, waitlistClosed, type NotBookableReason, type NotJoinableReason } from './rules.js';
export {
  joinWaitlist,
  leaveWaitlist,
  leaveWaitlistOfSession,
  promoteFromWaitlist,
  waitlistEntry,
  waitlistOfSession,
  type WaitlistEntry,
} from './waitlist.js';

/** A class of the shared schedule, with what it means for one member. */
export interface ClassForMember {
  session: ClassSession;
  bookable: boolean;
  reason: NotBookableReason | null;
  bookingId: number | null;
  /** The session's waitlist; `position` and `entryId` while this member waits. */
  waitlist: { capacity: number; count: number; position: number | null; entryId: number | null };
  canJoinWaitlist: boolean;
  waitlistReason: NotJoinableReason | null;
}

const NO_PLACES = new Map<number, { id: number; position: number }>();

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A member's class list with bookable + reason and the waitlist state per session: two queries
 * (a third only when a listed session has someone waiting: the member's places) and the location's
 * shared schedule. Default: the home location, from
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
  const withWaiting = sessions.filter((s) => s.waitlistCount > 0).map((s) => s.id);
  const [grants, bookings, places] = await Promise.all([
    listGrantsOfClient(ctx.db, clientId),
    bookingStatusesOf(ctx.db, clientId, sessions.map((s) => s.id)),
    withWaiting.length ? waitingPlacesOf(ctx.db, clientId, withWaiting) : NO_PLACES,
  ]);
  const now = ctx.now();
  const cutoff = ctx.config.WAITLIST_PROMOTION_CUTOFF_MINUTES;
  const items = sessions.map((session): ClassForMember => {
    const booking = bookings.get(session.id);
    const place = places.get(session.id);
    const reason = whyNotBookable(session, grants, booking?.status, now);
    const waitlistReason = waitlistReasonGiven(reason, session, place !== undefined, now, cutoff);
    return {
      session,
      bookable: reason === null,
      reason,
      bookingId: booking && HELD.includes(booking.status) ? booking.id : null,
      waitlist: { capacity: session.waitlistCapacity, count: session.waitlistCount, position: place?.position ?? null, entryId: place?.id ?? null },
      canJoinWaitlist: waitlistReason === null,
      waitlistReason,
    };
  });
  return { locationId, from, to, items };
}

/**
 * Books a seat through a channel: `source` names it on the booking; `seats` says whether it is an
 * aggregator (no club package needed, within its seat cap) or the club's own.
 */
export async function bookSession(ctx: AppContext, clientId: number, sessionId: number, source = 'app', seats: SeatChannel = { aggregator: false }): Promise<Booking> {
  const session = await getSession(ctx.db, sessionId);
  if (!session) throw AppError.notFound(`There is no class session ${sessionId}`);
  const grants = seats.aggregator ? 'aggregator' : await listGrantsOfClient(ctx.db, clientId);
  const id = await inTransaction(ctx.db, (trx) => bookInTransaction(trx, { clientId, session, source, seats, grants }, ctx.now()));
  forgetSchedules(ctx, session.locationId);
  return (await getBooking(ctx.db, id))!;
}

/**
 * bookSession's rules and writes, for a session read before, in the caller's transaction (an
 * aggregator records its decision in the same one). Returns the booking id. A refusal
 * (AppError.rule) may come after the seat was taken: the caller rolls back then. Once committed,
 * the caller drops the kept class lists (forgetSchedules).
 *
 * The client's own booking of the class is read only when something refuses or the unique
 * (session, client) key says there is one: most bookings are a first one, and a read less per
 * booking counts on MySQL. Holding a seat already stays the first refusal a client hears.
 */
export async function bookInTransaction(
  trx: Db,
  b: { clientId: number; session: ClassSession; source: string; seats: SeatChannel; grants: Grant[] | 'aggregator' },
  now: Date,
): Promise<number> {
  const { clientId, session, source, seats } = b;
  const refuse = async (reason: NotBookableReason): Promise<never> => {
    const held = (await findBooking(trx, session.id, clientId))?.status;
    const why = held && HELD.includes(held) ? 'alreadyBooked' : reason;
    throw AppError.rule(why, REASON_TEXT[why]);
  };
  const reason = whyNotBookable({ ...session, seatsLeft: 1 }, b.grants, undefined, now);
  if (reason) return refuse(reason);
  if (!(await takeSeat(trx, session.id, seats))) return refuse('full');
  // Booked directly (a seat open past the waitlist's cut-off, another channel): no longer waiting.
  if (session.waitlistCount > 0) await stopWaitingOnBooking(trx, session.id, clientId, now);
  await recordSeatsChanged(trx, session, now);
  try {
    return await insertBooking(trx, session.id, clientId, source, now);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  // Booked before: a cancelled booking is booked again. Not found (a concurrent request of the same
  // client, not yet visible to this transaction's reads) or held: the seat rolls back with the caller.
  const existing = await findBooking(trx, session.id, clientId);
  if (!existing || !(await rebookUnlessHeld(trx, existing.id, source, now))) throw AppError.rule('alreadyBooked', REASON_TEXT.alreadyBooked);
  return existing.id;
}

/** The session's free seats changed: channels that publish them (aggregators) send the new counts. */
function recordSeatsChanged(trx: Db, session: Pick<ClassSession, 'id' | 'locationId'>, now: Date): Promise<void> {
  return recordOutboxEvents(trx, 'class_session', [{ subjectId: session.id, locationId: session.locationId, kind: 'updated' }], now);
}

/** Why a booking cannot be cancelled now, or null when it can: only a booked class that has not started. */
export function whyNotCancellable(status: BookingStatus, startsAt: Date, now: Date): 'notBooked' | 'started' | null {
  if (status !== 'booked') return 'notBooked';
  if (startsAt.getTime() <= now.getTime()) return 'started';
  return null;
}

/**
 * Cancelling frees the seat, which goes in the same transaction to the first waiting member who can
 * still book it (before the waitlist's cut-off). Cancelling a cancelled booking again answers the
 * booking as it is. A booking an aggregator made is cancelled only through that aggregator
 * (`channel`: its source), which may do so late; anyone else gets a 422 saying to cancel the class.
 */
export async function cancelBooking(ctx: AppContext, clientId: number, bookingId: number, channel?: string): Promise<Booking> {
  const booking = await getBooking(ctx.db, bookingId);
  if (!booking || booking.clientId !== clientId) throw AppError.notFound(`You have no booking ${bookingId}`);
  return cancelFound(ctx, booking, channel);
}

async function cancelFound(ctx: AppContext, booking: Booking, channel: string | undefined): Promise<Booking> {
  if (booking.status === 'cancelled') return booking;
  const aggregator = booking.product !== null;
  if (aggregator && channel !== booking.source) {
    throw AppError.rule('aggregatorBooking', `Booking ${booking.id} was made through ${booking.product} and can only be cancelled there; to call the class off, cancel the session: the aggregator is told and refunds its members`);
  }
  const session = (await getSession(ctx.db, booking.sessionId))!;
  const reason = whyNotCancellable(booking.status, new Date(session.startsAt), ctx.now());
  if (reason === 'notBooked') throw AppError.rule(reason, `This booking is ${booking.status} and can no longer be cancelled`);
  if (reason === 'started' && !aggregator) throw AppError.rule(reason, REASON_TEXT.started);
  const now = ctx.now();
  await inTransaction(ctx.db, async (trx) => {
    if (await cancelBookingRow(trx, booking.id, now)) {
      await releaseSeat(trx, booking.sessionId, { aggregator });
      await recordSeatsChanged(trx, session, now);
      await promoteFromWaitlist(trx, booking.sessionId, now, ctx.config.WAITLIST_PROMOTION_CUTOFF_MINUTES);
    }
  });
  forgetSchedules(ctx, session.locationId);
  return (await getBooking(ctx.db, booking.id))!;
}

/** Staff cancelling a member's booking: the member's own rules, and aggregator bookings refused (422). */
export async function cancelBookingByStaff(ctx: AppContext, bookingId: number): Promise<Booking> {
  const booking = await getBooking(ctx.db, bookingId);
  if (!booking) throw AppError.notFound(`There is no booking ${bookingId}`);
  return cancelFound(ctx, booking, undefined);
}

/** Staff booking a member into a class: the member's own rules (package, seats, start), the booking's source 'staff'. */
export async function bookSessionByStaff(ctx: AppContext, clientId: number, sessionId: number): Promise<Booking> {
  if (!(await getClient(ctx.db, clientId))) throw AppError.badRequest(`There is no client ${clientId}`, [{ path: 'clientId', message: `unknown client ${clientId}` }]);
  return bookSession(ctx, clientId, sessionId, 'staff');
}

/** A session's roster (booked, attended, no-show and cancelled), paged by booking id. */
export async function rosterOfSession(ctx: AppContext, sessionId: number, page: PageQuery): Promise<Page<RosterEntry>> {
  if (!(await getSession(ctx.db, sessionId))) throw AppError.notFound(`There is no class session ${sessionId}`);
  return toPage(await listBookingsOfSessionPage(ctx.db, sessionId, decodeCursor(page.cursor), page.limit), page.limit);
}

/** cancelBooking, the booking found by its session: notBooked when the client has none. */
export async function cancelBookingOfSession(ctx: AppContext, clientId: number, sessionId: number): Promise<Booking> {
  const booking = await findBooking(ctx.db, sessionId, clientId);
  if (!booking) {
    if (!(await getSession(ctx.db, sessionId))) throw AppError.notFound(`There is no class session ${sessionId}`);
    throw AppError.rule('notBooked', 'You have not booked this class');
  }
  return cancelBooking(ctx, clientId, booking.id);
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
