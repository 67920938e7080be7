import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDb } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';
import type { PgContract, PgMember, PgMemberProduct, PgVisit } from '../src/integrations/perfect-gym/types.js';

const run = promisify(execFile);

export interface Api {
  base: string;
  token?: string;
}

/** Requests the bench had to send again after a network error, for the results. */
export const retried: { what: string; error: string }[] = [];

/**
 * fetch for idempotent GETs (control, stats, status polls, page reads): a network error (no
 * answer at all, e.g. a connection the other side had closed) is retried up to twice, and counted.
 * Writes are never retried: one may have been applied before the connection broke.
 */
export async function fetchIdempotent(url: string, init: RequestInit = {}): Promise<Response> {
  if ((init.method ?? 'GET').toUpperCase() !== 'GET') return fetch(url, init);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (attempt === 2 || !(err instanceof TypeError)) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      retried.push({ what: `GET ${new URL(url).pathname}`, error: `${err.message}${cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}`.trimEnd() : ''}` });
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
}

export async function call(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetchIdempotent(`${api.base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(api.token ? { authorization: `Bearer ${api.token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

export interface Sandbox {
  url: string;
  headers: Record<string, string>;
}

export async function sandboxRequests(sb: Sandbox): Promise<number> {
  return (await (await fetchIdempotent(`${sb.url}/__sandbox/stats`)).json()).requests;
}

/**
 * Walks a set's version feed without writing anything (the network + parsing floor); returns the
 * rows. Pages are asked for as the sync asks for them, by keyset (`version gt` the highest version
 * received): the sandbox's nextLinks use `$skip`, which a live instance may do too.
 */
async function walkSet<T extends { version: number }>(sb: Sandbox, set: string, filter = ''): Promise<T[]> {
  const rows: T[] = [];
  for (let after = 0, more = true; more; ) {
    const url = `${sb.url}/Api/v2.2/odata/${set}?$filter=${encodeURIComponent(`version gt ${after}${filter ? ` and (${filter})` : ''}`)}&$orderby=version`;
    const body = (await (await fetchIdempotent(url, { headers: sb.headers })).json()) as { value: T[]; '@odata.nextLink'?: string };
    for (const row of body.value) rows.push(row);
    if (body.value.length) after = body.value[body.value.length - 1]!.version;
    more = Boolean(body['@odata.nextLink']) && body.value.length > 0;
  }
  return rows;
}

/**
 * Lets the event loop run once. better-sqlite3 is synchronous and knex resolves its queries in
 * microtasks, so a loop of SQLite INSERTs never gives the loop a turn: for the whole floor no
 * timer fires and no socket event is read. A keep-alive connection the server closed meanwhile
 * then still looks open, and the next request sent on it fails with "other side closed" (the
 * crash after the SQLite floor). A turn per batch lets undici drop idle sockets on time.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const plainDate = (local: string | null) => (local ? new Date(`${local.slice(0, 19)}Z`) : null);

/**
 * The write floor: the very rows the sync writes (clients with their identities, the audit row of
 * each identity and the outbox event of each client, then the contracts and member products of those clients as client packages), with the same columns and values, as
 * plain multi-row INSERTs of 500, one transaction per batch. Real values matter: random names and
 * e-mails cost more index maintenance than made-up sequential ones.
 */
async function bulkInsertFloor(databaseUrl: string, walked: { members: PgMember[]; contracts: PgContract[]; products: PgMemberProduct[] }): Promise<{ ms: number; clients: number; packages: number }> {
  const db = createDb(databaseUrl);
  try {
    await migrateLatest(db);
    const now = new Date();
    const started = performance.now();
    const [identityType] = await db('identity_types').insert({ name: 'floor', kind: 'other', max_per_client: 1, min_days_between_changes: 0, active: true, created_at: now, updated_at: now });
    const [locationId] = await db('locations').insert({ name: 'Floor', timezone: 'Europe/Warsaw', created_at: now, updated_at: now });
    const packageIds = new Map<string, number>();
    const packageFor = async (altId: string) => {
      if (!packageIds.has(altId)) packageIds.set(altId, (await db('packages').insert({ name: altId, alt_id: altId, created_at: now, updated_at: now }))[0]!);
      return packageIds.get(altId)!;
    };
    const clientIds = new Map<number, number>();
    for (let i = 0; i < walked.members.length; i += 500) {
      const batch = walked.members.slice(i, i + 500);
      await db.transaction(async (trx) => {
        await trx('clients').insert(batch.map((m) => ({
          external_key: `1:member:${m.id}`, first_name: m.firstName ?? '', last_name: m.lastName ?? '', email: m.email, phone: m.phoneNumber,
          birth_date: m.birthdate?.slice(0, 10) ?? null, home_location_id: locationId, member_number: m.number, status: 'active',
          source: 'perfect_gym', source_version: m.version, created_at: now, updated_at: now,
        })));
        const rows: { id: number; external_key: string }[] = await trx('clients').whereIn('external_key', batch.map((m) => `1:member:${m.id}`)).select('id', 'external_key');
        for (const r of rows) clientIds.set(Number(r.external_key.split(':')[2]), r.id);
        await trx('client_identities').insert(batch.map((m) => ({ client_id: clientIds.get(m.id), identity_type_id: identityType, value: String(m.id), created_at: now, updated_at: now })));
        await trx('identity_changes').insert(batch.map((m) => ({ client_id: clientIds.get(m.id), identity_type_id: identityType, old_value: null, new_value: String(m.id), actor: 'integration:1', changed_at: now })));
        await trx('outbox_events').insert(batch.map((m) => ({ topic: 'client', subject_id: clientIds.get(m.id), location_id: locationId, kind: 'created', created_at: now })));
      });
      await turn();
    }
    const packages = [
      ...walked.contracts.map((c) => ({ memberId: c.memberId, altId: `payment_plan_${c.paymentPlanId}`, ref: `1:contract:${c.id}`, startsAt: c.startDate, endsAt: c.cancelDate ?? c.endDate, version: c.version })),
      ...walked.products.map((p) => ({ memberId: p.memberId, altId: `product_${p.productId}`, ref: `1:member_product:${p.id}`, startsAt: p.purchaseDate, endsAt: p.expiryDate, version: p.version })),
    ].filter((p) => clientIds.has(p.memberId));
    for (const p of packages) await packageFor(p.altId);
    for (let i = 0; i < packages.length; i += 500) {
      const batch = packages.slice(i, i + 500);
      await db.transaction(async (trx) => {
        await trx('client_packages').insert(batch.map((p) => ({
          client_id: clientIds.get(p.memberId), package_id: packageIds.get(p.altId), alt_id: p.altId, source: 'perfect_gym', source_ref: p.ref,
          integration_id: 1, starts_at: plainDate(p.startsAt), ends_at: plainDate(p.endsAt), status: 'active', source_version: p.version,
          created_at: now, updated_at: now,
        })));
      });
      await turn();
    }
    return { ms: performance.now() - started, clients: clientIds.size, packages: packages.length };
  } finally {
    await db.destroy();
  }
}

/**
 * The floor for an initial sync: (a) walking the pages it reads, without writing, then (b) writing
 * those rows with plain INSERTs into an empty database. The walked rows are dropped on return, so
 * they do not weigh on the scenarios after this one.
 */
export async function measureFloor(sb: Sandbox, clubIds: number[], databaseUrl: string) {
  const started = performance.now();
  const members: PgMember[] = [];
  // no push(...rows): a club of 150,000 members at 1M overflows the stack as call arguments
  for (const id of clubIds) for (const m of await walkSet<PgMember>(sb, 'Members', `homeClubId eq ${id} and isDeleted eq false and isActive eq true`)) members.push(m);
  const contracts = await walkSet<PgContract>(sb, 'Contracts', 'isDeleted eq false');
  const products = await walkSet<PgMemberProduct>(sb, 'MemberProducts', 'isDeleted eq false');
  const readMs = performance.now() - started;
  const written = await bulkInsertFloor(databaseUrl, { members, contracts, products });
  return { readMs, writeMs: written.ms, clients: written.clients, packages: written.packages };
}

/**
 * The floor for an access sync, on the floor database measureFloor filled: (a) walking every
 * visit page without writing, then (b) writing a door event for each visit of a client there
 * with plain multi-row INSERTs of 500, one transaction per batch (no look-ups, no duplicate check,
 * no attendance).
 */
export async function measureAccessFloor(sb: Sandbox, databaseUrl: string): Promise<{ readMs: number; writeMs: number; visits: number; events: number }> {
  const started = performance.now();
  const visits = await walkSet<PgVisit>(sb, 'MemberClubVisits');
  const readMs = performance.now() - started;
  const db = createDb(databaseUrl);
  try {
    const now = new Date();
    const clientOf = new Map<number, number>();
    for (const r of (await db('clients').select('id', 'external_key')) as { id: number; external_key: string }[]) clientOf.set(Number(r.external_key.split(':')[2]), Number(r.id));
    const { id: locationId } = (await db('locations').first('id')) as { id: number };
    const [doorId] = await db('doors').insert({ location_id: locationId, title: 'Floor entrance', door_code: `floor-${Date.now()}`, type: 'entrance', created_at: now, updated_at: now });
    const events = visits.filter((v) => clientOf.has(v.memberId) && !v.isDeleted);
    const writing = performance.now();
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500);
      await db.transaction((trx) =>
        trx('door_access_events').insert(batch.map((v) => ({
          door_id: doorId, location_id: locationId, client_id: clientOf.get(v.memberId), occurred_at: plainDate(v.enterDate), source: 'perfect_gym', source_ref: `1:visit:${v.id}`, created_at: now,
        }))),
      );
      await turn();
    }
    return { readMs, writeMs: performance.now() - writing, visits: visits.length, events: events.length };
  } finally {
    await db.destroy();
  }
}

/** Waits until a sync run ends; returns it with its wall time. */
export async function waitForRun(api: Api, runId: number): Promise<any> {
  for (;;) {
    const r = await call(api, 'GET', `/api/v1/admin/sync-runs/${runId}`);
    if (r.status === 'succeeded' || r.status === 'failed') {
      if (r.status === 'failed') throw new Error(`run ${runId} failed: ${r.error}`);
      return r;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

export async function timedRun(api: Api, integrationId: number, path: string, body: object): Promise<{ ms: number; run: any }> {
  const t = performance.now();
  const { run } = await call(api, 'POST', `/api/v1/admin/integrations/${integrationId}/${path}`, body);
  const done = await waitForRun(api, run.id);
  return { ms: performance.now() - t, run: done };
}

/**
 * Load from a separate process on loopback (bench/load.ts): autocannon as fast as `connections`
 * allow, or an open-loop generator at a fixed offered `rate` (req/s), each latency measured from
 * when its request was due.
 */
export async function load(url: string, opts: { method?: string; body?: object; token?: string; headers?: Record<string, string>; seconds: number; connections: number; rate?: number }) {
  const args = [url, opts.method ?? 'GET', opts.body ? JSON.stringify(opts.body) : '', opts.token ?? '', String(opts.seconds), String(opts.connections), String(opts.rate ?? 0), JSON.stringify(opts.headers ?? {})];
  const { stdout } = await run(process.execPath, ['dist/bench/load.js', ...args], { maxBuffer: 10 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number };
}

/** Median wall time of `times` sequential calls. */
export async function medianMs(times: number, task: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await task();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

/** Runs async tasks with at most `width` at a time. */
export async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/**
 * First page against last page of a set's keyset feed (`version gt <n>&$orderby=version`, as the
 * sync asks): the median of `times` requests each, body read. The last page starts `pageSize`
 * rows before the newest one (found newest first, `$orderby=version desc`), so it is a full page.
 */
export async function firstAndLastPage(sb: Sandbox, set: string, pageSize = 500, times = 7): Promise<{ firstMs: number; lastMs: number; lastRows: number; after: number }> {
  const base = `${sb.url}/Api/v2.2/odata/${set}`;
  const get = async (query: string) => (await (await fetchIdempotent(`${base}?${query}`, { headers: sb.headers })).json()) as { value: { version: number }[] };
  const [mark] = (await get(`$orderby=version%20desc&$top=1&$skip=${pageSize}&$select=version`)).value;
  const after = mark?.version ?? 0;
  const pageOf = (floor: number) => `$filter=${encodeURIComponent(`version gt ${floor}`)}&$orderby=version`;
  let lastRows = 0;
  const firstMs = await medianMs(times, () => get(pageOf(0)));
  const lastMs = await medianMs(times, async () => {
    lastRows = (await get(pageOf(after))).value.length;
  });
  return { firstMs, lastMs, lastRows, after };
}

/** A request the EGYM MMS sandbox received, as its control API lists it. */
export interface MmsRequest {
  method: string;
  path: string;
  /** The location of the key used. */
  gymId: string | null;
  status: number;
  /** Epoch ms when the sandbox received it. */
  at: number;
}

/** Every request the sandbox's real API received, oldest first (GET /_sandbox/requests). */
export async function mmsRequests(sandboxUrl: string): Promise<MmsRequest[]> {
  return (await (await fetchIdempotent(`${sandboxUrl}/_sandbox/requests`)).json()) as MmsRequest[];
}

/** The sandbox's accounts (GET /_sandbox/accounts). */
export async function mmsAccounts(sandboxUrl: string): Promise<{ accountId: string; gymId: string; membership: { membershipId: string } | null }[]> {
  return (await (await fetchIdempotent(`${sandboxUrl}/_sandbox/accounts`)).json()) as never;
}

/** The most of `sorted` (ascending) within any window of `windowMs`. */
function busiestWindow(sorted: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/**
 * The request rate of a run from the times requests were received: over the whole calendar seconds
 * of its middle (the first and last `trim` of its seconds left out, where the run starts and
 * drains); its busiest calendar second (clubcore takes at most `limit` slots in each) and busiest
 * 1 s window (up to twice that across a second's boundary, which EGYM's bucket allows); and the
 * lowest level EGYM's bucket (`capacity`, refilling `limit` a second, full at the start) fell to:
 * at 0 a request is refused with 429.
 */
export function requestRate(times: number[], limit: number, capacity: number, trim = 0.1): { perSecond: number; spanMs: number; seconds: number; busiestSecond: number; busiest1s: number; bucketLow: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const second = (t: number) => Math.floor(t / 1000);
  const perCalendarSecond = new Map<number, number>();
  for (const t of sorted) perCalendarSecond.set(second(t), (perCalendarSecond.get(second(t)) ?? 0) + 1);
  let [tokens, low, last] = [capacity, capacity, sorted[0] ?? 0];
  for (const t of sorted) {
    tokens = Math.min(capacity, tokens + ((t - last) * limit) / 1000) - 1;
    last = t;
    low = Math.min(low, tokens);
  }
  const spanMs = sorted.length ? sorted[sorted.length - 1]! - sorted[0]! : 0;
  const counts = { spanMs, busiestSecond: Math.max(0, ...perCalendarSecond.values()), busiest1s: busiestWindow(sorted, 1000), bucketLow: low };
  if (!sorted.length) return { perSecond: NaN, seconds: 0, ...counts };
  const [firstSecond, lastSecond] = [second(sorted[0]!), second(sorted[sorted.length - 1]!)];
  const cut = Math.ceil((lastSecond - firstSecond + 1) * trim);
  const [from, to] = [firstSecond + cut, lastSecond + 1 - cut];
  if (to <= from) return { perSecond: NaN, seconds: 0, ...counts };
  const inMiddle = sorted.filter((t) => second(t) >= from && second(t) < to).length;
  return { perSecond: inMiddle / (to - from), seconds: to - from, ...counts };
}

/** The p-th percentile (0-100) of samples, nearest rank; Infinity counts as a sample. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Polls `probe` every `everyMs` until it answers true; false when `timeoutMs` passed first. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (performance.now() >= until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
