import { readDate, type Db, type Knex } from '../../db/knex.js';
import { writeLater } from '../../db/write-later.js';

type Row = Record<string, any>;

// ---- published classes and slots

export async function findPublishedClass(db: Db, integrationId: number, locationId: number, activityId: number): Promise<number | null> {
  const row = await db('wellpass_classes').where({ integration_id: integrationId, location_id: locationId, activity_id: activityId }).first('remote_class_id');
  return row ? Number(row.remote_class_id) : null;
}

/** The classes published for a location's activities: activity id -> remote class id. */
export async function listPublishedClasses(db: Db, integrationId: number, locationId: number): Promise<Map<number, number>> {
  const rows = await db('wellpass_classes').where({ integration_id: integrationId, location_id: locationId }).select('activity_id', 'remote_class_id');
  return new Map(rows.map((r: Row) => [Number(r.activity_id), Number(r.remote_class_id)]));
}

export async function savePublishedClass(db: Db, integrationId: number, locationId: number, activityId: number, remoteClassId: number, now: Date): Promise<void> {
  await db('wellpass_classes')
    .insert({ integration_id: integrationId, location_id: locationId, activity_id: activityId, remote_class_id: remoteClassId, created_at: now })
    .onConflict(['integration_id', 'location_id', 'activity_id'])
    .merge(['remote_class_id']);
}

/**
 * Forgets a class the remote side no longer has (and where its slots were): the next publish
 * creates them again. Without `remoteClassId`: everything published (a new, empty remote side).
 */
export async function forgetPublished(db: Db, integrationId: number, remoteClassId?: number): Promise<void> {
  const only = remoteClassId === undefined ? {} : { remote_class_id: remoteClassId };
  await db('wellpass_slots').where({ integration_id: integrationId, ...only }).delete();
  await db('wellpass_classes').where({ integration_id: integrationId, ...only }).delete();
}

export interface PublishedSlot {
  sessionId: number;
  remoteClassId: number;
  remoteSlotId: number | null;
  sentBody: string | null;
}

const toSlot = (r: Row): PublishedSlot => ({
  sessionId: Number(r.session_id),
  remoteClassId: Number(r.remote_class_id),
  remoteSlotId: r.remote_slot_id === null ? null : Number(r.remote_slot_id),
  sentBody: r.sent_body,
});

export async function findPublishedSlot(db: Db, integrationId: number, sessionId: number): Promise<PublishedSlot | null> {
  const row = await db('wellpass_slots').where({ integration_id: integrationId, session_id: sessionId }).first();
  return row ? toSlot(row) : null;
}

/** The query selecting the session a remote slot stands for (to be read with it). */
export function sessionOfSlot(db: Db, integrationId: number, remoteSlotId: number): Knex.QueryBuilder {
  return db('wellpass_slots').where({ integration_id: integrationId, remote_slot_id: remoteSlotId }).select('session_id');
}

/** Slots still published for sessions of these ids (a reconcile's view of what clubcore sent). */
export async function listPublishedSlots(db: Db, integrationId: number, sessionIds: number[]): Promise<PublishedSlot[]> {
  if (!sessionIds.length) return [];
  return (await db('wellpass_slots').where({ integration_id: integrationId }).whereIn('session_id', sessionIds)).map(toSlot);
}

export async function savePublishedSlot(db: Db, integrationId: number, slot: PublishedSlot, now: Date): Promise<void> {
  await db('wellpass_slots')
    .insert({ integration_id: integrationId, session_id: slot.sessionId, remote_class_id: slot.remoteClassId, remote_slot_id: slot.remoteSlotId, sent_body: slot.sentBody, updated_at: now })
    .onConflict(['integration_id', 'session_id'])
    .merge(['remote_class_id', 'remote_slot_id', 'sent_body', 'updated_at']);
}

// ---- bookings arriving

export type WellpassBookingStatus = 'reserved' | 'rejected' | 'cancelled' | 'late_cancelled' | 'cancelled_by_gym';

export interface WellpassBooking {
  id: number;
  bookingNumber: string;
  uniqueToken: string;
  /** Who made the request, as the event named them (no client may hold it: a new member refused). */
  memberName: string | null;
  memberEmail: string | null;
  venue: string;
  remoteSlotId: number;
  sessionId: number | null;
  clientId: number | null;
  bookingId: number | null;
  status: WellpassBookingStatus;
  reasonCategory: string | null;
  decisionSentAt: Date | null;
  sendAttempts: number;
  createdAt: Date;
}

const toBooking = (r: Row): WellpassBooking => ({
  id: Number(r.id),
  bookingNumber: r.booking_number,
  uniqueToken: r.unique_token,
  memberName: r.member_name,
  memberEmail: r.member_email,
  venue: r.venue,
  remoteSlotId: Number(r.remote_slot_id),
  sessionId: r.session_id === null ? null : Number(r.session_id),
  clientId: r.client_id === null ? null : Number(r.client_id),
  bookingId: r.booking_id === null ? null : Number(r.booking_id),
  status: r.status,
  reasonCategory: r.reason_category,
  decisionSentAt: readDate(r.decision_sent_at),
  sendAttempts: Number(r.send_attempts),
  createdAt: readDate(r.created_at),
});

/** A booking request as staff read it in the requests log: the decision, whether Wellpass has it, and the class it named. */
export interface WellpassRequest extends Omit<WellpassBooking, 'sendAttempts'> {
  sendError: string | null;
  activityName: string | null;
  startsAt: Date | null;
}

/** Up to limit + 1 of an integration's requests, newest first, before the request `beforeId` (0: from the newest). */
export async function listRequestsPage(db: Db, integrationId: number, beforeId: number, limit: number): Promise<WellpassRequest[]> {
  const q = db('wellpass_bookings as w')
    .leftJoin('class_sessions as s', 's.id', 'w.session_id')
    .leftJoin('activities as a', 'a.id', 's.activity_id')
    .where('w.integration_id', integrationId)
    .orderBy('w.id', 'desc')
    .limit(limit + 1)
    .select('w.*', 'a.name as activity_name', 's.starts_at as session_starts_at');
  if (beforeId) q.where('w.id', '<', beforeId);
  return (await q).map((r: Row) => {
    const { sendAttempts: _, ...booking } = toBooking(r);
    return { ...booking, sendError: r.send_error, activityName: r.activity_name ?? null, startsAt: r.session_starts_at === null ? null : readDate(r.session_starts_at) };
  });
}

export async function findWellpassBooking(db: Db, integrationId: number, bookingNumber: string): Promise<WellpassBooking | null> {
  const row = await db('wellpass_bookings').where({ integration_id: integrationId, booking_number: bookingNumber }).first();
  return row ? toBooking(row) : null;
}

/**
 * Records the decision on a booking number, as the last write of the transaction that took the
 * seat (sent with its COMMIT: writeLater). The unique key makes a concurrent copy of the same
 * request wait there (MySQL) and then fail, which rolls that copy's work back: isUniqueViolation()
 * tells that error apart.
 */
export async function insertDecision(
  db: Db,
  integrationId: number,
  b: Pick<WellpassBooking, 'bookingNumber' | 'uniqueToken' | 'memberName' | 'memberEmail' | 'venue' | 'remoteSlotId' | 'sessionId' | 'clientId' | 'bookingId' | 'status' | 'reasonCategory'>,
  now: Date,
): Promise<void> {
  await writeLater(db, db('wellpass_bookings').insert({
    integration_id: integrationId, booking_number: b.bookingNumber, unique_token: b.uniqueToken, member_name: b.memberName, member_email: b.memberEmail,
    venue: b.venue, remote_slot_id: b.remoteSlotId,
    session_id: b.sessionId, client_id: b.clientId, booking_id: b.bookingId, status: b.status, reason_category: b.reasonCategory,
    send_attempts: 0, created_at: now, updated_at: now,
  }));
}

/** A new status to send (the decision_sent_at cleared): cancellations by the gym, or by the member. */
export async function setWellpassBookingStatus(db: Db, id: number, status: WellpassBookingStatus, now: Date, toSend: boolean): Promise<void> {
  await db('wellpass_bookings').where({ id }).update({ status, updated_at: now, ...(toSend ? { decision_sent_at: null, send_attempts: 0, send_error: null } : {}) });
}

/**
 * Decisions the remote side does not have yet, oldest first: those whose send failed, and those set
 * before `settledBefore` whose send never ended (the process stopped). Younger ones are still on their
 * way from the request that decided them.
 */
export async function listUnsentDecisions(db: Db, integrationId: number, settledBefore: Date, limit: number): Promise<WellpassBooking[]> {
  return (
    await db('wellpass_bookings')
      .where({ integration_id: integrationId })
      .whereNull('decision_sent_at')
      .andWhere((q) => q.where('send_attempts', '>', 0).orWhere('updated_at', '<', settledBefore))
      .orderBy('id')
      .limit(limit)
  ).map(toBooking);
}

interface SentMark {
  integrationId: number;
  bookingNumber: string;
  status: WellpassBookingStatus;
  now: Date;
}
/** Marks not written yet, per database. */
const marksToWrite = new WeakMap<Db, { marks: SentMark[]; written: Promise<void> }>();

/**
 * How long a mark waits for others. At a few hundred decisions a second one UPDATE then carries
 * several: a statement less per decision. A mark lost meanwhile (a crash) only has the sweeper
 * send that decision again, which the aggregator takes as the same answer (nothing changes).
 */
const MARKS_WINDOW_MS = 20;

/**
 * Marks a decision sent. Marks made within MARKS_WINDOW_MS are written together, one UPDATE per
 * status. Resolves once this one is written. `db` is the database, never a transaction: the write
 * comes later.
 */
export function markDecisionSent(db: Db, integrationId: number, bookingNumber: string, status: WellpassBookingStatus, now: Date): Promise<void> {
  let pending = marksToWrite.get(db);
  if (!pending) {
    const marks: SentMark[] = [];
    const written = new Promise<void>((resolve) => setTimeout(resolve, MARKS_WINDOW_MS)).then(() => {
      marksToWrite.delete(db);
      return writeSentMarks(db, marks);
    });
    pending = { marks, written };
    marksToWrite.set(db, pending);
  }
  pending.marks.push({ integrationId, bookingNumber, status, now });
  return pending.written;
}

async function writeSentMarks(db: Db, marks: SentMark[]): Promise<void> {
  const groups = new Map<string, SentMark[]>();
  for (const m of marks) {
    const key = `${m.integrationId} ${m.status}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  for (const group of groups.values()) {
    const { integrationId, status } = group[0]!;
    const sentAt = new Date(Math.max(...group.map((m) => m.now.getTime())));
    // Only the status that was sent: a newer one (a cancellation meanwhile) stays to be sent.
    await db('wellpass_bookings').where({ integration_id: integrationId, status }).whereIn('booking_number', group.map((m) => m.bookingNumber)).update({ decision_sent_at: sentAt, send_error: null });
  }
}

export async function markDecisionFailed(db: Db, integrationId: number, bookingNumber: string, error: string): Promise<void> {
  await db('wellpass_bookings').where({ integration_id: integrationId, booking_number: bookingNumber }).update({ send_attempts: db.raw('send_attempts + 1'), send_error: error.slice(0, 500) });
}

/** Reserved aggregator bookings of a session (to tell the aggregator when the gym cancels it). */
export async function listReservedOfSession(db: Db, integrationId: number, sessionId: number): Promise<WellpassBooking[]> {
  return (await db('wellpass_bookings').where({ integration_id: integrationId, session_id: sessionId, status: 'reserved' })).map(toBooking);
}

// ---- webhook events

export async function eventSeen(db: Db, integrationId: number, eventId: string): Promise<boolean> {
  return (await db('wellpass_events').where({ integration_id: integrationId, event_id: eventId }).first('event_id')) !== undefined;
}

/** Records an event acted on (a copy handled at the same instant is recorded once). */
export async function recordEvent(db: Db, integrationId: number, eventId: string, eventType: string, now: Date): Promise<void> {
  await db('wellpass_events').insert({ integration_id: integrationId, event_id: eventId, event_type: eventType, received_at: now }).onConflict(['integration_id', 'event_id']).ignore();
}

// ---- visits

/** A member's held Wellpass bookings at a location, for sessions starting in [from, to). */
export async function heldBookingsAt(db: Db, integrationId: number, clientId: number, locationId: number, from: Date, to: Date): Promise<{ token: string; startsAt: Date }[]> {
  const rows = await db('wellpass_bookings as w')
    .join('class_sessions as s', 's.id', 'w.session_id')
    .join('bookings as b', 'b.id', 'w.booking_id')
    .where({ 'w.integration_id': integrationId, 'w.client_id': clientId, 's.location_id': locationId, 'w.status': 'reserved' })
    .whereIn('b.status', ['booked', 'attended'])
    .where('s.starts_at', '>=', from)
    .where('s.starts_at', '<', to)
    .select('w.unique_token', 's.starts_at');
  return rows.map((r: Row) => ({ token: r.unique_token, startsAt: readDate(r.starts_at) }));
}

/** Claims the day's visit of a member at a location; false when it was validated already. */
export async function claimVisit(db: Db, integrationId: number, v: { clientId: number; locationId: number; day: string; doorEventId: number }, now: Date): Promise<boolean> {
  const existing = await db('wellpass_visits').where({ integration_id: integrationId, client_id: v.clientId, location_id: v.locationId, day: v.day }).first('door_event_id');
  if (existing) return false;
  await db('wellpass_visits').insert({ integration_id: integrationId, client_id: v.clientId, location_id: v.locationId, day: v.day, door_event_id: v.doorEventId, validated_at: now }).onConflict(['integration_id', 'client_id', 'location_id', 'day']).ignore();
  const row = await db('wellpass_visits').where({ integration_id: integrationId, client_id: v.clientId, location_id: v.locationId, day: v.day }).first('door_event_id');
  return Number(row?.door_event_id) === v.doorEventId;
}

export async function unclaimVisit(db: Db, integrationId: number, v: { clientId: number; locationId: number; day: string }): Promise<void> {
  await db('wellpass_visits').where({ integration_id: integrationId, client_id: v.clientId, location_id: v.locationId, day: v.day }).delete();
}
