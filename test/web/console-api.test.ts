import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { tomorrowAt } from '../support/time.js';

/** The API routes the manager console added: integration types with their schemas, a session's roster, staff booking. */
describe('the console’s API routes', () => {
  let app: TestApp;
  let admin: { authorization: string };
  let manager: { authorization: string };
  const post = async (path: string, body: object) => {
    const res = await app.http.post(path).set(admin).send(body);
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    app = await startTestApp();
    admin = { authorization: `Bearer ${await app.staffToken('admin')}` };
    manager = { authorization: `Bearer ${await app.staffToken('manager')}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('describes every registered integration type with its schemas as JSON Schema, to any staff', async () => {
    expect((await app.http.get('/api/v1/admin/integration-types')).status).toBe(401);
    const res = await app.http.get('/api/v1/admin/integration-types').set(manager);
    expect(res.status).toBe(200);
    const types = res.body.items as any[];
    expect(types.map((t) => t.type)).toEqual(expect.arrayContaining(['perfect_gym', 'egym_bma', 'egym_mms', 'wellpass']));
    const pg = types.find((t) => t.type === 'perfect_gym');
    expect(pg).toMatchObject({
      title: 'Perfect Gym',
      configSchema: { type: 'object', required: ['baseUrl', 'clientId', 'identityTypeId'], properties: { syncMembers: { properties: { everyMinutes: { default: 10 } } } } },
      secretsSchema: { required: ['clientSecret'] },
      locationLink: { externalIdSchema: { type: 'integer' } },
    });
    expect(pg.jobs).toEqual(expect.arrayContaining([{ kind: 'initial', manual: false }, { kind: 'clients', manual: true }]));
  });

  it('tells when each integration runs next: its earliest scheduled job, none when switched off or inactive', async () => {
    const memberType = await post('/api/v1/admin/identity-types', { name: 'Next-run member', kind: 'perfect_gym_member', maxPerClient: 1, minDaysBetweenChanges: 0, active: true });
    const config = (syncMembers: boolean) => ({ baseUrl: 'http://127.0.0.1:9', clientId: 'c', identityTypeId: memberType.id, syncMembers: { enabled: syncMembers, everyMinutes: 10 }, syncSwipes: { enabled: false } });
    const scheduled = await post('/api/v1/admin/integrations', { type: 'perfect_gym', name: 'Scheduled', active: true, config: config(true), secrets: { clientSecret: 's' } });
    const before = Date.now();
    const shown = (await app.http.get(`/api/v1/admin/integrations/${scheduled.id}`).set(manager).expect(200)).body;
    expect(new Date(shown.nextRunAt).getTime()).toBeGreaterThanOrEqual(before - 1000); // never claimed yet: due at the scheduler's next tick
    await app.ctx.db('job_schedules').insert({ integration_id: scheduled.id, job: 'clients', next_due_at: new Date(Date.now() + 7 * 60_000) });
    const later = (await app.http.get(`/api/v1/admin/integrations/${scheduled.id}`).set(manager).expect(200)).body.nextRunAt;
    expect(new Date(later).getTime()).toBeGreaterThan(Date.now() + 6 * 60_000);
    await app.http.patch(`/api/v1/admin/integrations/${scheduled.id}`).set(admin).send({ config: config(false) }).expect(200);
    const list = (await app.http.get('/api/v1/admin/integrations').set(manager).expect(200)).body.items;
    expect(list.find((i: { id: number }) => i.id === scheduled.id)).toMatchObject({ nextRunAt: null });
  });

  it('books a member at the desk by their rules, lists the roster paged, and cancels for them', async () => {
    const location = await post('/api/v1/admin/locations', { name: 'Harbour', timezone: 'Europe/Berlin' });
    const yoga = await post('/api/v1/admin/activities', { name: 'Yoga' });
    const pkg = await post('/api/v1/admin/packages', { name: 'Classes', activityIds: [yoga.id] });
    const session = await post('/api/v1/admin/sessions', { activityId: yoga.id, locationId: location.id, startsAt: tomorrowAt(9), endsAt: tomorrowAt(10), capacity: 5 });
    const [ann, bob, cy] = await Promise.all(['Ann', 'Bob', 'Cy'].map((firstName) => post('/api/v1/admin/clients', { firstName, lastName: 'Member', homeLocationId: location.id })));
    for (const c of [ann, bob]) await post(`/api/v1/admin/clients/${c.id}/packages`, { packageId: pkg.id });
    const book = (body: object) => app.http.post('/api/v1/admin/bookings').set(manager).send(body);

    const missing = await book({ sessionId: session.id });
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'clientId' })]);
    expect((await book({ sessionId: session.id, clientId: 999_999 })).body.errors).toEqual([expect.objectContaining({ path: 'clientId' })]);
    expect(await book({ sessionId: session.id, clientId: cy.id }).then((r) => [r.status, r.body.code])).toEqual([422, 'noPackage']);

    const booked = await book({ sessionId: session.id, clientId: ann.id });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ sessionId: session.id, clientId: ann.id, status: 'booked', source: 'staff' });
    expect(await book({ sessionId: session.id, clientId: ann.id }).then((r) => [r.status, r.body.code])).toEqual([422, 'alreadyBooked']);
    expect((await book({ sessionId: session.id, clientId: bob.id })).status).toBe(201);
    expect((await app.http.delete(`/api/v1/admin/bookings/${booked.body.id}`).set(manager)).body.status).toBe('cancelled');

    const roster = (query: string) => app.http.get(`/api/v1/admin/sessions/${session.id}/bookings${query}`).set(manager);
    const first = await roster('?limit=1');
    expect(first.body.items).toEqual([expect.objectContaining({ clientId: ann.id, status: 'cancelled', client: { firstName: 'Ann', lastName: 'Member', memberNumber: null } })]);
    const second = await roster(`?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ clientId: bob.id, status: 'booked', source: 'staff' })], nextCursor: null });
    expect((await app.http.get('/api/v1/admin/sessions/999999/bookings').set(manager)).status).toBe(404);
  });
});
