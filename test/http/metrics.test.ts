import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { startPerfectGymSandbox, type PerfectGymSandbox } from '../../src/sandbox/perfect-gym/server.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** The value of the first sample of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const has = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics without METRICS_TOKEN', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('answers 404 saying how to switch metrics on', async () => {
    const res = await app.http.get('/metrics').set('authorization', 'Bearer anything-at-all-1234');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toMatch(/METRICS_TOKEN/);
  });
});

describe('GET /metrics', () => {
  const TOKEN = 'metrics-test-token-0123456789';
  let app: TestApp;
  let sb: PerfectGymSandbox;
  let auth: { authorization: string };
  let scheduler: { stop(): Promise<void> } | null = null;
  const scrape = async () => {
    const res = await app.http.get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeAll(async () => {
    sb = await startPerfectGymSandbox({ members: 30, clubs: 1, seed: 5 });
    app = await startTestApp({ METRICS_TOKEN: TOKEN });
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
  });
  afterAll(async () => {
    await scheduler?.stop();
    await app.close();
    await sb.close();
  });

  it('refuses a missing or wrong token with 401', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN]) {
      const req = app.http.get('/metrics');
      const res = await (authorization ? req.set('authorization', authorization) : req);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('serves the Prometheus text format with the process metrics', async () => {
    const res = await app.http.get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(res.text, 'clubcore_sync_runs_queued')).toBe(0);
    expect(sample(res.text, 'clubcore_signins_throttled_total', { kind: 'member' })).toBe(0);
    expect(sample(res.text, 'clubcore_signins_throttled_total', { kind: 'staff' })).toBe(0);
  });

  it('labels HTTP requests with the route pattern, never the raw path', async () => {
    expect((await app.http.get('/api/v1/admin/locations/987654').set(auth)).status).toBe(404);
    expect((await app.http.get('/api/v1/no-such-route/123456')).status).toBe(404);
    const text = await scrape();
    expect(sample(text, 'clubcore_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/admin/locations/:id', status: '404' })).toBe(1);
    expect(sample(text, 'clubcore_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toMatch(/987654|123456/);
  });

  it('shows queued runs, then the finished run, what it applied and how long ago it succeeded', async () => {
    const post = async (path: string, body: object) => {
      const res = await app.http.post(path).set(auth).send(body);
      expect(res.status).toBeLessThan(300);
      return res.body;
    };
    const identityTypeId = (await post('/api/v1/admin/identity-types', { name: 'Perfect Gym member', kind: 'perfect_gym_member', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    const club = sb.list('Clubs')[0]!;
    await post('/api/v1/admin/locations', { name: club.name, timezone: club.timezoneId, perfectGymClubId: club.id });
    const integrationId = (
      await post('/api/v1/admin/integrations', {
        type: 'perfect_gym', name: 'Sandbox', active: true,
        config: { baseUrl: sb.url, clientId: sb.clientId, identityTypeId, syncMembers: { enabled: false }, syncSwipes: { enabled: false } },
        secrets: { clientSecret: sb.clientSecret },
      })
    ).id;
    await post(`/api/v1/admin/integrations/${integrationId}/sync`, { job: 'clients' });
    expect(sample(await scrape(), 'clubcore_sync_runs_queued')).toBe(1);

    scheduler = startScheduler(app.ctx, integrationJobs, { pollMs: 30, leaseMs: 3000, cronExpression: '0 0 1 1 *' });
    const labels = { integration_type: 'perfect_gym', kind: 'clients' };
    let text = '';
    for (let i = 0; i < 200 && !sample(text, 'clubcore_sync_runs_finished_total', labels); i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = await scrape();
    }
    expect(sample(text, 'clubcore_sync_runs_finished_total', { ...labels, status: 'succeeded' })).toBe(1);
    expect(sample(text, 'clubcore_sync_runs_queued')).toBe(0);
    const run = await app.ctx.db('sync_runs').where({ integration_id: integrationId }).first();
    const progress: Record<string, number> = JSON.parse(run.progress);
    expect(progress.clientsCreated).toBeGreaterThan(0);
    for (const [counter, value] of Object.entries(progress)) {
      expect(sample(text, 'clubcore_sync_progress_total', { ...labels, counter })).toBe(value);
    }
    const age = sample(text, 'clubcore_sync_seconds_since_last_success', { integration_id: String(integrationId), kind: 'clients' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(30);
  });
});
