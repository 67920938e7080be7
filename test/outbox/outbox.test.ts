/**
 * The transactional outbox itself (src/outbox/): recording in the caller's transaction, draining
 * in order under a lease, failures, takeovers, racing drainers, late commits, pruning. The write
 * paths that record events are tested in write-paths.test.ts.
 *
 * Tests share one database; each records events at a location of its own (outbox_events has no
 * foreign keys) and drains with that location, so it sees only its own events.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, readDate, type Knex } from '../../src/db/knex.js';
import { takeLease } from '../../src/outbox/repository.js';
import {
  drainOutbox,
  getOutboxConsumer,
  pruneOutbox,
  recordOutboxEvents,
  registerOutboxConsumer,
  removeOutboxConsumer,
  sequenceOutbox,
  type DrainOptions,
} from '../../src/outbox/service.js';
import type { OutboxContext, OutboxEvent, OutboxTopic } from '../../src/outbox/types.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { readEveryOutboxTopic } from '../support/outbox.js';
import { testConfig } from '../support/app.js';
import type { AppContext } from '../../src/context.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { startOutboxDrainers } from '../../src/outbox/drainers.js';

const onMysql = (process.env.TEST_DATABASE_URL ?? '').startsWith('mysql');
const DAY = 24 * 3600_000;

let database: TestDatabase;
let ctx: OutboxContext;
let unique = 0;
/** A location id no other test uses. */
const newLocation = () => 100_000 + ++unique;
/** Subject ids no other test uses. */
let nextSubject = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { db: database.db, now: () => new Date() };
  await readEveryOutboxTopic(ctx);
});
afterAll(() => database.drop());

/** Records `n` events at `locationId` in one transaction; returns their subject ids in order. */
async function record(locationId: number, n: number, opts: { topic?: OutboxTopic; db?: Knex; at?: Date } = {}): Promise<number[]> {
  const subjects = Array.from({ length: n }, () => ++nextSubject);
  await (opts.db ?? ctx.db).transaction((trx) =>
    recordOutboxEvents(trx, opts.topic ?? 'client', subjects.map((subjectId) => ({ subjectId, locationId, kind: 'updated' })), opts.at ?? new Date()),
  );
  return subjects;
}

function collector() {
  const seen: OutboxEvent[] = [];
  return { seen, subjects: () => seen.map((e) => e.subjectId), handle: async (e: OutboxEvent) => void seen.push(e) };
}

const options = (consumer: string, locationId: number, extra: Partial<DrainOptions> = {}): DrainOptions => ({
  consumer, topics: ['client'], owner: 'instance-a', leaseMs: 30_000, locationId, ...extra,
});

const eventsAt = (locationId: number) => ctx.db('outbox_events').where({ location_id: locationId }).orderBy('id');

describe('recording', () => {
  it('writes one row per event, with the transaction: a rolled-back change records nothing', async () => {
    const location = newLocation();
    const at = new Date('2030-01-02T03:04:05.678Z');
    await ctx.db.transaction((trx) =>
      recordOutboxEvents(trx, 'door_event', [{ subjectId: 7, locationId: location, kind: 'entered' }, { subjectId: 8, locationId: location, kind: 'exited' }], at),
    );
    const rows = await eventsAt(location);
    expect(rows.map((r) => [r.topic, Number(r.subject_id), r.kind])).toEqual([['door_event', 7, 'entered'], ['door_event', 8, 'exited']]);
    expect(readDate(rows[0].created_at).toISOString()).toBe(at.toISOString());

    const other = newLocation();
    await expect(ctx.db.transaction(async (trx) => {
      await recordOutboxEvents(trx, 'client', [{ subjectId: 1, locationId: other, kind: 'created' }], new Date());
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect(await eventsAt(other)).toEqual([]);
  });

  it('records a topic only while some consumer reads it', async () => {
    const own = await createTestDatabase();
    const octx: OutboxContext = { db: own.db, now: () => new Date() };
    const recordOne = (topic: OutboxTopic, subjectId: number) => recordOutboxEvents(own.db, topic, [{ subjectId, locationId: 1, kind: 'updated' }], new Date());
    const recorded = async () => (await own.db('outbox_events').orderBy('id').select('topic', 'subject_id')).map((r) => [r.topic, Number(r.subject_id)]);
    try {
      await recordOne('client', 1);
      let built = 0;
      await recordOutboxEvents(own.db, 'door_event', async () => [{ subjectId: ++built, locationId: 1, kind: 'entered' }], new Date());
      expect(built).toBe(0); // nobody reads door events: the events are not even built
      expect(await recorded()).toEqual([]);

      await registerOutboxConsumer(octx, 'doors-only', { startAt: 'now', topics: ['door_event'] });
      await recordOne('client', 2);
      await recordOutboxEvents(own.db, 'door_event', async () => [{ subjectId: 10 + ++built, locationId: 1, kind: 'entered' }], new Date());
      expect(await recorded()).toEqual([['door_event', 11]]);

      await registerOutboxConsumer(octx, 'doors-only', { startAt: 'now', topics: ['door_event', 'client'] }); // registering again updates its topics
      await recordOne('client', 3);
      expect(await recorded()).toEqual([['door_event', 11], ['client', 3]]);
      expect(await removeOutboxConsumer(octx, 'doors-only')).toBe(true);
      await recordOne('client', 4);
      expect(await recorded()).toEqual([['door_event', 11], ['client', 3]]);
    } finally {
      await own.drop();
    }
  });
});

describe('draining', () => {
  it('hands over a consumer\'s events in order, moves the cursor past the rest, and starts where it stopped', async () => {
    const location = newLocation();
    const consumer = `test:order:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    const first = await record(location, 3);
    await record(location, 2, { topic: 'door_event' }); // another topic: passed over
    await record(newLocation(), 2); // another location: passed over
    const second = await record(location, 2);

    const c = collector();
    const result = await drainOutbox(ctx, options(consumer, location, { batchSize: 2 }), c.handle);
    expect(result).toEqual({ leased: true, handled: 5, caughtUp: true, lostLease: false });
    expect(c.subjects()).toEqual([...first, ...second]);
    expect(c.seen.map((e) => e.seq)).toEqual([...c.seen.map((e) => e.seq)].sort((a, b) => a - b));
    expect(c.seen[0]).toMatchObject({ topic: 'client', locationId: location, kind: 'updated' });
    const state = await getOutboxConsumer(ctx, consumer);
    expect(state).toMatchObject({ leaseOwner: null, leaseUntil: null });
    expect(state!.position).toBeGreaterThanOrEqual(c.seen[4]!.seq);

    expect(await drainOutbox(ctx, options(consumer, location), c.handle)).toEqual({ leased: true, handled: 0, caughtUp: true, lostLease: false });
    const third = await record(location, 1);
    expect((await drainOutbox(ctx, options(consumer, location), c.handle)).handled).toBe(1);
    expect(c.subjects()).toEqual([...first, ...second, ...third]);
  });

  it("starts a consumer registered 'now' after the events before it; registering again keeps its cursor", async () => {
    const location = newLocation();
    const consumer = `test:now:${location}`;
    await record(location, 2);
    const registered = await registerOutboxConsumer(ctx, consumer, { startAt: 'now' });
    const after = await record(location, 1);
    expect((await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' })).position).toBe(registered.position);
    const c = collector();
    await drainOutbox(ctx, options(consumer, location), c.handle);
    expect(c.subjects()).toEqual(after);
  });

  it('stops at maxEvents and says there is more', async () => {
    const location = newLocation();
    const consumer = `test:max:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    const subjects = await record(location, 5);
    const c = collector();
    expect(await drainOutbox(ctx, options(consumer, location, { maxEvents: 3, batchSize: 2 }), c.handle)).toMatchObject({ handled: 3, caughtUp: false });
    expect(await drainOutbox(ctx, options(consumer, location, { maxEvents: 3 }), c.handle)).toMatchObject({ handled: 2, caughtUp: true });
    expect(c.subjects()).toEqual(subjects);
  });

  it('refuses an unknown consumer', async () => {
    await expect(drainOutbox(ctx, options('test:unknown', newLocation()), async () => undefined)).rejects.toThrow(/not registered/);
  });

  it('leaves the cursor before an event whose handler failed; the next drain retries it', async () => {
    const location = newLocation();
    const consumer = `test:failure:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    const subjects = await record(location, 4);
    const c = collector();
    let failures = 0;
    const flaky = async (e: OutboxEvent) => {
      if (e.subjectId === subjects[2] && failures++ === 0) throw new Error('EGYM answered 503');
      await c.handle(e);
    };
    const failed = await drainOutbox(ctx, options(consumer, location), flaky);
    expect(failed).toMatchObject({ leased: true, handled: 2, caughtUp: false, lostLease: false });
    expect(failed.failed?.event.subjectId).toBe(subjects[2]);
    expect((failed.failed?.error as Error).message).toBe('EGYM answered 503');
    const state = await getOutboxConsumer(ctx, consumer);
    expect(state).toMatchObject({ position: c.seen[1]!.seq, leaseOwner: null }); // released for the next try

    expect(await drainOutbox(ctx, options(consumer, location), flaky)).toMatchObject({ handled: 2, caughtUp: true });
    expect(c.subjects()).toEqual(subjects);
  });

  it('coalescing: hands each subject of a batch over once, by its latest event, and still moves past every event', async () => {
    const location = newLocation();
    const consumer = `test:coalesce:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    const [a, b] = await record(location, 2);
    const again = (subjectId: number, topic: OutboxTopic = 'client') =>
      ctx.db.transaction((trx) => recordOutboxEvents(trx, topic, [{ subjectId, locationId: location, kind: 'updated' }], new Date()));
    await again(a!);
    await again(a!, 'door_event'); // the same id in another topic is another subject
    await again(b!);
    await again(a!);

    const c = collector();
    const flakyOnce = { failed: false };
    const result = await drainOutbox(ctx, options(consumer, location, { coalesce: true, topics: ['client', 'door_event'] }), async (e) => {
      // the latest of b fails once: the next drain reads b's events again and hands over only that one
      if (e.subjectId === b && !flakyOnce.failed) {
        flakyOnce.failed = true;
        throw new Error('Wellpass answered 503');
      }
      await c.handle(e);
    });
    expect(result.failed?.event.subjectId).toBe(b);
    expect(c.seen.map((e) => [e.topic, e.subjectId])).toEqual([['door_event', a]]);

    expect(await drainOutbox(ctx, options(consumer, location, { coalesce: true, topics: ['client', 'door_event'] }), c.handle)).toMatchObject({ caughtUp: true });
    expect(c.seen.map((e) => [e.topic, e.subjectId])).toEqual([['door_event', a], ['client', b], ['client', a]]);
    const handledSeqs = c.seen.map((e) => e.seq);
    expect((await getOutboxConsumer(ctx, consumer))!.position).toBe(Math.max(...handledSeqs));
    expect(await drainOutbox(ctx, options(consumer, location, { coalesce: true }), c.handle)).toEqual({ leased: true, handled: 0, caughtUp: true, lostLease: false });
  });
});

describe('the drainers', () => {
  it('register new consumers in the catalog\'s order, so their catch-up runs queue location by location', async () => {
    const actx: AppContext = { config: testConfig(database.url), db: database.db, logger: createLogger('silent'), metrics: createMetrics(), now: () => new Date() };
    const location = newLocation();
    const caughtUp: string[] = [];
    // The first one's catch-up is the slowest: registered side by side, the others would finish first.
    const specs = [30, 15, 0].map((ms, i) => ({
      consumer: `test:order-of-registration:${location}:${i}`,
      topics: ['client'] as const,
      locationId: location,
      handle: async () => undefined,
      onRegistered: async () => {
        await new Promise((r) => setTimeout(r, ms));
        caughtUp.push(`consumer ${i}`);
      },
    }));
    const drainers = startOutboxDrainers(actx, { consumers: async () => specs }, { pollMs: 3_600_000 });
    try {
      await drainers.drainNow();
      expect(caughtUp).toEqual(['consumer 0', 'consumer 1', 'consumer 2']);
      await drainers.drainNow(); // registered once
      expect(caughtUp).toHaveLength(3);
    } finally {
      await drainers.stop();
    }
  });
});

describe('leases', () => {
  it('lets one owner drain at a time', async () => {
    const location = newLocation();
    const consumer = `test:lease:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    const subjects = await record(location, 2);
    const b = collector();
    let whileHeld: unknown;
    const a = collector();
    await drainOutbox(ctx, options(consumer, location), async (e) => {
      whileHeld ??= await drainOutbox(ctx, options(consumer, location, { owner: 'instance-b' }), b.handle);
      await a.handle(e);
    });
    expect(whileHeld).toEqual({ leased: false, handled: 0, caughtUp: false, lostLease: false });
    expect(a.subjects()).toEqual(subjects);
    expect(b.seen).toEqual([]);
    // released at the end: the other owner drains next
    const more = await record(location, 1);
    await drainOutbox(ctx, options(consumer, location, { owner: 'instance-b' }), b.handle);
    expect(b.subjects()).toEqual(more);
  });

  it('is taken over when it expired; the old owner\'s cursor UPDATE is refused and it stops', async () => {
    const location = newLocation();
    const consumer = `test:takeover:${location}`;
    let t = Date.now();
    const clocked: OutboxContext = { db: ctx.db, now: () => new Date(t) };
    await registerOutboxConsumer(clocked, consumer, { startAt: 'beginning' });
    const subjects = await record(location, 4);
    const leaseMs = 10_000;
    const a = collector();
    const result = await drainOutbox(clocked, options(consumer, location, { leaseMs }), async (e) => {
      await a.handle(e);
      if (a.seen.length === 2) {
        // The handler hangs past the lease; instance-b takes the expired lease over.
        t += leaseMs + 1;
        expect(await takeLease(ctx.db, consumer, 'instance-b', new Date(t + leaseMs), new Date(t))).toBe(true);
      }
    });
    expect(result).toEqual({ leased: true, handled: 2, caughtUp: false, lostLease: true });
    const state = await getOutboxConsumer(ctx, consumer);
    // The cursor is after the first event only, and instance-a did not release instance-b's lease.
    expect(state).toMatchObject({ position: a.seen[0]!.seq, leaseOwner: 'instance-b' });

    // instance-b continues from the cursor: the event in flight at the takeover is handled again (at least once).
    const b = collector();
    expect(await drainOutbox(clocked, options(consumer, location, { owner: 'instance-b', leaseMs }), b.handle)).toMatchObject({ leased: true, handled: 3, caughtUp: true });
    expect(b.subjects()).toEqual(subjects.slice(1));
    // instance-a, still running on its old lease, cannot take it back before it expires
    expect(await takeLease(ctx.db, consumer, 'instance-b', new Date(t + leaseMs), new Date(t))).toBe(true);
    expect((await drainOutbox(clocked, options(consumer, location, { leaseMs }), a.handle)).leased).toBe(false);
  });

  it('renews the lease before a handler when time ran past half of it since the last renewal', async () => {
    const location = newLocation();
    const consumer = `test:renew:${location}`;
    const leaseMs = 10_000;
    // Every look at the clock finds it 1.2 leases later: without a renewal right before each
    // handler, every handler would run on an expired lease.
    let t = Date.now();
    const ticking: OutboxContext = { db: ctx.db, now: () => new Date((t += 1.2 * leaseMs)) };
    await registerOutboxConsumer(ticking, consumer, { startAt: 'beginning' });
    const subjects = await record(location, 3);
    const held: boolean[] = [];
    const c = collector();
    const result = await drainOutbox(ticking, options(consumer, location, { leaseMs }), async (e) => {
      const state = (await getOutboxConsumer(ctx, consumer))!;
      held.push(state.leaseOwner === 'instance-a' && state.leaseUntil!.getTime() > t);
      await c.handle(e);
    });
    expect(result).toMatchObject({ handled: 3, caughtUp: true, lostLease: false });
    expect(c.subjects()).toEqual(subjects);
    expect(held).toEqual([true, true, true]);
  });
});

describe('racing drainers', () => {
  it('never hand the same event to two owners: each event once, in order, across many rounds', async () => {
    const location = newLocation();
    const consumer = `test:race:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    // On MySQL every party has a pool of its own: truly concurrent connections. SQLite has one writer connection.
    const own = () => (onMysql ? createDb(database.url, { poolMax: 3 }) : ctx.db);
    const parties = { producer: own(), a: own(), b: own() };
    const handledBy: { subjectId: number; owner: string; seq: number }[] = [];
    const drainer = (owner: 'a' | 'b') => drainOutbox({ db: parties[owner], now: () => new Date() }, options(consumer, location, { owner, batchSize: 3 }), async (e) => {
      handledBy.push({ subjectId: e.subjectId, owner, seq: e.seq });
      await new Promise((r) => setTimeout(r, Math.random() * 3));
    });
    const recorded: number[] = [];
    const produce = async () => {
      for (let i = 0; i < 3; i++) {
        recorded.push(...(await record(location, 1 + (i % 3), { db: parties.producer })));
        await new Promise((r) => setTimeout(r, Math.random() * 3));
      }
    };
    try {
      const leasedBy = { a: 0, b: 0 };
      for (let round = 0; round < 25; round++) {
        const [ra, rb] = await Promise.all([drainer('a'), drainer('b'), produce()]);
        if (ra.leased) leasedBy.a++;
        if (rb.leased) leasedBy.b++;
      }
      for (let result = await drainer('a'); !result.caughtUp; result = await drainer('a'));
      expect(handledBy.map((h) => h.subjectId)).toEqual(recorded);
      expect(new Set(handledBy.map((h) => h.subjectId)).size).toBe(recorded.length);
      expect(handledBy.map((h) => h.seq)).toEqual([...handledBy.map((h) => h.seq)].sort((x, y) => x - y));
      expect(leasedBy.a + leasedBy.b).toBeGreaterThanOrEqual(25);
    } finally {
      if (onMysql) await Promise.all([parties.producer.destroy(), parties.a.destroy(), parties.b.destroy()]);
    }
  });
});

describe('commit order', () => {
  it('hands over an event whose id is below ones already handled (a late commit) instead of passing it over', async () => {
    const location = newLocation();
    const consumer = `test:late:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    // What a late commit looks like: id n+2 is visible (and handled) before id n+1.
    const top = Number((await ctx.db('outbox_events').max({ id: 'id' }).first())?.id ?? 0);
    const row = (id: number) => ({ id, topic: 'client', subject_id: id, location_id: location, kind: 'updated', created_at: new Date() });
    await ctx.db('outbox_events').insert(row(top + 1000));
    const c = collector();
    await drainOutbox(ctx, options(consumer, location), c.handle);
    await ctx.db('outbox_events').insert(row(top + 999));
    await drainOutbox(ctx, options(consumer, location), c.handle);
    expect(c.subjects()).toEqual([top + 1000, top + 999]);
    expect(c.seen[1]!.seq).toBeGreaterThan(c.seen[0]!.seq);
  });

  (onMysql ? it : it.skip)('on MySQL: an event committed after a later-numbered one is still handled', async () => {
    const location = newLocation();
    const consumer = `test:gap:${location}`;
    await registerOutboxConsumer(ctx, consumer, { startAt: 'beginning' });
    const c = collector();
    let early: number[] = [];
    let commit!: () => void;
    const open = ctx.db.transaction(async (trx) => {
      early = await record(location, 1, { db: trx as unknown as Knex });
      await new Promise<void>((r) => (commit = r));
    });
    while (!early.length) await new Promise((r) => setTimeout(r, 5));
    const late = await record(location, 1); // a higher id, committed first
    await drainOutbox(ctx, options(consumer, location), c.handle);
    expect(c.subjects()).toEqual(late);
    commit();
    await open;
    await drainOutbox(ctx, options(consumer, location), c.handle);
    expect(c.subjects()).toEqual([...late, ...early]);
    const ids = Object.fromEntries(c.seen.map((e) => [e.subjectId, e.id]));
    expect(ids[early[0]!]).toBeLessThan(ids[late[0]!]!);
  });
});

describe('pruning', () => {
  it('the drainers delete, when they prune, the events every consumer passed more than OUTBOX_KEEP_DAYS ago', async () => {
    const own = await createTestDatabase();
    const config = testConfig(own.url, { OUTBOX_KEEP_DAYS: '3' });
    const actx: AppContext = { config, db: own.db, logger: createLogger('silent'), metrics: createMetrics(), now: () => new Date() };
    const drainers = startOutboxDrainers(actx, { consumers: async () => [] }, { pollMs: 3_600_000 });
    try {
      await registerOutboxConsumer(actx, 'passing', { startAt: 'beginning' });
      for (const [daysAgo, n] of [[5, 3], [1, 2]] as const) {
        await own.db.transaction((trx) => recordOutboxEvents(trx, 'client', Array.from({ length: n }, (_, i) => ({ subjectId: i + 1, locationId: 1, kind: 'updated' as const })), new Date(Date.now() - daysAgo * DAY)));
      }
      expect(await drainers.pruneNow()).toBe(0); // not passed yet
      await drainOutbox(actx, { consumer: 'passing', topics: ['client'], owner: 'x', leaseMs: 10_000 }, async () => undefined);
      expect(await drainers.pruneNow()).toBe(3);
      expect(Number((await own.db('outbox_events').count({ n: '*' }).first())!.n)).toBe(2);
    } finally {
      await drainers.stop();
      await own.drop();
    }
  });

  it('deletes old events every consumer has passed, in batches; with no consumer, every old event; never lowers the seq', async () => {
    const own = await createTestDatabase();
    let t = Date.now();
    const pctx: OutboxContext = { db: own.db, now: () => new Date(t) };
    const recordAt = (at: Date, n: number) =>
      own.db.transaction((trx) => recordOutboxEvents(trx, 'client', Array.from({ length: n }, (_, i) => ({ subjectId: i + 1, locationId: 1, kind: 'updated' as const })), at));
    const remaining = async () => Number((await own.db('outbox_events').count({ n: '*' }).first())!.n);
    const drain = (consumer: string, maxEvents?: number) =>
      drainOutbox(pctx, { consumer, topics: ['client'], owner: 'x', leaseMs: 10_000, maxEvents }, async () => undefined);
    try {
      await registerOutboxConsumer(pctx, 'reader', { startAt: 'beginning' });
      await recordAt(new Date(t - 10 * DAY), 3);
      await recordAt(new Date(t), 1);
      expect(await removeOutboxConsumer(pctx, 'reader')).toBe(true);
      expect(await pruneOutbox(pctx, { keepDays: 7, batchSize: 2 })).toEqual({ deleted: 3 });
      expect(await remaining()).toBe(1);

      await registerOutboxConsumer(pctx, 'fast', { startAt: 'beginning' });
      await registerOutboxConsumer(pctx, 'slow', { startAt: 'beginning' });
      await recordAt(new Date(t - 10 * DAY), 4); // old, but after the new one (ids say nothing about age)
      await drain('fast');
      await drain('slow', 3); // the new event and two old ones
      expect(await pruneOutbox(pctx, { keepDays: 7, batchSize: 2 })).toEqual({ deleted: 2 });
      expect(await remaining()).toBe(3);
      await drain('slow');
      expect(await pruneOutbox(pctx, { keepDays: 7 })).toEqual({ deleted: 2 });
      expect(await remaining()).toBe(1); // the new one: too young

      t += 8 * DAY;
      expect(await pruneOutbox(pctx, { keepDays: 7 })).toEqual({ deleted: 1 });
      expect(await remaining()).toBe(0);
      // With every event gone, new ones still come after the consumers' cursors.
      await recordAt(new Date(t), 1);
      expect(await sequenceOutbox(pctx)).toBe(1);
      expect(await drain('slow')).toMatchObject({ handled: 1 });
      expect(await removeOutboxConsumer(pctx, 'fast')).toBe(true);
      expect(await removeOutboxConsumer(pctx, 'slow')).toBe(true);
      t += 8 * DAY;
      expect(await pruneOutbox(pctx, { keepDays: 7 })).toEqual({ deleted: 1 });
    } finally {
      await own.drop();
    }
  });
});

describe('recording many at once', () => {
  it('writes a thousand events of one change (SQLite takes at most 500 rows per multi-row INSERT)', async () => {
    const location = newLocation();
    await record(location, 1000);
    expect(Number((await eventsAt(location).count({ n: '*' }).first())!.n)).toBe(1000);
  });
});
