import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { integrationOutbox } from '../../src/integrations/outbox.js';
import { startWorker } from '../../src/jobs/worker.js';
import { startOutboxDrainers } from '../../src/outbox/drainers.js';
import { DEFAULT_KEYS, startEgymMmsSandbox, type EgymMmsSandbox } from '../../src/sandbox/egym-mms/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { mmsContractChecker } from './egym-mms-contract.js';

describe('EGYM MMS: set-up, webhooks, several instances and the rate limit', () => {
  let sb: EgymMmsSandbox;
  let app: TestApp;
  let auth: { authorization: string };
  let accountTypeId: number;
  let seq = 0;
  const { check, violations } = mmsContractChecker();
  const post = async (path: string, body: object) => (await app.http.post(path).set(auth).send(body).expect(201)).body;

  /** A location with an entrance door, linked to a new push integration with `apiKey`. */
  async function setUp(apiKey: string, gym: string) {
    const n = ++seq;
    const locationId = (await post('/api/v1/admin/locations', { name: `Gym ${n}`, timezone: 'Europe/Berlin' })).id;
    const doorId = (await post('/api/v1/admin/doors', { title: 'Main', doorCode: `egym-${n}`, locationId, type: 'entrance' })).id;
    const integrationId = (await post('/api/v1/admin/integrations', {
      type: 'egym_mms', name: `EGYM ${n}`, active: true,
      config: { baseUrl: sb.url, mode: 'push', accountIdentityTypeId: accountTypeId, membershipId: { source: 'clientId' } },
      secrets: {},
    })).id;
    await app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${locationId}`).set(auth).send({ externalId: gym, secrets: { apiKey } }).expect(200);
    return { locationId, doorId, integrationId };
  }
  const newClient = async (locationId: number) =>
    (await post('/api/v1/admin/clients', { firstName: 'Ada', lastName: `Visit${++seq}`, email: `ada.visit${seq}@mail.example`, gender: 'female', homeLocationId: locationId })) as { id: number };
  const accountIdOf = async (clientId: number) =>
    (await app.ctx.db('client_identities').where({ client_id: clientId, identity_type_id: accountTypeId }).first())?.value as string | undefined;
  const enter = (doorId: number, clientId: number, at = new Date(Date.now() - 1000)) =>
    app.http.post('/api/v1/admin/door-access-events').set(auth).send({ doorId, clientId, occurredAt: at.toISOString() }).expect(201);
  async function drainAll(drainers: { drainNow(): Promise<{ handled: number; failed: number }> }[]) {
    for (let pass = 0; pass < 200; pass++) {
      const done = await Promise.all(drainers.map((d) => d.drainNow()));
      if (done.every((d) => !d.handled && !d.failed)) return;
    }
  }

  beforeAll(async () => {
    sb = await startEgymMmsSandbox({
      keys: [...DEFAULT_KEYS, { key: 'mms-gym-3-key', gymId: 'gym-3' }, { key: 'mms-gym-3-no-visits', gymId: 'gym-3', permissions: ['accounts:read', 'accounts:write'] }],
      onExchange: check,
    });
    app = await startTestApp();
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    accountTypeId = (await post('/api/v1/admin/identity-types', { name: 'EGYM account', kind: 'egym_account', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
  });
  afterAll(async () => {
    await app.close();
    await sb.close();
  });

  it('says what is wrong in the connection test: unknown key, missing permission, unreachable', async () => {
    const good = await setUp('mms-gym-1-key', 'gym-1');
    expect((await app.http.post(`/api/v1/admin/integrations/${good.integrationId}/test`).set(auth).expect(200)).body).toMatchObject({ ok: true });
    const refused = await setUp('not-a-key', 'gym-x');
    const refusedAnswer = (await app.http.post(`/api/v1/admin/integrations/${refused.integrationId}/test`).set(auth).expect(200)).body;
    expect(refusedAnswer).toMatchObject({ ok: false, detail: expect.stringMatching(/refused the API key \(HTTP 401\)/) });
    const noProducts = await setUp('mms-gym-3-no-visits', 'gym-3');
    expect((await app.http.post(`/api/v1/admin/integrations/${noProducts.integrationId}/test`).set(auth).expect(200)).body.detail).toMatch(/lacks a permission/);
    await app.http.patch(`/api/v1/admin/integrations/${refused.integrationId}`).set(auth).send({ config: { baseUrl: 'http://127.0.0.1:9' } }).expect(200);
    expect((await app.http.post(`/api/v1/admin/integrations/${refused.integrationId}/test`).set(auth).expect(200)).body.detail).toMatch(/Cannot reach EGYM at 127.0.0.1:9/);
  });

  it('sends the members a location had before its link (push-all, queued when the location starts draining)', async () => {
    const locationId = (await post('/api/v1/admin/locations', { name: 'Before', timezone: 'Europe/Berlin' })).id;
    const before = [await newClient(locationId), await newClient(locationId)];
    const integrationId = (await post('/api/v1/admin/integrations', {
      type: 'egym_mms', name: 'EGYM before', active: true,
      config: { baseUrl: sb.url, mode: 'push', accountIdentityTypeId: accountTypeId, membershipId: { source: 'clientId' } }, secrets: {},
    })).id;
    await app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${locationId}`).set(auth).send({ externalId: 'gym-2', secrets: { apiKey: 'mms-gym-2-key' } }).expect(200);
    const drainers = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    const worker = startWorker(app.ctx, integrationJobs, { pollMs: 20 });
    try {
      await drainers.drainNow();
      for (;;) {
        const run = await app.ctx.db('sync_runs').where({ integration_id: integrationId, kind: 'push-all' }).first();
        if (run && ['succeeded', 'failed'].includes(run.status)) {
          expect(run.status).toBe('succeeded');
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await worker.stop();
      await drainers.stop();
    }
    for (const c of before) expect(sb.account((await accountIdOf(c.id))!)).toMatchObject({ gymId: 'gym-2' });
  });

  it('two instances draining at once send each check-in once', async () => {
    const { locationId, doorId } = await setUp('mms-gym-3-key', 'gym-3');
    const instances = ['instance-a', 'instance-b'].map((id) => startOutboxDrainers({ ...app.ctx, config: { ...app.ctx.config, INSTANCE_ID: id } }, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 }));
    try {
      await drainAll(instances);
      const client = await newClient(locationId);
      for (let i = 0; i < 10; i++) await enter(doorId, client.id, new Date(Date.now() - 60_000 + i * 1000));
      await drainAll(instances);
      const accountId = (await accountIdOf(client.id))!;
      const visits = sb.visits().filter((v) => v.accountId === accountId && v.source === 'api');
      expect(visits).toHaveLength(10);
      expect(new Set(visits.map((v) => v.timestamp)).size).toBe(10);
    } finally {
      await Promise.all(instances.map((d) => d.stop()));
    }
  });

  // Separate processes share the database: MySQL (as in production), like the other multi-process test.
  const mysql = process.env.TEST_DATABASE_URL ? it : it.skip;
  mysql('a worker killed mid-drain loses no check-in: the next worker takes its consumer over and sends the rest', async () => {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    const { locationId, doorId } = await setUp('mms-gym-2-key', 'gym-2');
    const here = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    await drainAll([here]);
    const client = await newClient(locationId);
    await drainAll([here]);
    await here.stop();
    const accountId = (await accountIdOf(client.id))!;
    const start = Date.now() - 600_000;
    for (let i = 0; i < 30; i++) await enter(doorId, client.id, new Date(start + i * 1000));
    const sentVisits = () => sb.visits().filter((v) => v.accountId === accountId && v.source === 'api');
    const worker = (id: string): ChildProcess =>
      spawn(process.execPath, ['dist/src/cli.js', 'worker'], {
        env: { ...process.env, DATABASE_URL: app.database.url, INSTANCE_ID: id, NODE_ENV: 'test', LOG_LEVEL: 'silent', OUTBOX_LEASE_SECONDS: '5' },
        stdio: 'ignore',
      });
    const until = async (check: () => boolean, what: string) => {
      for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!check()) throw new Error(`timed out waiting for ${what}`);
    };
    const killed = worker('killed');
    try {
      await until(() => sentVisits().length >= 8, 'the first worker to send some check-ins');
    } finally {
      killed.kill('SIGKILL');
    }
    const next = worker('next');
    try {
      await until(() => new Set(sentVisits().map((v) => v.timestamp)).size === 30, 'every check-in at EGYM');
    } finally {
      next.kill('SIGTERM');
    }
    // At least once: only a check-in under way when the process died can arrive twice.
    expect(sentVisits().length - 30).toBeLessThanOrEqual(1);
  }, 120_000);

  it('keeps within EGYM\'s limit: a burst of 80 check-ins on one key draws no 429 from the rate limit', async () => {
    const { locationId, doorId } = await setUp('mms-gym-1-key', 'gym-1');
    const drainers = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    try {
      await drainAll([drainers]);
      const client = await newClient(locationId);
      await drainAll([drainers]);
      sb.clearRequests();
      const start = Date.now() - 600_000;
      for (let i = 0; i < 80; i++) await enter(doorId, client.id, new Date(start + i * 1000));
      await drainAll([drainers]);
      const sentOnKey = sb.requests().filter((r) => r.gymId === 'gym-1');
      expect(sentOnKey.filter((r) => r.path.endsWith('/checkins'))).toHaveLength(80);
      expect(sentOnKey.filter((r) => r.status === 429)).toEqual([]);
    } finally {
      await drainers.stop();
    }
  });

  it('takes webhooks with the registered secret: 401 otherwise, check-ins recorded once and never echoed, deletions re-read', async () => {
    const { locationId, doorId, integrationId } = await setUp('mms-gym-2-key', 'gym-2');
    const drainers = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    await drainAll([drainers]);
    const client = await newClient(locationId);
    await drainAll([drainers]);
    const accountId = (await accountIdOf(client.id))!;
    expect(accountId).toBeDefined();

    const registered = await app.http.post(`/api/v1/admin/integrations/${integrationId}/register-webhook`).set(auth).send({ publicBaseUrl: app.url });
    expect(registered.status).toBe(201);
    const hook = sb.webhooks().find((w) => w.url === `${app.url}/api/v1/webhooks/egym-mms/${integrationId}`);
    expect(hook).toBeDefined();
    const again = await app.http.post(`/api/v1/admin/integrations/${integrationId}/register-webhook`).set(auth).send({ publicBaseUrl: app.url });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('webhookUrlAlreadyRegistered');

    const url = `/api/v1/webhooks/egym-mms/${integrationId}`;
    const body = { accountId, timestamp: Date.now() - 5000, type: 'GYM_CHECKIN' };
    expect((await app.http.post(url).send(body)).status).toBe(401);
    expect((await app.http.post(url).set('x-api-key', 'wrong').send(body)).status).toBe(401);

    // A check-in at EGYM: delivered twice (as EGYM retries), recorded once, not sent back as a check-in
    sb.clearRequests();
    sb.checkIn(accountId, { gymId: 'gym-2' });
    await sb.webhooksSettled();
    const deliveries = sb.deliveries().filter((d) => d.url.endsWith(url));
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(deliveries.every((d) => d.status === 200)).toBe(true); // the sandbox gives up after EGYM's 5 s
    const events = await app.ctx.db('door_access_events').where({ client_id: client.id, source: 'egym_mms' });
    expect(events).toHaveLength(1);
    expect(events[0].door_id).toBe(doorId);
    await drainAll([drainers]);
    expect(sb.requests().filter((r) => r.path.endsWith('/checkins'))).toEqual([]);

    // The membership ends at EGYM: the account is read again in a run
    sb.deleteAccount(accountId, { eraseMemberData: false });
    await sb.webhooksSettled();
    expect(await app.ctx.db('sync_runs').where({ integration_id: integrationId, kind: 'account', scope: `account:${accountId}` }).first()).toBeDefined();
    await drainers.stop();
    expect(violations).toEqual([]);
  });
});
