import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDb } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';

const run = promisify(execFile);

export interface Api {
  base: string;
  token?: string;
}

export async function call(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${api.base}${path}`, {
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
  return (await (await fetch(`${sb.url}/__sandbox/stats`)).json()).requests;
}

/** Walks a set's version feed without writing anything (the network + parsing floor). */
export async function walkSet(sb: Sandbox, set: string, filter = ''): Promise<number> {
  let url: string | undefined = `${sb.url}/Api/v2.2/odata/${set}?$filter=${encodeURIComponent(`version gt 0${filter ? ` and (${filter})` : ''}`)}&$orderby=version`;
  let rows = 0;
  while (url) {
    const body = (await (await fetch(url, { headers: sb.headers })).json()) as { value: unknown[]; '@odata.nextLink'?: string };
    rows += body.value.length;
    url = body['@odata.nextLink'];
  }
  return rows;
}

/**
 * The write floor: the rows the sync writes (clients, their identities, client packages), with the
 * same columns and similar values, as plain multi-row INSERTs of 500 in a transaction per batch.
 */
export async function bulkInsertFloor(databaseUrl: string, counts: { clients: number; packages: number }): Promise<number> {
  const db = createDb(databaseUrl);
  try {
    await migrateLatest(db);
    const now = new Date();
    const started = performance.now();
    const [identityType] = await db('identity_types').insert({ name: 'floor', kind: 'other', max_per_client: 1, min_days_between_changes: 0, active: true, created_at: now, updated_at: now });
    const [locationId] = await db('locations').insert({ name: 'Floor', timezone: 'Europe/Warsaw', created_at: now, updated_at: now });
    const [packageId] = await db('packages').insert({ name: 'Floor', alt_id: 'payment_plan_1', created_at: now, updated_at: now });
    for (let i = 0; i < counts.clients; i += 500) {
      const n = Math.min(500, counts.clients - i);
      await db.transaction(async (trx) => {
        await trx('clients').insert(Array.from({ length: n }, (_, k) => ({
          external_key: `1:member:${i + k}`, first_name: 'Firstname', last_name: `Lastname${i + k}`, email: `member${i + k}@example.com`,
          phone: `+48 600 ${i + k}`, birth_date: '1990-01-01', home_location_id: locationId, member_number: `M${i + k}`, status: 'active',
          source: 'perfect_gym', source_version: i + k, created_at: now, updated_at: now,
        })));
        const ids: number[] = await trx('clients').whereIn('external_key', Array.from({ length: n }, (_, k) => `1:member:${i + k}`)).pluck('id');
        await trx('client_identities').insert(ids.map((id, k) => ({ client_id: id, identity_type_id: identityType, value: String(i + k), created_at: now, updated_at: now })));
      });
    }
    const firstClient = (await db('clients').min({ id: 'id' }).first())!.id as number;
    for (let i = 0; i < counts.packages; i += 500) {
      const n = Math.min(500, counts.packages - i);
      await db('client_packages').insert(Array.from({ length: n }, (_, k) => ({
        client_id: firstClient + ((i + k) % counts.clients), package_id: packageId, alt_id: 'payment_plan_1', source: 'perfect_gym',
        source_ref: `1:contract:${i + k}`, integration_id: 1, starts_at: now, ends_at: now, status: 'active', source_version: i + k,
        created_at: now, updated_at: now,
      })));
    }
    return performance.now() - started;
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
 * autocannon from a separate process on loopback: as fast as `connections` allow, or at a fixed
 * offered `rate` (req/s), where latencies are corrected for coordinated omission.
 */
export async function load(url: string, opts: { method?: string; body?: object; token?: string; seconds: number; connections: number; rate?: number }) {
  const args = [url, opts.method ?? 'GET', opts.body ? JSON.stringify(opts.body) : '', opts.token ?? '', String(opts.seconds), String(opts.connections), String(opts.rate ?? 0)];
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
