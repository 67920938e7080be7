import { readDate, type Db, type Knex } from '../db/knex.js';

export interface Activity extends ActivityFields {
  id: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Aggregators (Wellpass) may book the activity's sessions; `seatCap` per session: null every free seat, 0 none, N at most N. */
export interface AggregatorBookings {
  enabled: boolean;
  seatCap: number | null;
}

export interface ActivityFields {
  name: string;
  aggregatorBookings: AggregatorBookings;
}

export const SESSION_STATUSES = ['scheduled', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * Times are ISO strings here, unlike elsewhere: a location's class list is kept and sent to every
 * member asking for it (classes/schedule.ts), and serializing Dates instead would make each
 * /me/classes answer about 6 times slower to write (Date.toJSON runs for every date of every
 * session on every request; the strings are made once per read).
 */
export interface ClassSession {
  id: number;
  activityId: number;
  activityName: string;
  locationId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  bookedCount: number;
  seatsLeft: number;
  /** How many may wait for a seat (0: no waitlist) and how many are waiting. */
  waitlistCapacity: number;
  waitlistCount: number;
  /** Seats of bookedCount held by aggregator bookings. */
  aggregatorBookedCount: number;
  instructor: string | null;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
}

export interface SessionFields {
  activityId: number;
  locationId: number;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  /** Places on the waitlist; 0 (the default) means none. */
  waitlistCapacity?: number;
  instructor: string | null;
  status: SessionStatus;
}

export interface SessionFilter {
  locationId?: number;
  from?: Date;
  to?: Date;
}

type Row = Record<string, any>;

const aggregatorBookingsOf = (row: Row): AggregatorBookings => ({ enabled: Boolean(row.aggregator_bookings), seatCap: row.aggregator_seat_cap ?? null });

function toActivity(row: Row): Activity {
  return {
    id: row.id,
    name: row.name,
    aggregatorBookings: aggregatorBookingsOf(row),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

function toActivityRow(fields: Partial<ActivityFields>): Row {
  const row: Row = {};
  if (fields.name !== undefined) row.name = fields.name;
  if (fields.aggregatorBookings !== undefined) {
    row.aggregator_bookings = fields.aggregatorBookings.enabled;
    row.aggregator_seat_cap = fields.aggregatorBookings.seatCap;
  }
  return row;
}

function toSession(row: Row): ClassSession {
  return {
    id: row.id,
    activityId: row.activity_id,
    activityName: row.activity_name,
    locationId: row.location_id,
    startsAt: readDate(row.starts_at).toISOString(),
    endsAt: readDate(row.ends_at).toISOString(),
    capacity: row.capacity,
    bookedCount: row.booked_count,
    seatsLeft: Math.max(0, row.capacity - row.booked_count),
    waitlistCapacity: row.waitlist_capacity,
    waitlistCount: row.waitlist_count,
    aggregatorBookedCount: row.aggregator_booked_count,
    instructor: row.instructor,
    status: row.status,
    createdAt: readDate(row.created_at).toISOString(),
    updatedAt: readDate(row.updated_at).toISOString(),
  };
}

function toSessionRow(fields: Partial<SessionFields>): Row {
  const row: Row = {};
  if (fields.activityId !== undefined) row.activity_id = fields.activityId;
  if (fields.locationId !== undefined) row.location_id = fields.locationId;
  if (fields.startsAt !== undefined) row.starts_at = fields.startsAt;
  if (fields.endsAt !== undefined) row.ends_at = fields.endsAt;
  if (fields.capacity !== undefined) row.capacity = fields.capacity;
  if (fields.waitlistCapacity !== undefined) row.waitlist_capacity = fields.waitlistCapacity;
  if (fields.instructor !== undefined) row.instructor = fields.instructor;
  if (fields.status !== undefined) row.status = fields.status;
  return row;
}

export async function getActivity(db: Db, id: number): Promise<Activity | null> {
  const row = await db('activities').where({ id }).first();
  return row ? toActivity(row) : null;
}

export async function listActivitiesPage(db: Db, afterId: number, limit: number): Promise<Activity[]> {
  return (await db('activities').where('id', '>', afterId).orderBy('id').limit(limit + 1)).map(toActivity);
}

/** Ids among `ids` that name no activity. */
export async function findMissingActivityIds(db: Db, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const found = new Set((await db('activities').whereIn('id', ids).pluck('id')).map(Number));
  return ids.filter((id) => !found.has(id));
}

export async function insertActivity(db: Db, fields: ActivityFields, now: Date): Promise<number> {
  const [id] = await db('activities').insert({ ...toActivityRow(fields), created_at: now, updated_at: now });
  return Number(id);
}

export async function updateActivityRow(db: Db, id: number, fields: Partial<ActivityFields>, now: Date): Promise<void> {
  await db('activities').where({ id }).update({ ...toActivityRow(fields), updated_at: now });
}

/** Sessions of an activity that have not ended by `now` (what a change of the activity may still touch). */
export async function listUpcomingSessionIdsOf(db: Db, activityId: number, now: Date): Promise<{ id: number; locationId: number }[]> {
  const rows = await db('class_sessions').where({ activity_id: activityId }).where('ends_at', '>', now).select('id', 'location_id');
  return rows.map((r: Row) => ({ id: Number(r.id), locationId: Number(r.location_id) }));
}

export async function deleteActivityRow(db: Db, id: number): Promise<void> {
  await db('activities').where({ id }).delete();
}

export async function countActivityUse(db: Db, id: number): Promise<{ sessions: number; packages: number }> {
  const [sessions, packages] = await Promise.all([
    db('class_sessions').where({ activity_id: id }).count({ n: '*' }).first(),
    db('package_activities').where({ activity_id: id }).count({ n: '*' }).first(),
  ]);
  return { sessions: Number(sessions?.n ?? 0), packages: Number(packages?.n ?? 0) };
}

function sessionsQuery(db: Db) {
  return db('class_sessions as s').join('activities as a', 'a.id', 's.activity_id').select('s.*', 'a.name as activity_name');
}

export async function getSession(db: Db, id: number): Promise<ClassSession | null> {
  const row = await sessionsQuery(db).where('s.id', id).first();
  return row ? toSession(row) : null;
}

/** A session with what its activity offers aggregators. */
export interface SessionForAggregator {
  session: ClassSession;
  aggregatorBookings: AggregatorBookings;
}

const AGGREGATOR_COLUMNS = ['a.aggregator_bookings', 'a.aggregator_seat_cap'];
const toSessionForAggregator = (row: Row): SessionForAggregator => ({ session: toSession(row), aggregatorBookings: aggregatorBookingsOf(row) });

/**
 * A session with its activity's aggregator settings, in one read: what an aggregator is offered and
 * books. `id` may be a query selecting it (an aggregator's slot naming the session); `alongside`
 * names single values that other queries select, read in the same round trip (whom a request is for).
 */
export async function getSessionForAggregator<K extends string = never>(
  db: Db,
  id: number | Knex.QueryBuilder,
  alongside = {} as Record<K, Knex.QueryBuilder>,
): Promise<(SessionForAggregator & { alongside: Record<K, unknown> }) | null> {
  const query = sessionsQuery(db).select(AGGREGATOR_COLUMNS).where('s.id', id);
  for (const [name, value] of Object.entries<Knex.QueryBuilder>(alongside)) query.select(value.as(name));
  const row = await query.first();
  return row ? { ...toSessionForAggregator(row), alongside: Object.fromEntries(Object.keys(alongside).map((name) => [name, row[name] ?? null])) as Record<K, unknown> } : null;
}

/** Sessions matching the filter after `afterId`, by id: the keyset page of the staff list and a reconcile. */
function sessionsPageQuery(db: Db, filter: SessionFilter, afterId: number, limit: number) {
  const q = sessionsQuery(db).where('s.id', '>', afterId).orderBy('s.id').limit(limit);
  if (filter.locationId) q.where('s.location_id', filter.locationId);
  if (filter.from) q.where('s.starts_at', '>=', filter.from);
  if (filter.to) q.where('s.starts_at', '<', filter.to);
  return q;
}

/** Up to limit + 1 sessions (the one more tells that a next page exists). */
export async function listSessionsPage(db: Db, filter: SessionFilter, afterId: number, limit: number): Promise<ClassSession[]> {
  return (await sessionsPageQuery(db, filter, afterId, limit + 1)).map(toSession);
}

/** A page of sessions with their activity's aggregator settings (getSessionForAggregator's, for many). */
export async function listSessionsForAggregatorPage(db: Db, filter: SessionFilter, afterId: number, limit: number): Promise<SessionForAggregator[]> {
  return (await sessionsPageQuery(db, filter, afterId, limit).select(AGGREGATOR_COLUMNS)).map(toSessionForAggregator);
}

/** Sessions of one location starting in [from, to), in start order: a member's class list. */
export async function listSessionsAt(db: Db, locationId: number, from: Date, to: Date, limit: number): Promise<ClassSession[]> {
  const rows = await sessionsQuery(db)
    .where('s.location_id', locationId)
    .where('s.starts_at', '>=', from)
    .where('s.starts_at', '<', to)
    .orderBy([{ column: 's.starts_at' }, { column: 's.id' }])
    .limit(limit);
  return rows.map(toSession);
}

export async function insertSession(db: Db, fields: SessionFields, now: Date): Promise<number> {
  const [id] = await db('class_sessions').insert({ waitlist_capacity: 0, ...toSessionRow(fields), booked_count: 0, waitlist_count: 0, aggregator_booked_count: 0, created_at: now, updated_at: now });
  return Number(id);
}

export async function updateSessionRow(db: Db, id: number, fields: Partial<SessionFields>, now: Date): Promise<void> {
  await db('class_sessions').where({ id }).update({ ...toSessionRow(fields), updated_at: now });
}

export async function deleteSessionRow(db: Db, id: number): Promise<void> {
  await db('class_sessions').where({ id }).delete();
}

/** Who takes a seat: the club's own channels, or an aggregator within its seat cap (null: no cap). */
export type SeatChannel = { aggregator: false } | { aggregator: true; seatCap: number | null };

/**
 * Takes one seat if one is free (for an aggregator: and its cap is not reached). The condition is
 * evaluated by the database on the latest committed row (InnoDB locks it for the update), so
 * concurrent bookings of any channels can never overbook, nor pass the aggregator cap.
 */
export async function takeSeat(db: Db, sessionId: number, channel: SeatChannel = { aggregator: false }): Promise<boolean> {
  const q = db('class_sessions').where({ id: sessionId }).andWhere('booked_count', '<', db.ref('capacity'));
  if (!channel.aggregator) return Number(await q.increment('booked_count', 1)) === 1;
  if (channel.seatCap !== null) q.andWhere('aggregator_booked_count', '<', channel.seatCap);
  return Number(await q.update({ booked_count: db.raw('booked_count + 1'), aggregator_booked_count: db.raw('aggregator_booked_count + 1') })) === 1;
}

export async function releaseSeat(db: Db, sessionId: number, channel: { aggregator: boolean } = { aggregator: false }): Promise<void> {
  const q = db('class_sessions').where({ id: sessionId }).andWhere('booked_count', '>', 0);
  if (!channel.aggregator) return void (await q.decrement('booked_count', 1));
  await q.update({ booked_count: db.raw('booked_count - 1'), aggregator_booked_count: db.raw('case when aggregator_booked_count > 0 then aggregator_booked_count - 1 else 0 end') });
}

/** The seat and waitlist state of a session row, read for a decision taken in the transaction. */
export interface LockedSession {
  id: number;
  activityId: number;
  locationId: number;
  startsAt: string;
  status: SessionStatus;
  capacity: number;
  bookedCount: number;
  seatsLeft: number;
  waitlistCapacity: number;
  waitlistCount: number;
}

/**
 * Reads a session row and, on MySQL, locks it until the transaction ends (SELECT ... FOR UPDATE on
 * class_sessions alone: the activity row is not locked). Every change of seats or waitlist places
 * goes through this row, so decisions taken after this read cannot race. knex drops forUpdate on
 * SQLite, where a transaction already runs alone.
 */
export async function lockSession(db: Db, id: number): Promise<LockedSession | null> {
  const row = await db('class_sessions').where({ id }).forUpdate().first();
  if (!row) return null;
  return {
    id: row.id,
    activityId: row.activity_id,
    locationId: row.location_id,
    startsAt: readDate(row.starts_at).toISOString(),
    status: row.status,
    capacity: row.capacity,
    bookedCount: row.booked_count,
    seatsLeft: Math.max(0, row.capacity - row.booked_count),
    waitlistCapacity: row.waitlist_capacity,
    waitlistCount: row.waitlist_count,
  };
}

/**
 * One more waiting entry, if the class is full and the waitlist has room: conditional on the
 * latest committed row, like takeSeat, so nobody is put on a waitlist beside a free seat even by
 * a caller that did not lock the row first.
 */
export async function takeWaitlistPlace(db: Db, sessionId: number): Promise<boolean> {
  const changed = await db('class_sessions')
    .where({ id: sessionId })
    .andWhere('booked_count', '>=', db.ref('capacity'))
    .andWhere('waitlist_count', '<', db.ref('waitlist_capacity'))
    .increment('waitlist_count', 1);
  return Number(changed) === 1;
}

export async function releaseWaitlistPlace(db: Db, sessionId: number): Promise<void> {
  await db('class_sessions').where({ id: sessionId }).andWhere('waitlist_count', '>', 0).decrement('waitlist_count', 1);
}

export async function clearWaitlistCount(db: Db, sessionId: number): Promise<void> {
  await db('class_sessions').where({ id: sessionId }).update({ waitlist_count: 0 });
}

export async function findActivityByName(db: Db, name: string): Promise<Activity | null> {
  const row = await db('activities').where({ name }).orderBy('id').first();
  return row ? toActivity(row) : null;
}

export async function countSessionsAt(db: Db, locationId: number, from: Date, to: Date): Promise<number> {
  const row = await db('class_sessions').where({ location_id: locationId }).where('starts_at', '>=', from).where('starts_at', '<', to).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
