import { clearWaitlistCount, getSession, lockSession, releaseWaitlistPlace, takeSeat, takeWaitlistPlace, type LockedSession } from '../classes/repository.js';
import { forgetSchedules } from '../classes/schedule.js';
import type { AppContext } from '../context.js';
import { isUniqueViolation, type Db } from '../db/knex.js';
import { inTransaction } from '../db/transaction.js';
import { AppError } from '../errors.js';
import { recordOutboxEvents } from '../outbox/service.js';
import { listGrantsOfClient } from '../packages/repository.js';
import { findBooking, insertBooking, rebookUnlessHeld } from './repository.js';
import { REASON_TEXT, waitlistClosed, whyNotBookable, whyNotJoinable } from './rules.js';
import {
  endWaiting,
  endWaitingOf,
  expireWaitingOfSession,
  findWaitlistRow,
  firstWaiting,
  getWaitlistRow,
  insertWaitlistRow,
  listWaitingOfSession,
  positionOf,
  requeueWaitlistRow,
  type WaitlistRow,
  type WaitlistStatus,
} from './waitlist-repository.js';

/*
 * Waitlists. A session has `waitlistCapacity` places (0: no waitlist). A member may join when the
 * class is full and they could book it otherwise (the one booking rule set, rules.ts), until the
 * cut-off (WAITLIST_PROMOTION_CUTOFF_MINUTES before the start). When a seat frees (a cancellation,
 * a capacity increase) the transaction that frees it promotes the first waiting member who can
 * still book: a booking with source 'waitlist', the entry marked promoted, and an outbox event
 * (topic 'booking', kind 'promoted', subject the booking) in that same transaction. Members who
 * can no longer book (package ended, booked meanwhile, ...) are passed over and their entries
 * expired, and so are all waiting entries of a session that is cancelled. Past the cut-off nobody
 * is promoted; waiting entries stay as they are (the list says waitlistClosed) and a seat freed
 * then is open to anyone who books it (booking it directly ends one's own waiting entry).
 *
 * Concurrency: joining, leaving, booking, cancelling and promoting each change the session row
 * (booked_count / waitlist_count) and promotion reads it locked (lockSession), so on MySQL they
 * run one after another per session: a freed seat is given exactly once, and a join that commits
 * after a cancellation sees the free seat (notFull) instead of waiting beside it.
 */

export interface WaitlistEntry {
  id: number;
  sessionId: number;
  clientId: number;
  /** 1-based place in the queue while waiting, else null. */
  position: number | null;
  status: WaitlistStatus;
  source: string;
  /** The booking a promotion made. */
  bookingId: number | null;
  /** When this stay on the waitlist began (a re-join starts again at the back). */
  createdAt: Date;
}

async function toEntry(db: Db, row: WaitlistRow): Promise<WaitlistEntry> {
  return {
    id: row.id,
    sessionId: row.sessionId,
    clientId: row.clientId,
    position: row.status === 'waiting' ? await positionOf(db, row) : null,
    status: row.status,
    source: row.source,
    bookingId: row.bookingId,
    createdAt: row.queuedAt,
  };
}

function refuse(code: keyof typeof REASON_TEXT, session?: { waitlistCapacity: number }): AppError {
  if (code === 'waitlistFull' && session?.waitlistCapacity === 0) return AppError.rule(code, 'This class has no waitlist');
  return AppError.rule(code, REASON_TEXT[code]);
}

export async function joinWaitlist(ctx: AppContext, clientId: number, sessionId: number, source = 'app'): Promise<WaitlistEntry> {
  const session = await getSession(ctx.db, sessionId);
  if (!session) throw AppError.notFound(`There is no class session ${sessionId}`);
  const grants = await listGrantsOfClient(ctx.db, clientId);
  const now = ctx.now();
  const cutoff = ctx.config.WAITLIST_PROMOTION_CUTOFF_MINUTES;
  let id: number;
  try {
    id = await inTransaction(ctx.db, async (trx) => {
      // Seats and places are decided on the locked row: a cancellation committed before this
      // answers notFull, one committed after it promotes this entry.
      const locked = (await lockSession(trx, sessionId))!;
      const [booking, entry] = await Promise.all([findBooking(trx, sessionId, clientId), findWaitlistRow(trx, sessionId, clientId)]);
      const reason = whyNotJoinable(locked, grants, booking?.status, entry?.status === 'waiting', now, cutoff);
      if (reason) throw refuse(reason, locked);
      if (!(await takeWaitlistPlace(trx, sessionId))) {
        const fresh = (await lockSession(trx, sessionId))!;
        throw refuse(fresh.seatsLeft > 0 ? 'notFull' : 'waitlistFull', fresh);
      }
      if (entry) {
        await requeueWaitlistRow(trx, entry.id, source, now);
        return entry.id;
      }
      return insertWaitlistRow(trx, sessionId, clientId, source, now);
    });
  } catch (err) {
    // Two requests of the same client raced past the check: the unique (session, client) key decides.
    if (isUniqueViolation(err)) throw refuse('alreadyOnWaitlist');
    throw err;
  }
  forgetSchedules(ctx, session.locationId);
  return (await waitlistEntry(ctx, id))!;
}

export async function waitlistEntry(ctx: AppContext, id: number): Promise<WaitlistEntry | null> {
  const row = await getWaitlistRow(ctx.db, id);
  return row ? toEntry(ctx.db, row) : null;
}

async function leave(ctx: AppContext, row: WaitlistRow): Promise<WaitlistEntry> {
  if (row.status === 'left') return toEntry(ctx.db, row);
  if (row.status !== 'waiting') throw AppError.rule('notOnWaitlist', `You are not waiting for this class any more (${row.status})`);
  const now = ctx.now();
  await inTransaction(ctx.db, async (trx) => {
    await lockSession(trx, row.sessionId); // the session row first, as every seat and place change takes it
    if (await endWaiting(trx, row.id, 'left', now)) await releaseWaitlistPlace(trx, row.sessionId);
  });
  const session = await getSession(ctx.db, row.sessionId);
  if (session) forgetSchedules(ctx, session.locationId);
  return (await waitlistEntry(ctx, row.id))!;
}

/** Leaves the waitlist. Leaving a left entry again answers it as it is; a promoted or expired one: notOnWaitlist. */
export async function leaveWaitlist(ctx: AppContext, clientId: number, entryId: number): Promise<WaitlistEntry> {
  const row = await getWaitlistRow(ctx.db, entryId);
  if (!row || row.clientId !== clientId) throw AppError.notFound(`You have no waitlist entry ${entryId}`);
  return leave(ctx, row);
}

/** Leaves the waitlist of a session; notOnWaitlist when the client is not waiting for it. */
export async function leaveWaitlistOfSession(ctx: AppContext, clientId: number, sessionId: number): Promise<WaitlistEntry> {
  const row = await findWaitlistRow(ctx.db, sessionId, clientId);
  if (!row || row.status !== 'waiting') {
    if (!(await getSession(ctx.db, sessionId))) throw AppError.notFound(`There is no class session ${sessionId}`);
    throw AppError.rule('notOnWaitlist', 'You are not on the waitlist of this class');
  }
  return leave(ctx, row);
}

/** A session's waiting entries in queue order (staff view). */
export async function waitlistOfSession(
  ctx: AppContext,
  sessionId: number,
): Promise<{ id: number; clientId: number; firstName: string; lastName: string; position: number; source: string; createdAt: Date }[]> {
  const rows = await listWaitingOfSession(ctx.db, sessionId);
  return rows.map((r, i) => ({ id: r.id, clientId: r.clientId, firstName: r.firstName, lastName: r.lastName, position: i + 1, source: r.source, createdAt: r.queuedAt }));
}

/**
 * Gives the session's free seats to the waiting members, first come first served, inside the
 * transaction `trx` that freed them (call it after the seat is released or the capacity raised).
 * Passed-over members' entries expire. Returns the bookings made. Does nothing past the cut-off,
 * for a cancelled session, or when nobody waits.
 */
export async function promoteFromWaitlist(trx: Db, sessionId: number, now: Date, cutoffMinutes: number): Promise<number[]> {
  const promoted: number[] = [];
  let session: LockedSession | null = await lockSession(trx, sessionId);
  while (session && session.waitlistCount > 0 && session.seatsLeft > 0) {
    if (session.status === 'cancelled' || waitlistClosed(session.startsAt, now, cutoffMinutes)) break;
    const entry = await firstWaiting(trx, sessionId);
    if (!entry) break;
    const [grants, existing] = await Promise.all([listGrantsOfClient(trx, entry.clientId), findBooking(trx, sessionId, entry.clientId)]);
    if (whyNotBookable(session, grants, existing?.status, now) !== null) {
      if (await endWaiting(trx, entry.id, 'expired', now)) await releaseWaitlistPlace(trx, sessionId);
    } else if (await takeSeat(trx, sessionId)) {
      let bookingId: number;
      if (existing) {
        await rebookUnlessHeld(trx, existing.id, 'waitlist', now); // not held: whyNotBookable said so
        bookingId = existing.id;
      } else {
        bookingId = await insertBooking(trx, sessionId, entry.clientId, 'waitlist', now);
      }
      await endWaiting(trx, entry.id, 'promoted', now, bookingId);
      await releaseWaitlistPlace(trx, sessionId);
      await recordOutboxEvents(trx, 'booking', [{ subjectId: bookingId, locationId: session.locationId, kind: 'promoted' }], now);
      promoted.push(bookingId);
    } else {
      break;
    }
    session = await lockSession(trx, sessionId);
  }
  return promoted;
}

/** A cancelled session's waiting entries expire (in the transaction that cancels it). */
export async function expireWaitlist(trx: Db, sessionId: number, now: Date): Promise<void> {
  await lockSession(trx, sessionId);
  await expireWaitingOfSession(trx, sessionId, now);
  await clearWaitlistCount(trx, sessionId);
}

/** A client who books a seat directly stops waiting for it (same transaction as the booking). */
export async function stopWaitingOnBooking(trx: Db, sessionId: number, clientId: number, now: Date): Promise<void> {
  if (await endWaitingOf(trx, sessionId, clientId, 'left', now)) await releaseWaitlistPlace(trx, sessionId);
}
