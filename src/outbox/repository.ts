import { readDate, writeInFewShapes, type Db, type Knex } from '../db/knex.js';
import { inTransaction } from '../db/transaction.js';
import { writeLater } from '../db/write-later.js';
import type { NewOutboxEvent, OutboxConsumer, OutboxEvent, OutboxTopic } from './types.js';

type Row = Record<string, any>;

/** The row of outbox_sequence: the sequencers' lock and the highest seq given. */
const SEQUENCE = 'events';

/** Rows per INSERT: 5 values each stays far below SQLite's and MySQL's limits on bound values. */
const INSERT_CHUNK = 2000;

function toEvent(r: Row): OutboxEvent {
  return {
    id: Number(r.id),
    seq: Number(r.seq),
    topic: r.topic,
    subjectId: Number(r.subject_id),
    locationId: r.location_id === null ? null : Number(r.location_id),
    kind: r.kind,
    createdAt: readDate(r.created_at),
  };
}

function toConsumer(r: Row): OutboxConsumer {
  return {
    consumer: r.consumer,
    position: Number(r.position),
    leaseOwner: r.lease_owner,
    leaseUntil: readDate(r.lease_until),
    createdAt: readDate(r.created_at),
    updatedAt: readDate(r.updated_at),
  };
}

// ---- events

/** In the transaction of the change; sent with its next statement (writeLater): nothing waits for an event's id. */
export async function insertEvents(db: Db, topic: OutboxTopic, events: NewOutboxEvent[], now: Date): Promise<void> {
  await writeInFewShapes(db, events, INSERT_CHUNK, (chunk) =>
    writeLater(db, db('outbox_events').insert(chunk.map((e) => ({ topic, subject_id: e.subjectId, location_id: e.locationId, kind: e.kind, created_at: now })))),
  );
}

export async function hasUnsequencedEvents(db: Db): Promise<boolean> {
  return (await db('outbox_events').whereNull('seq').first('id')) !== undefined;
}

/**
 * Gives the oldest `limit` committed events without a seq their seq, in id order, all above the
 * highest seq given so far (seq = id + offset, the offset only as large as needed, so seq = id
 * while commits come in id order). One sequencer at a time: the UPDATE of outbox_sequence's row
 * comes first and holds its lock to the commit, so the reads after it see every earlier pass.
 * Returns how many events it sequenced.
 */
export async function sequenceEvents(db: Knex, now: Date, limit: number): Promise<number> {
  return inTransaction(db, async (trx) => {
    const locked = await trx('outbox_sequence').where({ name: SEQUENCE }).update({ updated_at: now });
    if (Number(locked) !== 1) throw new Error('outbox_sequence has no row: run the migrations');
    const high = await highestSeq(trx);
    const ids: number[] = (await trx('outbox_events').whereNull('seq').orderBy('id').limit(limit).pluck('id')).map(Number);
    if (!ids.length) return 0;
    const offset = Math.max(0, high - ids[0]! + 1);
    await trx('outbox_events').whereIn('id', ids).update({ seq: trx.raw('id + ?', [offset]) });
    await trx('outbox_sequence').where({ name: SEQUENCE }).update({ high: ids[ids.length - 1]! + offset });
    return ids.length;
  });
}

/** Every event with seq <= this is visible: sequencer passes commit whole and in order. */
export async function highestSeq(db: Db): Promise<number> {
  const row = await db('outbox_sequence').where({ name: SEQUENCE }).first('high');
  if (!row) throw new Error('outbox_sequence has no row: run the migrations');
  return Number(row.high);
}

/** Events after seq `after`, up to seq `upTo`, of these topics (and location), in seq order. */
export async function listEventsAfter(
  db: Db,
  q: { after: number; upTo: number; topics: readonly OutboxTopic[]; locationId?: number; limit: number },
): Promise<OutboxEvent[]> {
  const query = db('outbox_events').where('seq', '>', q.after).andWhere('seq', '<=', q.upTo).whereIn('topic', q.topics).orderBy('seq').limit(q.limit);
  if (q.locationId !== undefined) query.where({ location_id: q.locationId });
  return (await query).map(toEvent);
}

/** Ids of up to `limit` events that may go: older than `before` and, when given, at or below seq `passedBy`. */
export async function listPrunableEventIds(db: Db, before: Date, passedBy: number | null, limit: number): Promise<number[]> {
  const query = db('outbox_events').where('created_at', '<', before).limit(limit);
  if (passedBy === null) query.orderBy('id');
  else query.where('seq', '<=', passedBy).orderBy('seq');
  return (await query.pluck('id')).map(Number);
}

export async function deleteEvents(db: Db, ids: number[]): Promise<number> {
  return ids.length ? Number(await db('outbox_events').whereIn('id', ids).delete()) : 0;
}

// ---- consumers

/** `topics` are stored as ",a,b," so one LIKE finds the readers of a topic; null: every topic. */
const topicList = (topics: readonly OutboxTopic[] | null) => (topics ? `,${topics.join(',')},` : null);

/** Creates the consumer (an existing one keeps its cursor and gets these topics). */
export async function insertConsumerUnlessExists(db: Db, consumer: string, topics: readonly OutboxTopic[] | null, position: number, now: Date): Promise<void> {
  await db('outbox_consumers')
    .insert({ consumer, topics: topicList(topics), position, lease_owner: null, lease_until: null, created_at: now, updated_at: now })
    .onConflict('consumer')
    .merge(['topics']);
}

export async function someConsumerReads(db: Db, topic: OutboxTopic): Promise<boolean> {
  const reader = await db('outbox_consumers').whereNull('topics').orWhere('topics', 'like', `%,${topic},%`).first('consumer');
  return reader !== undefined;
}

export async function getConsumer(db: Db, consumer: string): Promise<OutboxConsumer | null> {
  const row = await db('outbox_consumers').where({ consumer }).first();
  return row ? toConsumer(row) : null;
}

export async function deleteConsumer(db: Db, consumer: string): Promise<boolean> {
  return Number(await db('outbox_consumers').where({ consumer }).delete()) === 1;
}

/** The lowest position of all consumers and how many there are. */
export async function consumersLowestPosition(db: Db): Promise<{ count: number; lowest: number | null }> {
  const row = await db('outbox_consumers').first(db.raw('count(*) as n'), db.raw('min(position) as lowest'));
  return { count: Number(row?.n ?? 0), lowest: row?.lowest === null || row?.lowest === undefined ? null : Number(row.lowest) };
}

/** Takes the lease when it is free, expired, or already this owner's (then renews it). */
export async function takeLease(db: Db, consumer: string, owner: string, until: Date, now: Date): Promise<boolean> {
  const changed = await db('outbox_consumers')
    .where({ consumer })
    .andWhere((q) => q.whereNull('lease_owner').orWhere('lease_owner', owner).orWhere('lease_until', '<', now))
    .update({ lease_owner: owner, lease_until: until, updated_at: now });
  return Number(changed) === 1;
}

/**
 * Moves the cursor (when `position` is given) and extends the lease, only while `owner` holds it:
 * false once another owner has taken it over.
 */
export async function renewLease(db: Db, consumer: string, owner: string, until: Date, now: Date, position?: number): Promise<boolean> {
  const changed = await db('outbox_consumers')
    .where({ consumer, lease_owner: owner })
    .update({ ...(position === undefined ? {} : { position }), lease_until: until, updated_at: now });
  return Number(changed) === 1;
}

export async function releaseLease(db: Db, consumer: string, owner: string, now: Date): Promise<void> {
  await db('outbox_consumers').where({ consumer, lease_owner: owner }).update({ lease_owner: null, lease_until: null, updated_at: now });
}
