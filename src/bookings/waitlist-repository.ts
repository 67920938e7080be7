import { readDate, type Db } from '../db/knex.js';

export const WAITLIST_STATUSES = ['waiting', 'promoted', 'left', 'expired'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

export interface WaitlistRow {
  id: number;
  sessionId: number;
  clientId: number;
  status: WaitlistStatus;
  source: string;
  bookingId: number | null;
  /** When this stay on the waitlist began (a re-join starts again at the back). */
  queuedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Record<string, any>;

function toRow(r: Row): WaitlistRow {
  return {
    id: Number(r.id),
    sessionId: r.session_id,
    clientId: r.client_id,
    status: r.status,
    source: r.source,
    bookingId: r.booking_id ?? null,
    queuedAt: readDate(r.queued_at),
    createdAt: readDate(r.created_at),
    updatedAt: readDate(r.updated_at),
  };
}

export async function getWaitlistRow(db: Db, id: number): Promise<WaitlistRow | null> {
  const row = await db('waitlist_entries').where({ id }).first();
  return row ? toRow(row) : null;
}

export async function findWaitlistRow(db: Db, sessionId: number, clientId: number): Promise<WaitlistRow | null> {
  const row = await db('waitlist_entries').where({ session_id: sessionId, client_id: clientId }).first();
  return row ? toRow(row) : null;
}

/** Waiting entries of the session queued before (queued_at, id) of `w`: the query that makes a position. */
function aheadOf(db: Db, w: { sessionId: unknown; queuedAt: unknown; id: unknown }) {
  return db('waitlist_entries as o')
    .where('o.session_id', w.sessionId as any)
    .where('o.status', 'waiting')
    .where((q) => q.where('o.queued_at', '<', w.queuedAt as any).orWhere((q2) => q2.where('o.queued_at', w.queuedAt as any).where('o.id', '<', w.id as any)));
}

/** 1-based place of a waiting entry in its session's queue. */
export async function positionOf(db: Db, entry: WaitlistRow): Promise<number> {
  const row = await aheadOf(db, entry).count({ n: '*' }).first();
  return Number(row?.n ?? 0) + 1;
}

/** The client's waiting entries among these sessions with their positions: one query. */
export async function waitingPlacesOf(db: Db, clientId: number, sessionIds: number[]): Promise<Map<number, { id: number; position: number }>> {
  if (!sessionIds.length) return new Map();
  const ahead = aheadOf(db, { sessionId: db.ref('w.session_id'), queuedAt: db.ref('w.queued_at'), id: db.ref('w.id') }).count('*').as('ahead');
  const rows = await db('waitlist_entries as w')
    .where({ 'w.client_id': clientId, 'w.status': 'waiting' })
    .whereIn('w.session_id', sessionIds)
    .select('w.id', 'w.session_id', ahead);
  return new Map(rows.map((r: Row) => [r.session_id, { id: Number(r.id), position: Number(r.ahead) + 1 }]));
}

/** The first waiting entry of a session, locked on MySQL until the transaction ends. */
export async function firstWaiting(db: Db, sessionId: number): Promise<WaitlistRow | null> {
  const row = await db('waitlist_entries')
    .where({ session_id: sessionId, status: 'waiting' })
    .orderBy([{ column: 'queued_at' }, { column: 'id' }])
    .forUpdate()
    .first();
  return row ? toRow(row) : null;
}

/** A session's waiting entries in queue order, with the client's name (staff view). */
export async function listWaitingOfSession(db: Db, sessionId: number): Promise<(WaitlistRow & { firstName: string; lastName: string })[]> {
  const rows = await db('waitlist_entries as w')
    .join('clients as c', 'c.id', 'w.client_id')
    .where({ 'w.session_id': sessionId, 'w.status': 'waiting' })
    .orderBy([{ column: 'w.queued_at' }, { column: 'w.id' }])
    .select('w.*', 'c.first_name', 'c.last_name');
  return rows.map((r: Row) => ({ ...toRow(r), firstName: r.first_name, lastName: r.last_name }));
}

export async function insertWaitlistRow(db: Db, sessionId: number, clientId: number, source: string, now: Date): Promise<number> {
  const [id] = await db('waitlist_entries').insert({
    session_id: sessionId, client_id: clientId, status: 'waiting', source, booking_id: null, queued_at: now, created_at: now, updated_at: now,
  });
  return Number(id);
}

/** A re-join reuses the row and goes to the back of the queue. */
export async function requeueWaitlistRow(db: Db, id: number, source: string, now: Date): Promise<void> {
  await db('waitlist_entries').where({ id }).update({ status: 'waiting', source, booking_id: null, queued_at: now, updated_at: now });
}

/** waiting -> `to`; false when it was not waiting any more. */
export async function endWaiting(db: Db, id: number, to: Exclude<WaitlistStatus, 'waiting'>, now: Date, bookingId: number | null = null): Promise<boolean> {
  const changed = await db('waitlist_entries').where({ id, status: 'waiting' }).update({ status: to, booking_id: bookingId, updated_at: now });
  return Number(changed) === 1;
}

/** The client's waiting entry of the session (if any) -> `to`; false when there was none. */
export async function endWaitingOf(db: Db, sessionId: number, clientId: number, to: Exclude<WaitlistStatus, 'waiting'>, now: Date): Promise<boolean> {
  const changed = await db('waitlist_entries').where({ session_id: sessionId, client_id: clientId, status: 'waiting' }).update({ status: to, updated_at: now });
  return Number(changed) === 1;
}

/** Every waiting entry of the session -> expired (the session was cancelled); how many. */
export async function expireWaitingOfSession(db: Db, sessionId: number, now: Date): Promise<number> {
  return Number(await db('waitlist_entries').where({ session_id: sessionId, status: 'waiting' }).update({ status: 'expired', updated_at: now }));
}
