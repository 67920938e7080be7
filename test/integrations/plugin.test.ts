import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { registerIntegrationType } from '../../src/integrations/registry.js';
import { enqueueDueJobs, startScheduler } from '../../src/jobs/scheduler.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { remoteMembers, testGymType } from './test-gym-type.js';

registerIntegrationType(testGymType);

describe('a new integration type is one file and one registration', () => {
  let app: TestApp;
  let auth: { authorization: string };
  let scheduler: { stop(): Promise<void> };
  const create = (body: object) => app.http.post('/api/v1/admin/integrations').set(auth).send({ type: 'test_gym', name: 'Test gym', ...body });
  const waitForRun = async (runId: number) => {
    for (;;) {
      const run = (await app.http.get(`/api/v1/admin/sync-runs/${runId}`).set(auth)).body;
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    app = await startTestApp();
    auth = { authorization: `Bearer ${await app.staffToken()}` };
    scheduler = startScheduler(app.ctx, integrationJobs, { pollMs: 20, leaseMs: 3000, cronExpression: '0 0 1 1 *' });
  });
  afterAll(async () => {
    await scheduler.stop();
    await app.close();
  });

  it('is validated, stored and shown by the generic admin routes', async () => {
    const bad = await create({ config: { everyMinutes: 0 }, secrets: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['config.everyMinutes', 'secrets.apiKey']);
    const good = await create({ config: { everyMinutes: null }, secrets: { apiKey: 'key-12345' } });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ type: 'test_gym', active: true, secrets: { apiKey: 'set' } });
    expect((await app.http.post(`/api/v1/admin/integrations/${good.body.id}/test`).set(auth)).body).toEqual({ ok: true, detail: 'Test Gym answers' });
  });

  it('links locations with its own ids and secrets, one integration per location', async () => {
    const first = (await create({ config: { everyMinutes: null }, secrets: { apiKey: 'key-first' } })).body;
    const second = (await create({ config: { everyMinutes: null }, secrets: { apiKey: 'key-second' } })).body;
    const location = (await app.http.post('/api/v1/admin/locations').set(auth).send({ name: 'Linked', timezone: 'Europe/Berlin' })).body;
    const put = (integrationId: number, body: object) => app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${location.id}`).set(auth).send(body);
    expect((await put(first.id, { externalId: 'nope' })).status).toBe(400);
    const linked = await put(first.id, { externalId: 'gym-7', secrets: { doorKey: 'k' } });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ integrationType: 'test_gym', integrationId: first.id, locationId: location.id, externalId: 'gym-7', secrets: { doorKey: 'set' } });
    const clash = await put(second.id, { externalId: 'gym-8' });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toMatch(new RegExp(`gets its members from integration ${first.id} \\(Test gym\\)`));
    expect((await app.http.get(`/api/v1/admin/integrations/${first.id}/locations/${location.id}`).set(auth)).body.externalId).toBe('gym-7');
  });

  it('runs its stream through the worker, page by page from its cursor, when started by hand, by schedule or by its webhook', async () => {
    const integration = (await create({ config: { everyMinutes: 5 }, secrets: { apiKey: 'key-stream' } })).body;
    remoteMembers.splice(0, remoteMembers.length, ...[1, 2, 3].map((id) => ({ id, firstName: 'Remote', lastName: `Member ${id}` })));
    const manual = await app.http.post(`/api/v1/admin/integrations/${integration.id}/sync`).set(auth).send({ job: 'members' });
    expect(manual.status).toBe(202);
    expect(await waitForRun(manual.body.run.id)).toMatchObject({ status: 'succeeded', progress: { membersSeen: 3, pages: 2 } });
    expect((await app.http.post(`/api/v1/admin/integrations/${integration.id}/sync`).set(auth).send({ job: 'other' })).status).toBe(400);

    remoteMembers.push({ id: 4, firstName: 'Remote', lastName: 'Member 4' });
    expect(await enqueueDueJobs(app.ctx, integrationJobs)).toBe(1);
    const scheduled = (await app.http.get(`/api/v1/admin/integrations/${integration.id}/runs`).set(auth)).body.items[0];
    expect(await waitForRun(scheduled.id)).toMatchObject({ trigger: 'schedule', status: 'succeeded', progress: { membersSeen: 1, pages: 1 } });

    const hook = (key: string) => app.http.post(`/api/v1/webhooks/test-gym/${integration.id}`).set('x-api-key', key).send({});
    expect((await hook('wrong')).status).toBe(401);
    const rung = await hook('key-stream');
    expect(rung.status).toBe(202);
    expect(await waitForRun(rung.body.run)).toMatchObject({ trigger: 'webhook', status: 'succeeded', progress: {} });
    expect((await app.http.get('/api/v1/admin/clients?q=Remote').set(auth)).body.items).toHaveLength(4);
  });

  it('signs members in through the password chain', async () => {
    await create({ config: { everyMinutes: null }, secrets: { apiKey: 'key-signin' } });
    await app.http.post('/api/v1/admin/clients').set(auth).send({ firstName: 'Pass', lastName: 'Word', email: 'chain@test-gym.example' }).expect(201);
    const res = await app.http.post('/api/v1/auth/login').send({ login: 'chain@test-gym.example', password: 'test-gym-password' });
    expect(res.status).toBe(200);
    expect(res.body.client.email).toBe('chain@test-gym.example');
    expect((await app.http.post('/api/v1/auth/login').send({ login: 'chain@test-gym.example', password: 'wrong-password' })).status).toBe(401);
  });
});
