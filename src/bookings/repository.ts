import { readDate, type Db } from '../db/knex.js';
import { aggregatorProductOf, HELD } from './rules.js';

export const BOOKING_STATUSES = ['booked', 'cancelled', 'attended', 'no_show'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export interface Booking {
  id: number;
  sessionId: number;
  clientId: number;
  status: BookingStatus;
  /** The channel that made it: app, staff, waitlist, egym, wellpass, ... */
  source: string;
  /** An aggregator booking's product (e.g. "EGYM Wellpass"); null for the club's own channels. */
  product: string | null;
  cancelledAt: Date | null;
  attendedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A booking with what a member needs to see about its class. */
export interface BookingWithSession extends Booking {
  session: { activityName: string; locationId: number; startsAt: Date; endsAt: Date; status: string };
}

type Row = Record<string, any>;

function toBooking(row: Row): Booking {
  return {
    id: row.id,
    sessionId: row.session_id,
    clientId: row.client_id,
    status: row.status,
    source: row.source,
    product: aggregatorProductOf(row.source),
    cancelledAt: readDate(row.cancelled_at),
    attendedAt: readDate(row.attended_at),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

function toBookingWithSession(row: Row): BookingWithSession {
  return {
    ...toBooking(row),
    session: {
      activityName: row.activity_name,
      locationId: row.location_id,
      startsAt: readDate(row.starts_at),
      endsAt: readDate(row.ends_at),
      status: row.session_status,
    },
  };
}

export async function getBooking(db: Db, id: number): Promise<Booking | null> {
  const row = await db('bookings').where({ id }).first();
  return row ? toBooking(row) : null;
}

export async function findBooking(db: Db, sessionId: number, clientId: number): Promise<Booking | null> {
  const row = await db('bookings').where({ session_id: sessionId, client_id: clientId }).first();
  return row ? toBooking(row) : null;
}

/** The client's booking status per session, for the sessions given. */
export async function bookingStatusesOf(db: Db, clientId: number, sessionIds: number[]): Promise<Map<number, { id: number; status: BookingStatus }>> {
  if (!sessionIds.length) return new Map();
  const rows = await db('bookings').where({ client_id: clientId }).whereIn('session_id', sessionIds).select('id', 'session_id', 'status');
  return new Map(rows.map((r: Row) => [r.session_id, { id: r.id, status: r.status }]));
}

/** Newest first, with the class each belongs to. */
export async function listBookingsOfClient(db: Db, clientId: number, limit: number): Promise<BookingWithSession[]> {
  const rows = await db('bookings as b')
    .join('class_sessions as s', 's.id', 'b.session_id')
    .join('activities as a', 'a.id', 's.activity_id')
    .where('b.client_id', clientId)
    .orderBy('s.starts_at', 'desc')
    .orderBy('b.id', 'desc')
    .limit(limit)
    .select('b.*', 'a.name as activity_name', 's.location_id', 's.starts_at', 's.ends_at', 's.status as session_status');
  return rows.map(toBookingWithSession);
}

export async function countBookingsOfSession(db: Db, sessionId: number): Promise<number> {
  const row = await db('bookings').where({ session_id: sessionId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function insertBooking(db: Db, sessionId: number, clientId: number, source: string, now: Date): Promise<number> {
  const [id] = await db('bookings').insert({
    session_id: sessionId, client_id: clientId, status: 'booked', source, created_at: now, updated_at: now,
  });
  return Number(id);
}

/** A booking given up (cancelled, say) -> booked again; false when it is held (booked or attended, by a concurrent request too). */
export async function rebookUnlessHeld(db: Db, id: number, source: string, now: Date): Promise<boolean> {
  const changed = await db('bookings').where({ id }).whereNotIn('status', HELD).update({ status: 'booked', source, cancelled_at: null, attended_at: null, updated_at: now });
  return Number(changed) === 1;
}

/** booked -> cancelled; false when it was not booked any more (a concurrent cancel). */
export async function cancelBookingRow(db: Db, id: number, now: Date): Promise<boolean> {
  const changed = await db('bookings').where({ id, status: 'booked' }).update({ status: 'cancelled', cancelled_at: now, updated_at: now });
  return Number(changed) === 1;
}

/** A 'booked' booking with where and when its class takes place: what an entry may attend. */
export interface BookedClass {
  id: number;
  clientId: number;
  locationId: number;
  startsAt: Date;
  endsAt: Date;
}

/** 'booked' bookings of these clients whose class starts by `startsBy` and ends at `endsFrom` or later (one query). */
export async function listBookedClassesOf(db: Db, clientIds: number[], window: { startsBy: Date; endsFrom: Date }): Promise<BookedClass[]> {
  if (!clientIds.length) return [];
  const rows = await db('bookings as b')
    .join('class_sessions as s', 's.id', 'b.session_id')
    .where('b.status', 'booked')
    .whereIn('b.client_id', clientIds)
    .where('s.starts_at', '<=', window.startsBy)
    .where('s.ends_at', '>=', window.endsFrom)
    .select('b.id', 'b.client_id', 's.location_id', 's.starts_at', 's.ends_at');
  return rows.map((r: Row) => ({ id: Number(r.id), clientId: r.client_id, locationId: r.location_id, startsAt: readDate(r.starts_at), endsAt: readDate(r.ends_at) }));
}

/** booked -> attended; false when it was not booked any more (cancelled or marked meanwhile). */
export async function markBookingAttended(db: Db, id: number, attendedAt: Date, now: Date): Promise<boolean> {
  const changed = await db('bookings').where({ id, status: 'booked' }).update({ status: 'attended', attended_at: attendedAt, updated_at: now });
  return Number(changed) === 1;
}

/** A booking on a session's roster, with who holds it. */
export interface RosterEntry extends Booking {
  client: { firstName: string; lastName: string; memberNumber: string | null };
}

/** A session's bookings of every status, by id after `afterId`: `limit + 1` rows for the page cut. */
export async function listBookingsOfSessionPage(db: Db, sessionId: number, afterId: number, limit: number): Promise<RosterEntry[]> {
  const rows = await db('bookings as b')
    .join('clients as c', 'c.id', 'b.client_id')
    .where('b.session_id', sessionId)
    .where('b.id', '>', afterId)
    .orderBy('b.id')
    .limit(limit + 1)
    .select('b.*', 'c.first_name', 'c.last_name', 'c.member_number');
  return rows.map((r: Row) => ({ ...toBooking(r), client: { firstName: r.first_name, lastName: r.last_name, memberNumber: r.member_number } }));
}
