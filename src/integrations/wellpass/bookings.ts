import type { Request } from 'express';
import { offeredSeats, whyNotBookable } from '../../bookings/rules.js';
import { bookInTransaction, cancelBooking } from '../../bookings/service.js';
import { getSessionForAggregator, type ClassSession } from '../../classes/repository.js';
import { forgetSchedules } from '../../classes/schedule.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../../http/paging.js';
import { rawBodyOf } from '../../http/raw-body.js';
import { isUniqueViolation, type Db } from '../../db/knex.js';
import { inTransaction } from '../../db/transaction.js';
import { recordIssue } from '../issues.js';
import { activeIntegrationKept } from '../kept.js';
import type { Integration, IntegrationRun } from '../types.js';
import { createClientFor, knownClientQuery, WELLPASS_SOURCE } from './customers.js';
import {
  eventSeen,
  findWellpassBooking,
  insertDecision,
  listRequestsPage,
  listReservedOfSession,
  listUnsentDecisions,
  markDecisionFailed,
  markDecisionSent,
  recordEvent,
  sessionOfSlot,
  setWellpassBookingStatus,
  type WellpassBooking,
  type WellpassRequest,
} from './repository.js';
import { wellpassOf, type Wellpass } from './side.js';
import { readWebhook, reasonCategoryOf, WellpassError, type BookingEvent, type Decision, type RejectReason } from './wire.js';

const SWEEP_BATCH = 200;
/** A decision's own send, with its retries (at most about 55 s), ends within this: the sweeper leaves it alone until then. */
const SENDING_MS = 120_000;
const BOOKING_FAILED_ISSUE = 'bookingFailed';

/** Booking rule codes -> the aggregator's reason categories. */
const REJECTION: Record<string, RejectReason> = {
  full: 'full',
  alreadyBooked: 'alreadyBooked',
  sessionCancelled: 'cancelled',
  started: 'windowClosed',
};

const REJECTION_TEXT: Record<RejectReason, string> = {
  full: 'The class is full, or has no seats left for Wellpass',
  alreadyBooked: 'The member already holds a seat in this class',
  cancelled: 'The class has been cancelled',
  notFound: 'The club does not offer this class through Wellpass',
  windowClosed: 'The class has started: booking is closed',
  technical: 'The club could not book the seat; try again',
};

type Decided = Pick<WellpassBooking, 'sessionId' | 'clientId' | 'bookingId' | 'status' | 'reasonCategory'>;

const rejected = (reason: RejectReason, sessionId: number | null = null, clientId: number | null = null): Decided => ({
  sessionId, clientId, bookingId: null, status: 'rejected', reasonCategory: reasonCategoryOf(reason),
});

type BookingRequest = Pick<WellpassBooking, 'bookingNumber' | 'uniqueToken' | 'memberName' | 'memberEmail' | 'venue' | 'remoteSlotId'>;

/**
 * What a request books: the slot's session at a linked venue, of an activity open to aggregators,
 * for the client holding the member's Wellpass id, or for a new one made from the event.
 */
interface Target {
  session: ClassSession;
  seatCap: number | null;
  client: { id: number } | { user: BookingEvent['user'] };
}

/**
 * Reads what a request names, outside the booking's transaction and in one round trip: the session
 * with its activity's settings, and whoever holds the member's Wellpass id.
 */
async function targetOf(ctx: AppContext, w: Wellpass, request: BookingRequest & { user: BookingEvent['user'] }): Promise<Target | Decided> {
  const location = (await activeIntegrationKept(ctx, w.integration.type, w.integration.id))?.locations.get(request.venue);
  const found = location
    ? await getSessionForAggregator(ctx.db, sessionOfSlot(ctx.db, w.integration.id, request.remoteSlotId), { known: knownClientQuery(ctx.db, w, request.user) })
    : null;
  if (!found || found.session.locationId !== location?.id) return rejected('notFound');
  const { session, aggregatorBookings } = found;
  if (!aggregatorBookings.enabled) return rejected('notFound', session.id);
  const known = found.alongside.known === null ? null : Number(found.alongside.known);
  if (known === null) {
    // A new member refused on the session alone (cancelled, started, no seat left for Wellpass)
    // gets no client. A known one goes on, to hear that they hold a seat already where they do.
    const offer = offeredSeats(session, aggregatorBookings.seatCap);
    const refusal = whyNotBookable({ ...session, seatsLeft: offer.capacity - offer.booked }, 'aggregator', undefined, ctx.now());
    if (refusal) return rejected(REJECTION[refusal] ?? 'technical', session.id);
  }
  return { session, seatCap: aggregatorBookings.seatCap, client: known === null ? { user: request.user } : { id: known } };
}

/**
 * A new member's client, the seat (through the one seat ledger, within the aggregator cap) and the
 * decision in one transaction, so a request leaves its whole decision or nothing: a refusal rolls
 * the seat and the client back and is recorded as the rejection with its reason category, and a
 * repeated delivery meets the first one's decision on its unique key (at the commit).
 */
async function decide(ctx: AppContext, w: Wellpass, request: BookingRequest, target: Target | Decided, now: Date): Promise<Decided> {
  const record = async (db: Db, d: Decided): Promise<Decided> => {
    await insertDecision(db, w.integration.id, { ...request, ...d }, now);
    return d;
  };
  if ('status' in target) return record(ctx.db, target);
  const { session, client, seatCap } = target;
  try {
    const decided = await inTransaction(ctx.db, async (trx) => {
      const clientId = 'id' in client ? client.id : await createClientFor(trx, w, client.user, session.locationId, now);
      const bookingId = await bookInTransaction(trx, { clientId, session, source: WELLPASS_SOURCE, seats: { aggregator: true, seatCap }, grants: 'aggregator' }, now);
      return record(trx, { sessionId: session.id, clientId, bookingId, status: 'reserved', reasonCategory: null });
    });
    forgetSchedules(ctx, session.locationId);
    return decided;
  } catch (err) {
    const code = err instanceof AppError ? err.extra.code : undefined;
    if (code && REJECTION[code]) return record(ctx.db, rejected(REJECTION[code]!, session.id, 'id' in client ? client.id : null));
    throw err;
  }
}

function decisionOf(b: Pick<WellpassBooking, 'status' | 'reasonCategory'>): Decision | null {
  if (b.status === 'reserved') return { status: 'RESERVED' };
  if (b.status === 'cancelled_by_gym') return { status: 'CANCELLED_BY_GYM', text: 'The club cancelled this class' };
  if (b.status === 'rejected') {
    const reason = (Object.keys(REJECTION_TEXT) as RejectReason[]).find((r) => reasonCategoryOf(r) === b.reasonCategory) ?? 'technical';
    return { status: 'REJECTED', reason, text: REJECTION_TEXT[reason] };
  }
  return null; // the member's own cancellation: nothing to tell the aggregator
}

type ToSend = Pick<WellpassBooking, 'bookingNumber' | 'venue' | 'status' | 'reasonCategory'>;

/** Sends a booking's latest decision; a failure is kept for the sweeper. Returns whether it is sent. */
async function sendDecision(ctx: AppContext, w: Wellpass, b: ToSend): Promise<boolean> {
  const decision = decisionOf(b);
  try {
    if (decision) await w.api.sendDecision(b.venue, b.bookingNumber, decision);
    await markDecisionSent(ctx.db, w.integration.id, b.bookingNumber, b.status, ctx.now());
    return true;
  } catch (err) {
    // 409: the aggregator rejected the request itself meanwhile (its deadline); nothing more to send.
    if (err instanceof WellpassError && err.kind === 'conflict') {
      await markDecisionSent(ctx.db, w.integration.id, b.bookingNumber, b.status, ctx.now());
      ctx.logger.warn({ integration: w.integration.id, booking: b.bookingNumber, err: err.message }, 'Wellpass no longer takes a decision on this booking');
      return true;
    }
    await markDecisionFailed(ctx.db, w.integration.id, b.bookingNumber, (err as Error).message);
    ctx.logger.warn({ integration: w.integration.id, booking: b.bookingNumber, err: (err as Error).message }, 'sending a Wellpass decision failed; the sweeper retries');
    return false;
  }
}

function sendInBackground(ctx: AppContext, w: Wellpass, b: ToSend): void {
  void sendDecision(ctx, w, b).catch((err) => ctx.logger.error({ err, bookingNumber: b.bookingNumber }, 'sending a Wellpass decision failed'));
}

const answerOf = (b: Pick<WellpassBooking, 'status' | 'reasonCategory'>) => ({ status: b.status, reasonCategory: b.reasonCategory });

/**
 * A booking request, decided once: a repeated delivery gets the recorded decision, found by the
 * booking number's unique key when the decision is recorded (a copy arriving at the same time
 * waits there); the seat and client it may have made meanwhile roll back with it.
 */
async function onRequested(ctx: AppContext, w: Wellpass, event: BookingEvent, again = false): Promise<{ status: string; reasonCategory?: string | null }> {
  const request = { bookingNumber: event.bookingNumber, uniqueToken: event.user.token, memberName: event.user.name || null, memberEmail: event.user.email, venue: event.venue, remoteSlotId: event.slotId };
  const now = ctx.now();
  let decided: Decided;
  try {
    decided = await decide(ctx, w, request, await targetOf(ctx, w, { ...request, user: event.user }), now);
  } catch (err) {
    const recorded = await findWellpassBooking(ctx.db, w.integration.id, event.bookingNumber);
    if (recorded) return answerOf(recorded);
    // Another request of the same new member created the client first: decided again, for that client.
    if (isUniqueViolation(err) && !again) return onRequested(ctx, w, event, true);
    ctx.logger.error({ err, booking: event.bookingNumber }, 'deciding a Wellpass booking failed: rejected as a technical error');
    decided = rejected('technical');
    await insertDecision(ctx.db, w.integration.id, { ...request, ...decided }, now);
    // Who was turned away, for staff: no client may hold the name and e-mail.
    const { name, email, token } = event.user;
    const who = [name, email && `<${email}>`].filter(Boolean).join(' ') || 'a member';
    await recordIssue(ctx.db, w.integration.id, BOOKING_FAILED_ISSUE, event.bookingNumber,
      `Wellpass booking ${event.bookingNumber} of ${who} (Wellpass id ${token}), slot ${event.slotId}, was rejected as a technical error: ${(err as Error).message}. Wellpass told the member to try again; book them at the desk if a seat is free.`, 1, now);
  }
  sendInBackground(ctx, w, { ...request, ...decided });
  return answerOf(decided);
}

async function onCancelled(ctx: AppContext, w: Wellpass, event: BookingEvent, late: boolean): Promise<{ status: string }> {
  const known = await findWellpassBooking(ctx.db, w.integration.id, event.bookingNumber);
  if (!known) return { status: 'unknown' };
  if (known.status === 'reserved' && known.bookingId !== null && known.clientId !== null) {
    await cancelBooking(ctx, known.clientId, known.bookingId, WELLPASS_SOURCE);
    await setWellpassBookingStatus(ctx.db, known.id, late ? 'late_cancelled' : 'cancelled', ctx.now(), false);
    await markDecisionSent(ctx.db, w.integration.id, known.bookingNumber, late ? 'late_cancelled' : 'cancelled', ctx.now());
    return { status: late ? 'late_cancelled' : 'cancelled' };
  }
  return { status: known.status };
}

/**
 * POST /api/v1/webhooks/wellpass/:integrationId. The signature is checked over the raw body; each
 * event id is acted on once (deliveries are retried and duplicated) and booking numbers are
 * idempotent too; the decision is taken inside the request and sent right after the answer.
 */
export async function handleWellpassWebhook(ctx: AppContext, integration: Integration, req: Request): Promise<{ status: number; body: unknown }> {
  const w = wellpassOf(integration);
  let event: BookingEvent | null;
  try {
    event = readWebhook(rawBodyOf(req), req.headers, w.secrets.webhookSecret);
  } catch (err) {
    if (err instanceof WellpassError && err.kind === 'unauthorized') throw AppError.unauthorized(err.message);
    if (err instanceof WellpassError) throw AppError.badRequest(err.message, [{ path: '(body)', message: err.message }]);
    throw err;
  }
  if (!event) return { status: 200, body: { handled: false } };
  // A request is idempotent on its booking number; other events once per event id.
  if (event.type === 'requested') return { status: 200, body: { handled: true, bookingNumber: event.bookingNumber, ...(await onRequested(ctx, w, event)) } };
  if (await eventSeen(ctx.db, integration.id, event.eventId)) return { status: 200, body: { handled: false, duplicate: true } };
  const outcome = event.type === 'checkedIn' ? { status: 'ignored' } : await onCancelled(ctx, w, event, event.type === 'lateCancelled');
  await recordEvent(ctx.db, integration.id, event.eventId, event.type, ctx.now());
  return { status: 200, body: { handled: true, bookingNumber: event.bookingNumber, ...outcome } };
}

/**
 * The club cancelled a session: each Wellpass booking in it becomes CANCELLED_BY_GYM (sent now, and
 * by the sweeper until it is through), so Wellpass tells and refunds its members.
 */
export async function cancelByGym(ctx: AppContext, w: Wellpass, sessionId: number): Promise<void> {
  for (const b of await listReservedOfSession(ctx.db, w.integration.id, sessionId)) {
    await setWellpassBookingStatus(ctx.db, b.id, 'cancelled_by_gym', ctx.now(), true);
    await sendDecision(ctx, w, { ...b, status: 'cancelled_by_gym' });
  }
}

/** The requests log staff read: what Wellpass members asked, newest first, with each decision and whether Wellpass has it. */
export async function listRequests(ctx: AppContext, integrationId: number, page: PageQuery): Promise<Page<WellpassRequest>> {
  return toPage(await listRequestsPage(ctx.db, integrationId, decodeCursor(page.cursor), page.limit), page.limit);
}

/**
 * The sweeper (every minute): sends every decision the aggregator does not have yet, well before its
 * 15-minute auto-reject: those whose send failed, and those whose send never ended. Not one still
 * being sent by the request that decided it: that would send it twice.
 */
export async function decisionsJob(h: IntegrationRun): Promise<void> {
  const w = wellpassOf(h.integration);
  let sent = 0;
  let failed = 0;
  const settledBefore = new Date(h.ctx.now().getTime() - SENDING_MS);
  for (const b of await listUnsentDecisions(h.ctx.db, w.integration.id, settledBefore, SWEEP_BATCH)) {
    if (await sendDecision(h.ctx, w, b)) sent++;
    else failed++;
  }
  await h.commitPage(h.ctx.db, { decisionsSent: sent, decisionsFailed: failed });
}
