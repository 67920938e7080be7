/**
 * The EGYM Wellpass benchmark (issue 15, "Tests and numbers"): clubcore as a child process (its
 * scheduler and outbox drainers running, on a fresh database) against the Wellpass sandbox in this
 * process, driven through the HTTP API as a manager would set it up. Prints, each beside a floor
 * measured in the same run:
 * 1. booking-requested -> decision: signed webhooks POSTed straight to clubcore at a concurrency,
 *    latency of the answer (the decision is taken inside the request) against GET /healthz under the
 *    same load, once clubcore is warm (--warmup-seconds of the same requests first: V8 compiles the
 *    hot paths for about the first 25 s of such a load); then every request's decision and the seat
 *    ledger checked in the database;
 * 2. publishing `--sessions` sessions through the outbox (an activity switched on for aggregators
 *    records an event per upcoming session in one transaction) against the same slot POSTs sent
 *    straight to the sandbox one at a time, and a full reconcile when nothing changed;
 * 3. a capacity change through the API -> the sandbox's slot showing it, against the drainers' pass.
 * Writes a markdown table (bench/RESULTS-wellpass.md) and prints it.
 *
 * node dist/bench/wellpass.js [--dialect sqlite|mysql] [--mysql <url>] [--sessions 1000] [--concurrency 50] [--requests 1000] [--warmup-seconds 30] [--db-delay-ms n]
 */
import { execFile, execSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import got from 'got';
import { createDb, type Db } from '../src/db/knex.js';
import { signWebhook } from '../src/integrations/wellpass/wire.js';
import { startWellpassSandbox, type WellpassSandbox } from '../src/sandbox/wellpass/server.js';
import { freshBenchDatabase } from './database.js';
import { startDelayProxy } from './delay-proxy.js';
import { cpuMs, freePort, pidOf, serveNodeArgs, startCli, type Child } from './processes.js';
import { call, inParallel, percentile, waitForRun, waitUntil, type Api } from './scenarios.js';

const execFileAsync = promisify(execFile);

const whole = (v: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a whole number above 0: ${v}`);
  return n;
};

const opts = new Command()
  .option('--dialect <dialect>', 'sqlite or mysql', 'sqlite')
  .option('--mysql <url>', 'MySQL/MariaDB server (a fresh database <name>_<random> is created next to the one named, and dropped after)', 'mysql://root@127.0.0.1:3306/bench_wp')
  .option('--sessions <n>', 'sessions published through the outbox, then reconciled', whole, 1000)
  .option('--concurrency <n>', 'concurrent booking-requested webhooks (connections)', whole, 50)
  .option('--requests <n>', 'measured booking-requested webhooks (after a warm-up of its own)', whole, 1000)
  .option('--changes <n>', 'capacity changes timed to the sandbox', whole, 20)
  .option('--db-delay-ms <n>', 'MySQL only: clubcore reaches the database through a proxy holding each packet n ms each way (a database a network hop away)', whole)
  .option('--warmup-seconds <n>', 'booking requests of new members, unmeasured, before anything is measured (0: none)', (v) => (v === '0' ? 0 : whole(v)), 30)
  .option('--out <file>', 'results file', 'bench/RESULTS-wellpass.md')
  .option('--keep', 'keep the database instead of dropping it')
  .option('--profile <dir>', "write a CPU profile of clubcore's process to this folder (open it in Chrome DevTools)")
  .parse()
  .opts<{ dialect: string; mysql: string; sessions: number; concurrency: number; requests: number; changes: number; warmupSeconds: number; dbDelayMs?: number; out: string; keep?: boolean; profile?: string }>();
if (!['sqlite', 'mysql'].includes(opts.dialect)) throw new Error('--dialect takes sqlite or mysql');
if (opts.dbDelayMs && opts.dialect !== 'mysql') throw new Error('--db-delay-ms is for --dialect mysql');

type Row = [string, string, string];
const rows: Row[] = [];
const ms = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : 'never');
const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
const met = (ok: boolean) => (ok ? 'met' : 'missed');
const sleep = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t)));
const HOUR = 3600_000;
const SECRET = `bench-${randomBytes(8).toString('hex')}`;
/** The drainers' pass in `clubcore serve` (src/outbox/drainers.ts, pollMs default). */
const DRAINER_POLL_MS = 500;
/** Seats the capped activity offers Wellpass per session. */
const SEAT_CAP = 5;
/** Capacity of the small session (the club's own limit binds there). */
const SMALL_CAPACITY = 5;
/** Warm-up requests prepared per second of warm-up: above the fastest rate seen (SQLite, ~730/s). */
const WARMUP_RATE = 1000;
/** Seats per warm-up session (a session holds at most 10,000). */
const WARMUP_SEATS = 5000;

interface LoadResult {
  total: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  answers: Record<string, number>;
  warmupAnswers: Record<string, number>;
  warmupTotal: number;
}

/** Statements the MySQL server has been sent so far (its Questions counter), or NaN on SQLite. */
async function statementsSent(db: Db): Promise<number> {
  if (opts.dialect !== 'mysql') return NaN;
  const [rows] = (await db.raw("SHOW GLOBAL STATUS LIKE 'Questions'")) as [{ Value: string }[]];
  return Number(rows[0]!.Value);
}

/**
 * What each request of a load cost, warm-up included, where the machine's speed matters less than
 * in its latency: clubcore's CPU, the database server's when it runs here, and the statements sent
 * to MySQL (the decisions sent and the drainers' work during the load count too).
 */
async function costOf(db: Db, clubcorePid: number, run: () => Promise<LoadResult>): Promise<{ load: LoadResult; cost: string }> {
  const dbPid = opts.dialect === 'mysql' ? pidOf('mariadbd', 'mysqld') : null;
  const before = { clubcore: cpuMs(clubcorePid), db: dbPid ? cpuMs(dbPid) : NaN, statements: await statementsSent(db) };
  const load = await run();
  const n = load.total + load.warmupTotal;
  const per = (after: number, was: number, digits: number) => ((after - was) / n).toFixed(digits);
  const parts = [`clubcore CPU ${per(cpuMs(clubcorePid), before.clubcore, 2)} ms`];
  if (dbPid) parts.push(`database server CPU ${per(cpuMs(dbPid), before.db, 2)} ms`);
  if (opts.dialect === 'mysql') parts.push(`${per(await statementsSent(db), before.statements, 1)} statements`);
  return { load, cost: `per request: ${parts.join(', ')}` };
}

/** Runs bench/wellpass-load.ts in its own process on prepared requests. */
async function loadOf(spec: { url: string; method: string; concurrency: number; warmup: { body?: string; headers?: Record<string, string> }[]; warmupSeconds?: number; measured: { body?: string; headers?: Record<string, string> }[] }): Promise<LoadResult> {
  const file = join(tmpdir(), `clubcore-wellpass-load-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(spec));
  try {
    const { stdout } = await execFileAsync(process.execPath, ['dist/bench/wellpass-load.js', file], { maxBuffer: 10 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
  } finally {
    rmSync(file, { force: true });
  }
}

const counts = (answers: Record<string, number>) => Object.entries(answers).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');

async function main() {
  const children: Child[] = [];
  const database = await freshBenchDatabase(opts.dialect, opts.mysql, new URL(opts.mysql).pathname.slice(1) || 'bench_wp');
  const db = createDb(database.url, { poolMax: 2 });
  let sb: WellpassSandbox | null = null;
  const proxy = opts.dbDelayMs ? await startDelayProxy({ host: new URL(database.url).hostname, port: Number(new URL(database.url).port || 3306) }, opts.dbDelayMs) : null;
  /** The database as clubcore reaches it: through the proxy when there is one. */
  const clubcoreDatabaseUrl = proxy ? Object.assign(new URL(database.url), { host: `127.0.0.1:${proxy.port}` }).toString() : database.url;
  try {
    // The sandbox, rate limit off for everything measured here (its default 50/25 s^-1 bucket would
    // measure the limit, not clubcore); webhooks are not sent by it: the bench posts them itself.
    sb = await startWellpassSandbox({ port: 0, webhookSecret: SECRET, webhookUrl: null, webhookCopies: 1, rateLimit: null });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const cc = await startCli(['serve'], {
      DATABASE_URL: clubcoreDatabaseUrl, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', SECRETS_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn', PUBLIC_BASE_URL: base, INSTANCE_ID: `bench-wellpass-${opts.dialect}`,
    }, /First admin created/, serveNodeArgs(opts.profile));
    children.push(cc);
    const [, email, password] = /First admin created: (\S+) \/ (\S+)/.exec(cc.lines.join('\n'))!;
    const api: Api = { base, token: (await call({ base }, 'POST', '/api/v1/staff/login', { email, password })).token };
    const post = (path: string, body: object) => call(api, 'POST', path, body);

    // set up as a manager would (test/integrations/wellpass.test.ts)
    const venue = randomUUID();
    const identityTypeId = (await post('/api/v1/admin/identity-types', { name: 'Wellpass id', kind: 'wellpass', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    const locationId = (await post('/api/v1/admin/locations', { name: 'Wellpass bench gym', timezone: 'Europe/Berlin' })).id;
    const open = (await post('/api/v1/admin/activities', { name: 'Open class', aggregatorBookings: { enabled: true, seatCap: null } })).id;
    const capped = (await post('/api/v1/admin/activities', { name: 'Capped class', aggregatorBookings: { enabled: true, seatCap: SEAT_CAP } })).id;
    // Switched on for Wellpass later: one outbox event per upcoming session, in one transaction.
    const publishing = (await post('/api/v1/admin/activities', { name: 'Published later', aggregatorBookings: { enabled: false, seatCap: null } })).id;
    const integrationId = (await post('/api/v1/admin/integrations', {
      type: 'wellpass', name: 'Wellpass bench', active: true,
      config: { baseUrl: sb.url, companyUuid: randomUUID(), identityTypeId, productId: 77 },
      secrets: { apiToken: sb.token, webhookSecret: SECRET },
    })).id;
    await call(api, 'PUT', `/api/v1/admin/integrations/${integrationId}/locations/${locationId}`, { externalId: venue });
    const webhookUrl = `${base}/api/v1/webhooks/wellpass/${integrationId}`;
    const consumer = `wellpass:${integrationId}:location:${locationId}`;
    // the drainers take the venue up within a pass and queue a reconcile (of nothing yet)
    const runs = async () => (await call(api, 'GET', `/api/v1/admin/integrations/${integrationId}/runs`)).items as { id: number; kind: string; status: string }[];
    if (!(await waitUntil(async () => (await runs()).some((r) => r.kind === 'reconcile' && r.status === 'succeeded'), 60_000))) {
      throw new Error('the venue was not taken up by the drainers (no reconcile run succeeded within 60 s)');
    }
    /** The venue's consumer has passed every event recorded so far. */
    const drained = async () => {
      const unsequenced = await db('outbox_events').whereNull('seq').count({ n: '*' }).first();
      if (Number(unsequenced?.n ?? 0) > 0) return false;
      const [high, cursor] = await Promise.all([db('outbox_sequence').first('high'), db('outbox_consumers').where({ consumer }).first('position')]);
      return Number(cursor?.position ?? -1) >= Number(high?.high ?? 0);
    };
    const waitDrained = async (what: string, timeoutMs = 600_000) => {
      if (!(await waitUntil(drained, timeoutMs, 100))) throw new Error(`the outbox was not drained within ${timeoutMs / 1000} s (${what})`);
    };
    const slotIdOf = async (sessionIds: number[]) => {
      const map = new Map<number, number>();
      for (let i = 0; i < sessionIds.length; i += 500) {
        for (const r of await db('wellpass_slots').where({ integration_id: integrationId }).whereIn('session_id', sessionIds.slice(i, i + 500)).whereNotNull('remote_slot_id').select('session_id', 'remote_slot_id')) {
          map.set(Number(r.session_id), Number(r.remote_slot_id));
        }
      }
      return map;
    };
    const liveSlots = () => sb!.slots(venue).filter((x) => !x.cancelled);

    // ---- 1. booking-requested -> decision ----
    const startsAt = (hours: number) => new Date(Date.now() + hours * HOUR);
    const session = async (activityId: number, capacity: number, hours: number) =>
      (await post('/api/v1/admin/sessions', { activityId, locationId, startsAt: startsAt(hours).toISOString(), endsAt: startsAt(hours + 1).toISOString(), capacity })).id as number;
    const warmupCount = Math.min(200, Math.max(opts.concurrency, Math.round(opts.requests / 10)));
    const total = warmupCount + opts.requests;
    const openSessions: number[] = [];
    for (let i = 0; i < Math.min(10, Math.max(1, Math.round(opts.requests / 100))); i++) openSessions.push(await session(open, total, 3 + i));
    const cappedSession = await session(capped, 50, 20);
    const smallSession = await session(open, SMALL_CAPACITY, 21);
    const bookingSessions = [...openSessions, cappedSession, smallSession];
    const warmupCapacity = opts.warmupSeconds * WARMUP_RATE;
    const warmupSessions: number[] = [];
    for (let left = warmupCapacity; left > 0; left -= WARMUP_SEATS) warmupSessions.push(await session(open, Math.min(left, WARMUP_SEATS), 40 + warmupSessions.length));
    await waitDrained('publishing the booking sessions');
    const slots = await slotIdOf([...bookingSessions, ...warmupSessions]);
    if (slots.size !== bookingSessions.length + warmupSessions.length) throw new Error(`only ${slots.size} of ${bookingSessions.length + warmupSessions.length} booking sessions were published`);
    const classOf = new Map(liveSlots().map((x) => [x.id, x.class_id]));
    // one in ten requests to the capped session (seat cap 5), one in ten to the small one (5 seats),
    // the rest spread over the open ones; the sandbox holds a PENDING booking for each (so clubcore's
    // decision, sent after its answer, lands), and each request is a new member, booking number and event id
    const sessionOf = (i: number) => (i % 10 === 0 ? cappedSession : i % 10 === 1 ? smallSession : openSessions[i % openSessions.length]!);
    type User = { unique_token: string; name: string; email: string };
    const prepare = async (slotId: number, user: User) => {
      const { booking } = await sb!.requestBooking(venue, { slot_id: slotId, user });
      const body = JSON.stringify({ event_type: 'booking-requested', event_data: { user, slot: { id: slotId, gym_id: venue, class_id: classOf.get(slotId)!, booking_number: booking.booking_number }, timestamp: Date.now(), event_id: randomUUID() } });
      return { body, headers: signWebhook(body, SECRET), user };
    };
    const prepared: { body: string; headers: Record<string, string>; user: User }[] = [];
    for (let i = 0; i < total; i++) {
      prepared.push(await prepare(slots.get(sessionOf(i))!, { unique_token: `bench-wp-${i}-${randomBytes(3).toString('hex')}`, name: `Wendy Bench${i}`, email: `wendy.${i}@corp.example` }));
    }
    // clubcore warmed up first with the same kind of requests, into sessions of their own
    const warmupRequests: typeof prepared = [];
    for (let i = 0; i < warmupCapacity; i++) {
      warmupRequests.push(await prepare(slots.get(warmupSessions[i % warmupSessions.length]!)!, { unique_token: `bench-wp-warm-${i}-${randomBytes(3).toString('hex')}`, name: `Walter Warm${i}`, email: `walter.${i}@corp.example` }));
    }
    const warmup = warmupRequests.length
      ? await loadOf({ url: webhookUrl, method: 'POST', concurrency: opts.concurrency, warmup: warmupRequests, warmupSeconds: opts.warmupSeconds, measured: [] })
      : null;
    await waitDrained('the seat changes of the warm-up');
    // the server's own floor, on the quiet system: the same number of requests at the same concurrency
    const healthz = await loadOf({ url: `${base}/healthz`, method: 'GET', concurrency: opts.concurrency, warmup: Array.from({ length: warmupCount }, () => ({})), measured: Array.from({ length: opts.requests }, () => ({})) });
    const { load: hooks, cost: hooksCost } = await costOf(db, cc.process.pid!, () => loadOf({ url: webhookUrl, method: 'POST', concurrency: opts.concurrency, warmup: prepared.slice(0, warmupCount), measured: prepared.slice(warmupCount) }));
    rows.push([
      `booking-requested -> decision, new members (${hooks.total} webhooks, ${opts.concurrency} concurrent)`,
      `p99 ${ms(hooks.p99)}`,
      `p50 ${ms(hooks.p50)}, p95 ${ms(hooks.p95)}, max ${ms(hooks.max)}, ${Math.round(hooks.rps)} req/s; answers: ${counts(hooks.answers)}; non-2xx ${hooks.non2xx}, errors ${hooks.errors}; after ${warmup ? `a warm-up of ${warmup.warmupTotal} requests in ${opts.warmupSeconds} s (${counts(warmup.warmupAnswers)}) and ` : ''}${warmupCount} unmeasured; ${hooksCost}; floor GET /healthz, same load: p50 ${ms(healthz.p50)}, p95 ${ms(healthz.p95)}, p99 ${ms(healthz.p99)}, ${Math.round(healthz.rps)} req/s; target p99 < 200 ms at 50 concurrent: ${opts.concurrency === 50 ? met(hooks.p99 < 200 && hooks.errors === 0 && hooks.non2xx === 0) : `not measured (${opts.concurrency} concurrent here)`}`,
    ]);

    // every request decided and recorded; seats within capacity and the cap; the sandbox holds the decisions
    const sandboxDecided = () => prepared.every((p) => sb!.booking((JSON.parse(p.body) as { event_data: { slot: { booking_number: string } } }).event_data.slot.booking_number)?.status !== 'PENDING');
    await waitUntil(async () => sandboxDecided(), 60_000, 250);
    const numbers = new Set(prepared.map((p) => (JSON.parse(p.body) as { event_data: { slot: { booking_number: string } } }).event_data.slot.booking_number));
    // this row's requests only: the warm-up's are not counted
    const byStatus = (await db('wellpass_bookings').where({ integration_id: integrationId }).whereIn('booking_number', [...numbers]).groupBy('status', 'reason_category').select('status', 'reason_category').count({ n: '*' })) as { status: string; reason_category: string | null; n: number | string }[];
    const recorded = (await db('wellpass_bookings').where({ integration_id: integrationId }).pluck('booking_number')) as string[];
    const recordedOfOurs = recorded.filter((n) => numbers.has(n)).length;
    const decided = byStatus.filter((r) => r.status === 'reserved' || r.status === 'rejected').reduce((a, r) => a + Number(r.n), 0);
    const ledger = await db('class_sessions').whereIn('id', bookingSessions).select('id', 'capacity', 'booked_count', 'aggregator_booked_count');
    const held = new Map(((await db('bookings').whereIn('session_id', bookingSessions).whereIn('status', ['booked', 'attended']).groupBy('session_id').select('session_id').count({ n: '*' })) as { session_id: number; n: number | string }[]).map((r) => [Number(r.session_id), Number(r.n)]));
    const over = ledger.filter((r: { id: number; capacity: number; booked_count: number; aggregator_booked_count: number }) =>
      Number(r.booked_count) > Number(r.capacity) || (held.get(Number(r.id)) ?? 0) !== Number(r.booked_count) || (Number(r.id) === cappedSession && Number(r.aggregator_booked_count) > SEAT_CAP));
    const seatsOf = (id: number) => ledger.find((r: { id: number }) => Number(r.id) === id) as { capacity: number; booked_count: number; aggregator_booked_count: number };
    const pendingAtSandbox = [...numbers].filter((n) => sb!.booking(n)?.status === 'PENDING').length;
    // the warm-up's too: a decision Wellpass did not take (a send that failed) waits for the sweeper.
    // Sent marks are written up to 20 ms after the send (a few together): given 2 s to land.
    const countUnsent = async () => Number((await db('wellpass_bookings').where({ integration_id: integrationId }).whereNull('decision_sent_at').count({ n: '*' }).first())?.n ?? 0);
    await waitUntil(async () => (await countUnsent()) === 0, 2_000, 50);
    const unsent = await countUnsent();
    const ledgerOk = over.length === 0 && Number(seatsOf(cappedSession).aggregator_booked_count) === SEAT_CAP && Number(seatsOf(smallSession).booked_count) === SMALL_CAPACITY;
    rows.push([
      'booking-requested: decisions recorded (wellpass_bookings)',
      `${recordedOfOurs} of ${total}`,
      `by status: ${byStatus.map((r) => `${r.status}${r.reason_category ? ` ${r.reason_category}` : ''} ${r.n}`).join(', ')}; ${decided} reserved or rejected, warm-up included; the sandbox still shows ${pendingAtSandbox} PENDING (decisions are sent after the answer); decisions not sent yet, warm-up included: ${unsent}; target every request decided once and sent: ${met(recordedOfOurs === total && decided === total && pendingAtSandbox === 0 && unsent === 0)}`,
    ]);
    rows.push([
      'booking-requested: seats within capacity and the Wellpass cap',
      over.length === 0 ? 'yes' : `${over.length} sessions over`,
      `${bookingSessions.length} sessions; capped one (cap ${SEAT_CAP}, 50 seats): ${seatsOf(cappedSession).aggregator_booked_count} Wellpass seats; small one (${SMALL_CAPACITY} seats): ${seatsOf(smallSession).booked_count} booked; booked_count equal to the bookings held in each; target none over, both filled exactly: ${met(ledgerOk)}`,
    ]);
    await waitDrained('the seat changes of the bookings');

    // ---- 1b. the same from members who booked before (the usual case: a Wellpass member books
    // again and again): the clients the reserved requests above created, each into new open sessions
    const returning = new Set((await db('wellpass_bookings').where({ integration_id: integrationId, status: 'reserved' }).pluck('unique_token')) as string[]);
    const returningUsers = prepared.map((p) => p.user).filter((u) => returning.has(u.unique_token));
    const againSessions: number[] = [];
    for (let i = 0; i < openSessions.length + 1; i++) againSessions.push(await session(open, total, 30 + i));
    await waitDrained('publishing the sessions booked again');
    const againSlots = await slotIdOf(againSessions);
    for (const x of liveSlots()) classOf.set(x.id, x.class_id);
    // a member books twice at most here, never into the same session twice
    const again: typeof prepared = [];
    for (let i = 0; i < total; i++) {
      const [member, pass] = [i % returningUsers.length, Math.floor(i / returningUsers.length)];
      again.push(await prepare(againSlots.get(againSessions[(member + pass) % againSessions.length]!)!, returningUsers[member]!));
    }
    const clientsBefore = Number((await db('clients').count({ n: '*' }).first())?.n);
    const { load: hooksAgain, cost: hooksAgainCost } = await costOf(db, cc.process.pid!, () => loadOf({ url: webhookUrl, method: 'POST', concurrency: opts.concurrency, warmup: again.slice(0, warmupCount), measured: again.slice(warmupCount) }));
    const clientsAfter = Number((await db('clients').count({ n: '*' }).first())?.n);
    rows.push([
      `booking-requested -> decision, members who booked before (${hooksAgain.total} webhooks, ${opts.concurrency} concurrent)`,
      `p99 ${ms(hooksAgain.p99)}`,
      `p50 ${ms(hooksAgain.p50)}, p95 ${ms(hooksAgain.p95)}, max ${ms(hooksAgain.max)}, ${Math.round(hooksAgain.rps)} req/s; answers: ${counts(hooksAgain.answers)}; non-2xx ${hooksAgain.non2xx}, errors ${hooksAgain.errors}; ${returningUsers.length} members, clients created ${clientsAfter - clientsBefore}; after ${warmupCount} unmeasured; ${hooksAgainCost}; target p99 < 200 ms at 50 concurrent: ${opts.concurrency === 50 ? met(hooksAgain.p99 < 200 && hooksAgain.errors === 0 && hooksAgain.non2xx === 0) : `not measured (${opts.concurrency} concurrent here)`}`,
    ]);
    await waitDrained('the seat changes of the bookings made again');

    // ---- 2. publishing --sessions sessions ----
    const n = opts.sessions;
    const first = 24; // hours ahead; one every 15 minutes stays within the 14 days published
    const created: number[] = [];
    const createdFrom = performance.now();
    await inParallel(Array.from({ length: n }, (_, i) => i), 8, async (i) => {
      const at = new Date(Date.now() + first * HOUR + i * 15 * 60_000);
      created.push((await post('/api/v1/admin/sessions', { activityId: publishing, locationId, startsAt: at.toISOString(), endsAt: new Date(at.getTime() + HOUR).toISOString(), capacity: 20 })).id);
    });
    const createMs = performance.now() - createdFrom;
    await waitDrained('the created sessions (not offered yet)');
    const before = liveSlots().length;
    sb.clearRequests();
    const publishFrom = performance.now();
    await call(api, 'PATCH', `/api/v1/admin/activities/${publishing}`, { aggregatorBookings: { enabled: true, seatCap: null } });
    const patchMs = performance.now() - publishFrom;
    const allThere = await waitUntil(async () => liveSlots().length >= before + n, 600_000, 20);
    const publishMs = performance.now() - publishFrom;
    const publishRequests = sb.requests();
    const slotPosts = publishRequests.filter((r) => r.method === 'POST' && /\/slots$/.test(r.path)).length;

    // floor: the same slot POSTs straight to the sandbox, one at a time (a venue's consumer handles its events in order), keep-alive
    const http = got.extend({ prefixUrl: sb.url, headers: { authorization: `Bearer ${sb.token}` }, agent: { http: new HttpAgent({ keepAlive: true, maxSockets: 16 }) }, responseType: 'json', retry: { limit: 0 } });
    const floorGym = randomUUID();
    const floorClass = ((await http.post(`booking/v1/gyms/${floorGym}/classes`, { json: { classes: [{ name: 'Floor', description: 'Floor', bookable: true, visible: true, product_id: 77, reference: 'floor' }] } })).body as unknown as { classes: { id: number }[] }).classes[0]!.id;
    const floorFrom = performance.now();
    for (let i = 0; i < n; i++) {
      const at = new Date(Date.now() + first * HOUR + i * 15 * 60_000);
      await http.post(`booking/v1/gyms/${floorGym}/classes/${floorClass}/slots`, {
        json: { occur_date: at.toISOString(), status: 1, length_in_minutes: 60, total_capacity: 20, total_booked: 0, product_id: 77, booking_window: { opens_at: new Date(0).toISOString(), closes_at: at.toISOString() }, cancellable_until: new Date(at.getTime() - 2 * HOUR).toISOString(), instructors: [] },
      });
    }
    const floorMs = performance.now() - floorFrom;
    rows.push([
      `Publishing ${n} sessions (outbox -> sandbox)`,
      allThere ? s(publishMs) : 'never',
      `from the PATCH switching the activity on for Wellpass (one outbox event per upcoming session, one transaction, answered in ${ms(patchMs)}) until the sandbox held all ${n} slots: ${Math.round(n / (publishMs / 1000))} sessions/s, ${publishRequests.length} requests to the sandbox (${slotPosts} slot POSTs); floor: the same ${n} slot POSTs straight to the sandbox, one at a time, keep-alive: ${s(floorMs)} (${(publishMs / floorMs).toFixed(1)}x); creating the sessions through the API took ${s(createMs)} (${n} POSTs, 8 at a time)`,
    ]);
    await waitDrained('publishing');

    // a full reconcile when nothing changed: mostly comparisons
    sb.clearRequests();
    const reconcileFrom = performance.now();
    let runId: number;
    try {
      runId = (await post(`/api/v1/admin/integrations/${integrationId}/sync`, { job: 'reconcile' })).run.id;
    } catch (err) {
      if (!/: 409 /.test((err as Error).message)) throw err;
      runId = (await runs()).find((r) => r.kind === 'reconcile' && ['queued', 'running'].includes(r.status))!.id;
    }
    const run = await waitForRun(api, runId);
    const reconcileMs = performance.now() - reconcileFrom;
    const reconcileRequests = sb.requests();
    const changedRemote = reconcileRequests.filter((r) => r.method !== 'GET').length;
    const p = run.progress ?? {};
    // floor: reading both sides once, the sandbox's slot listing of each class the reconcile lists and the sessions of the venue in one SELECT
    const classIds = [...new Set(liveSlots().map((x) => x.class_id))];
    const readFrom = performance.now();
    for (const id of classIds) await http.get(`booking/v1/gyms/${venue}/classes/${id}/slots`, { searchParams: { from: new Date(Date.now() - 24 * HOUR).toISOString(), to: new Date(Date.now() + 14 * 24 * HOUR).toISOString() } });
    const listMs = performance.now() - readFrom;
    const selectFrom = performance.now();
    const sessionRows = await db('class_sessions').where({ location_id: locationId }).select('*');
    const selectMs = performance.now() - selectFrom;
    rows.push([
      `Reconcile, nothing changed (${p.sessionsChecked ?? '?'} sessions)`,
      s(reconcileMs),
      `POST sync {job: reconcile} to success; ${reconcileRequests.length} requests to the sandbox (${changedRemote} writes), slots created ${p.slotsCreated ?? '?'}, updated ${p.slotsUpdated ?? '?'}, withdrawn ${p.slotsWithdrawn ?? '?'}; ${((reconcileMs * 1000) / Math.max(1, Number(p.sessionsChecked ?? sessionRows.length))).toFixed(0)} µs per session; floor: reading both sides once, the ${classIds.length} slot listings from the sandbox ${ms(listMs)} + the ${sessionRows.length} sessions in one SELECT ${ms(selectMs)} (from this process); target: no writes when nothing changed: ${met(changedRemote === 0)}`,
    ]);

    // ---- 3. capacity change -> sandbox ----
    const changeSessions = created.slice(0, opts.changes);
    const changeSlots = await slotIdOf(changeSessions);
    const delays: number[] = [];
    const answered: number[] = [];
    for (const [i, id] of changeSessions.entries()) {
      const slotId = changeSlots.get(id);
      if (slotId === undefined) throw new Error(`session ${id} has no slot in the sandbox`);
      await sleep(Math.random() * DRAINER_POLL_MS * 1.2); // any phase of the drainers' pass
      const capacity = 21 + i;
      const t = performance.now();
      await call(api, 'PATCH', `/api/v1/admin/sessions/${id}`, { capacity });
      answered.push(performance.now() - t);
      const shown = await waitUntil(async () => sb!.slots(venue).find((x) => x.id === slotId)?.total_capacity === capacity, 90_000, 5);
      delays.push(shown ? performance.now() - t : Infinity);
    }
    const [median, max] = [percentile(delays, 50), Math.max(...delays)];
    rows.push([
      `Capacity change -> sandbox (${delays.length} changes)`,
      `median ${ms(median)}`,
      `max ${ms(max)}, from the PATCH of the session's capacity to the sandbox's slot showing the new total_capacity (polled every 5 ms), each change at a random moment; the PATCH answered in ${ms(percentile(answered, 50))} (median); floor: the drainers look every ${DRAINER_POLL_MS} ms (their default pass), so ${DRAINER_POLL_MS / 2} ms on average + the PUT; target within a minute: ${met(max < 60_000)}`,
    ]);
  } catch (err) {
    // what clubcore logged (warn and above) tells why an API call failed
    for (const child of children) console.error(child.lines.filter((l) => l.trim()).slice(-15).join('\n'));
    throw err;
  } finally {
    for (const child of children) await child.stop();
    await sb?.close();
    await proxy?.close();
    await db.destroy();
    if (opts.keep) console.log(`kept: ${database.url}`);
    else await database.drop();
  }
}

const sh = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
};

const started = performance.now();
await main();
rows.push(['Bench: wall time', s(performance.now() - started), '']);
const report = [
  '# clubcore EGYM Wellpass benchmark',
  '',
  `- date: ${new Date().toISOString()}`,
  `- commit: ${sh('git rev-parse --short HEAD')}`,
  `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  `- database: ${opts.dialect === 'mysql' ? sh("mariadb --version | sed 's/,.*//'") : 'SQLite (better-sqlite3)'}${opts.dbDelayMs ? `, reached by clubcore through a proxy holding each packet ${opts.dbDelayMs} ms each way (bench/delay-proxy.ts)` : ''}`,
  `- command: node dist/bench/wellpass.js ${process.argv.slice(2).join(' ')}`,
  `- clubcore as a child process (\`clubcore serve\`: scheduler and outbox drainers on), fresh database; the Wellpass sandbox in the bench's process, rate limit off; the webhooks are sent by a load process of their own (bench/wellpass-load.ts), one booking request each (the sandbox sends none itself here)`,
  '',
  '| measurement | value | notes |',
  '|---|---|---|',
  ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
  '',
].join('\n');
writeFileSync(opts.out, report);
console.log(`\n${report}`);
console.log(`written to ${opts.out}`);
