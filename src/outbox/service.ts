import type { Db } from '../db/knex.js';
import {
  consumersLowestPosition,
  deleteConsumer,
  deleteEvents,
  getConsumer,
  hasUnsequencedEvents,
  highestSeq,
  insertConsumerUnlessExists,
  insertEvents,
  listEventsAfter,
  listPrunableEventIds,
  someConsumerReads,
  releaseLease,
  renewLease,
  sequenceEvents,
  takeLease,
} from './repository.js';
import type { NewOutboxEvent, OutboxConsumer, OutboxContext, OutboxEvent, OutboxTopic } from './types.js';

/*
 * The transactional outbox. A write path records what it changed with recordOutboxEvents, in the
 * transaction that makes the change: the event exists exactly when the change committed. Each
 * consuming integration drains the events with its own cursor (outbox_consumers.position) under a
 * lease, so one drainer per consumer runs at a time across all instances.
 *
 * Delivery is at least once, in order, per consumer. The cursor moves after each handled event,
 * fenced on the lease: a crash between the handler's remote call and that UPDATE sends that one
 * event again, and so does a handler that outlives the lease (the new owner starts at the
 * cursor; the old one's next UPDATE is refused and it stops). Handlers must be idempotent where
 * the remote allows (the event id is stable), and should read the subject's current state rather
 * than trust `kind`: events say that something changed, not what it is now.
 *
 * Ordering on MySQL: ids are taken at INSERT, so a transaction holding id 10 may commit after the
 * one holding id 11, and a cursor over ids would pass 10 over for good. Consumers therefore read
 * by `seq`, which a sequencer gives to committed events in commit order (see sequenceEvents).
 * Every drain runs a sequencer pass first; nothing else has to.
 */

const SEQUENCE_PASS = 1000;

/**
 * Records events of one topic in one multi-row INSERT, while some consumer reads that topic (an
 * event nobody reads is not written: it would cost the write path and grow the table for
 * nothing). Call it with the transaction that writes the change (never in a separate one): a
 * rolled-back change then records nothing. Pass a function when building the events costs
 * queries: it runs only when they are recorded.
 */
export async function recordOutboxEvents(db: Db, topic: OutboxTopic, events: NewOutboxEvent[] | (() => Promise<NewOutboxEvent[]>), now: Date): Promise<void> {
  if (Array.isArray(events) && !events.length) return;
  if (!(await someoneReads(db, topic))) return;
  const recorded = Array.isArray(events) ? events : await events();
  if (recorded.length) await insertEvents(db, topic, recorded, now);
}

/**
 * Topics a consumer read at the last check, per database (a transaction shares its database's
 * client config), for a few seconds: the check was a query on every write path. Only a yes is
 * kept: a consumer registered elsewhere is seen at once, and one removed elsewhere costs at most
 * a few seconds of events nobody reads (pruned like the rest).
 */
const readersSeen = new WeakMap<object, Map<OutboxTopic, number>>();
const READERS_KEPT_MS = 5_000;

async function someoneReads(db: Db, topic: OutboxTopic): Promise<boolean> {
  const seen = readersSeen.get(db.client.config) ?? new Map<OutboxTopic, number>();
  if ((seen.get(topic) ?? 0) > Date.now()) return true;
  if (!(await someConsumerReads(db, topic))) return false;
  seen.set(topic, Date.now() + READERS_KEPT_MS);
  readersSeen.set(db.client.config, seen);
  return true;
}

/** Gives committed events their place in commit order; returns how many (drains call it; exported for tools and tests). */
export async function sequenceOutbox(ctx: OutboxContext): Promise<number> {
  let total = 0;
  for (;;) {
    if (!(await hasUnsequencedEvents(ctx.db))) return total;
    const n = await sequenceEvents(ctx.db, ctx.now(), SEQUENCE_PASS);
    total += n;
    if (n < SEQUENCE_PASS) return total;
  }
}

/**
 * Creates the consumer's cursor unless it exists (an existing one is left where it is, its topics
 * updated). 'now': events recorded from here on (and any not yet sequenced); 'beginning': every
 * event kept. Events of a topic are recorded only while a consumer reads it (`topics`, default
 * all), so a consumer sees the changes committed after its registration; a change committing
 * while it registers may be missed, which is why consumers catch up with a full export when first
 * registered (OutboxConsumerSpec.onRegistered).
 */
export async function registerOutboxConsumer(
  ctx: OutboxContext,
  consumer: string,
  opts: { startAt: 'now' | 'beginning'; topics?: readonly OutboxTopic[] },
): Promise<OutboxConsumer> {
  if (!consumer || consumer.length > 191) throw new Error(`An outbox consumer name has 1 to 191 characters: ${JSON.stringify(consumer)}`);
  let position = 0;
  if (opts.startAt === 'now') {
    await sequenceOutbox(ctx);
    position = await highestSeq(ctx.db);
  }
  await insertConsumerUnlessExists(ctx.db, consumer, opts.topics ?? null, position, ctx.now());
  return (await getConsumer(ctx.db, consumer))!;
}

export function getOutboxConsumer(ctx: Pick<OutboxContext, 'db'>, consumer: string): Promise<OutboxConsumer | null> {
  return getConsumer(ctx.db, consumer);
}

/** Drops a consumer that will never drain again (its integration or link is gone), so pruning is not held back by it. */
export function removeOutboxConsumer(ctx: Pick<OutboxContext, 'db'>, consumer: string): Promise<boolean> {
  readersSeen.delete(ctx.db.client.config);
  return deleteConsumer(ctx.db, consumer);
}

export interface DrainOptions {
  consumer: string;
  /** The topics this consumer handles; it passes over the others. */
  topics: readonly OutboxTopic[];
  /** Who drains, unique per process (e.g. the instance id). */
  owner: string;
  /** How long the lease lasts without a renewal: longer than any one handler call may take. */
  leaseMs: number;
  /** Only events of this location (null-location events are passed over). */
  locationId?: number;
  /** Within a batch, only each subject's latest event is handled (see OutboxConsumerSpec.coalesce). */
  coalesce?: boolean;
  /** Events read per query (default 100). */
  batchSize?: number;
  /** At most this many events per call (default 1000); `caughtUp: false` says there are more. */
  maxEvents?: number;
}

export interface DrainResult {
  /** False: another owner holds the lease; nothing was done. */
  leased: boolean;
  /** Events handled (and the cursor moved past) by this call. */
  handled: number;
  /** Nothing more to handle right now. */
  caughtUp: boolean;
  /** Another owner took the lease over during the drain: this call stopped, its last handled event may be handled again there. */
  lostLease: boolean;
  /** The handler threw on this event: the cursor stays before it, and the next drain starts with it. Back off before retrying. */
  failed?: { event: OutboxEvent; error: unknown };
}

/**
 * Handles this consumer's next events in order: takes (or renews) the lease with one conditional
 * UPDATE, reads batches after the cursor, calls `handle` for each event and moves the cursor past
 * it with an UPDATE fenced on the lease (which also renews it). Stops at the first handler error
 * (returned in `failed`), at `maxEvents`, when caught up, or when the lease was taken over.
 * Releases the lease at the end. `handle` runs outside any transaction. With `coalesce`, an event
 * followed in the same batch by one of the same subject is passed over unhandled.
 */
export async function drainOutbox(ctx: OutboxContext, opts: DrainOptions, handle: (event: OutboxEvent) => Promise<void>): Promise<DrainResult> {
  const { db, now } = ctx;
  const { consumer, owner, leaseMs } = opts;
  const batchSize = opts.batchSize ?? 100;
  const maxEvents = opts.maxEvents ?? 1000;
  const leaseFrom = (at: Date) => new Date(at.getTime() + leaseMs);

  let at = now();
  let leaseUntil = leaseFrom(at);
  if (!(await takeLease(db, consumer, owner, leaseUntil, at))) {
    if (!(await getConsumer(db, consumer))) throw new Error(`Outbox consumer ${consumer} is not registered: call registerOutboxConsumer first`);
    return { leased: false, handled: 0, caughtUp: false, lostLease: false };
  }
  const result: DrainResult = { leased: true, handled: 0, caughtUp: false, lostLease: false };
  /** Moves the cursor (or only renews) while the lease is ours; false (and stop) once it is not. */
  const fenced = async (position?: number) => {
    at = now();
    leaseUntil = leaseFrom(at);
    if (await renewLease(db, consumer, owner, leaseUntil, at, position)) return true;
    result.lostLease = true;
    return false;
  };
  try {
    let position = (await getConsumer(db, consumer))!.position;
    while (result.handled < maxEvents) {
      await sequenceOutbox(ctx);
      const head = await highestSeq(db);
      const limit = Math.min(batchSize, maxEvents - result.handled);
      const events = await listEventsAfter(db, { after: position, upTo: head, topics: opts.topics, locationId: opts.locationId, limit });
      const latest = opts.coalesce ? latestOfEachSubject(events) : null;
      for (const event of events) {
        // Passed over: a later event of the batch stands for it; the cursor moves past both when that one is handled.
        if (latest && !latest.has(event.seq)) {
          result.handled++;
          continue;
        }
        // Less than half the lease left (a slow handler before): renew it, or stop if it was taken over.
        if (now().getTime() >= leaseUntil.getTime() - leaseMs / 2 && !(await fenced())) return result;
        try {
          await handle(event);
        } catch (error) {
          result.failed = { event, error };
          return result;
        }
        result.handled++;
        if (!(await fenced(event.seq))) return result;
        position = event.seq;
      }
      if (events.length < limit) {
        // Read everything up to head: the events of other topics and locations are passed over.
        if (head > position && !(await fenced(head))) return result;
        result.caughtUp = true;
        return result;
      }
    }
    return result;
  } finally {
    if (!result.lostLease) await releaseLease(db, consumer, owner, now());
  }
}

/** The seq of each subject's last event in the batch. */
function latestOfEachSubject(events: OutboxEvent[]): Set<number> {
  const last = new Map<string, number>();
  for (const e of events) last.set(`${e.topic}:${e.subjectId}`, e.seq);
  return new Set(last.values());
}

const DAY_MS = 24 * 3600_000;

/**
 * Deletes events older than `keepDays` that every consumer has passed (with no consumer at all:
 * every event older than that), `batchSize` at a time. A consumer that never drains holds pruning
 * back: remove it with removeOutboxConsumer. Returns how many events it deleted.
 */
export async function pruneOutbox(ctx: OutboxContext, opts: { keepDays: number; batchSize?: number }): Promise<{ deleted: number }> {
  const batchSize = opts.batchSize ?? 1000;
  const before = new Date(ctx.now().getTime() - opts.keepDays * DAY_MS);
  let deleted = 0;
  for (;;) {
    const { count, lowest } = await consumersLowestPosition(ctx.db);
    const ids = await listPrunableEventIds(ctx.db, before, count ? lowest : null, batchSize);
    deleted += await deleteEvents(ctx.db, ids);
    if (ids.length < batchSize) return { deleted };
  }
}
