import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';

describe('admin locations and doors', () => {
  let app: TestApp;
  let admin: string;
  let manager: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.staffToken('admin');
    manager = await app.staffToken('manager');
  });
  afterAll(() => app.close());

  const createLocation = async (body: Record<string, unknown>) => {
    const res = await app.http.post('/api/v1/admin/locations').set(auth(manager)).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: number; name: string };
  };

  it('creates, reads, lists, updates and deletes a location (manager role)', async () => {
    const created = await app.http
      .post('/api/v1/admin/locations')
      .set(auth(manager))
      .send({ name: 'Downtown', timezone: 'Europe/Warsaw', perfectGymClubId: 101, egymLocationId: 'eg-101' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Downtown', timezone: 'Europe/Warsaw', perfectGymClubId: 101, egymLocationId: 'eg-101' });
    expect(created.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    const id = created.body.id;

    expect((await app.http.get(`/api/v1/admin/locations/${id}`).set(auth(manager))).body).toMatchObject({ id, name: 'Downtown' });

    const patched = await app.http.patch(`/api/v1/admin/locations/${id}`).set(auth(admin)).send({ name: 'Downtown 2', egymLocationId: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'Downtown 2', timezone: 'Europe/Warsaw', perfectGymClubId: 101, egymLocationId: null });

    const list = await app.http.get('/api/v1/admin/locations').set(auth(manager));
    expect(list.status).toBe(200);
    expect(list.body.items.map((l: { id: number }) => l.id)).toContain(id);
    expect(list.body).toHaveProperty('nextCursor');

    expect((await app.http.delete(`/api/v1/admin/locations/${id}`).set(auth(admin))).status).toBe(204);
    expect((await app.http.get(`/api/v1/admin/locations/${id}`).set(auth(admin))).status).toBe(404);
  });

  it('pages the location list with a cursor', async () => {
    for (const name of ['P1', 'P2', 'P3']) await createLocation({ name, timezone: 'utc' });
    const first = await app.http.get('/api/v1/admin/locations?limit=2').set(auth(admin));
    expect(first.body.items[0].timezone).toBe('UTC'); // stored in its canonical spelling
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await app.http.get(`/api/v1/admin/locations?limit=2&cursor=${first.body.nextCursor}`).set(auth(admin));
    expect(second.body.items[0].id).toBeGreaterThan(first.body.items[1].id);
    expect((await app.http.get('/api/v1/admin/locations?limit=0').set(auth(admin))).status).toBe(400);
    expect((await app.http.get('/api/v1/admin/locations?cursor=bm9wZQ').set(auth(admin))).status).toBe(400);
  });

  it('refuses a Perfect Gym club id or EGYM location id already mapped, naming the location', async () => {
    const a = await createLocation({ name: 'Club A', timezone: 'Europe/Berlin', perfectGymClubId: 201, egymLocationId: 'eg-201' });
    const clubClash = await app.http.post('/api/v1/admin/locations').set(auth(admin)).send({ name: 'Club B', timezone: 'UTC', perfectGymClubId: 201 });
    expect(clubClash.status).toBe(409);
    expect(clubClash.body.detail).toContain(`location ${a.id} (Club A)`);
    const b = await createLocation({ name: 'Club B', timezone: 'UTC' });
    const egymClash = await app.http.patch(`/api/v1/admin/locations/${b.id}`).set(auth(admin)).send({ egymLocationId: 'eg-201' });
    expect(egymClash.status).toBe(409);
    expect(egymClash.body.detail).toMatch(/egymLocationId eg-201 .*location \d+ \(Club A\)/);
    // Re-saving its own ids is no clash.
    expect((await app.http.patch(`/api/v1/admin/locations/${a.id}`).set(auth(admin)).send({ perfectGymClubId: 201 })).status).toBe(200);
  });

  it('refuses bad location input listing every field', async () => {
    const res = await app.http
      .post('/api/v1/admin/locations')
      .set(auth(admin))
      .send({ name: 'x'.repeat(201), timezone: 'Mars/Olympus', perfectGymClubId: 'abc', egymLocationId: 5, extra: true });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'timezone', 'perfectGymClubId', 'egymLocationId']));
    expect(JSON.stringify(res.body.errors)).toContain('extra');
    const missing = await app.http.post('/api/v1/admin/locations').set(auth(admin)).send({});
    expect(missing.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['name', 'timezone']);
    const loc = await createLocation({ name: 'Bad patch', timezone: 'UTC' });
    const patch = await app.http.patch(`/api/v1/admin/locations/${loc.id}`).set(auth(admin)).send({ timezone: 'nowhere', name: '' });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toHaveLength(2);
    expect((await app.http.patch('/api/v1/admin/locations/999999').set(auth(admin)).send({ name: 'x' })).status).toBe(404);
    expect((await app.http.delete('/api/v1/admin/locations/999999').set(auth(admin))).status).toBe(404);
    expect((await app.http.get('/api/v1/admin/locations/abc').set(auth(admin))).status).toBe(400);
  });

  it('creates doors, several per location, with club-wide unique codes', async () => {
    const loc = await createLocation({ name: 'Doors HQ', timezone: 'Europe/London' });
    const other = await createLocation({ name: 'Doors Annex', timezone: 'Europe/London' });
    const entrance = await app.http
      .post('/api/v1/admin/doors')
      .set(auth(manager))
      .send({ title: 'Main entrance', doorCode: 'HQ-1', locationId: loc.id, type: 'entrance' });
    expect(entrance.status).toBe(201);
    expect(entrance.body).toMatchObject({ title: 'Main entrance', doorCode: 'HQ-1', locationId: loc.id, type: 'entrance', accessControl: false, active: true });
    const exit = await app.http
      .post('/api/v1/admin/doors')
      .set(auth(manager))
      .send({ title: 'Back exit', doorCode: 'HQ-2', locationId: loc.id, type: 'exit', accessControl: true, active: true });
    expect(exit.status).toBe(201);
    expect(exit.body.accessControl).toBe(true);

    const clash = await app.http
      .post('/api/v1/admin/doors')
      .set(auth(manager))
      .send({ title: 'Annex door', doorCode: 'HQ-1', locationId: other.id, type: 'entrance' });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toBe(`doorCode HQ-1 is already used by door ${entrance.body.id} (Main entrance) at location ${loc.id}`);
    const patchClash = await app.http.patch(`/api/v1/admin/doors/${exit.body.id}`).set(auth(admin)).send({ doorCode: 'HQ-1' });
    expect(patchClash.status).toBe(409);

    const listed = await app.http.get(`/api/v1/admin/doors?locationId=${loc.id}`).set(auth(manager));
    expect(listed.body.items.map((d: { doorCode: string }) => d.doorCode)).toEqual(['HQ-1', 'HQ-2']);
    expect((await app.http.get(`/api/v1/admin/doors?locationId=${other.id}`).set(auth(manager))).body.items).toEqual([]);

    const moved = await app.http.patch(`/api/v1/admin/doors/${exit.body.id}`).set(auth(admin)).send({ locationId: other.id, active: false });
    expect(moved.body).toMatchObject({ locationId: other.id, active: false, doorCode: 'HQ-2' });
    expect((await app.http.get(`/api/v1/admin/doors/${exit.body.id}`).set(auth(admin))).body.active).toBe(false);

    // A location with doors cannot be deleted; the answer says what blocks it.
    const blocked = await app.http.delete(`/api/v1/admin/locations/${loc.id}`).set(auth(admin));
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain('1 doors');
    expect((await app.http.delete(`/api/v1/admin/doors/${entrance.body.id}`).set(auth(admin))).status).toBe(204);
    expect((await app.http.delete(`/api/v1/admin/locations/${loc.id}`).set(auth(admin))).status).toBe(204);
  });

  it('keeps a door that has access events, and a location with sessions or clients', async () => {
    const loc = await createLocation({ name: 'History', timezone: 'UTC' });
    const door = await app.http.post('/api/v1/admin/doors').set(auth(admin)).send({ title: 'Gate', doorCode: 'HIST-1', locationId: loc.id, type: 'entrance' });
    const now = new Date();
    await app.ctx.db('door_access_events').insert({
      door_id: door.body.id, location_id: loc.id, occurred_at: now, source: 'manual', source_ref: 'test:1', created_at: now,
    });
    const res = await app.http.delete(`/api/v1/admin/doors/${door.body.id}`).set(auth(admin));
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('set active=false');
    const client = await app.http.post('/api/v1/admin/clients').set(auth(admin)).send({ firstName: 'Home', lastName: 'Body', homeLocationId: loc.id });
    expect(client.status).toBe(201);
    const blocked = await app.http.delete(`/api/v1/admin/locations/${loc.id}`).set(auth(admin));
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toMatch(/1 doors, 1 clients \(home location\), 1 door access events/);
  });

  it('refuses bad door input listing every field, and unknown ids', async () => {
    const res = await app.http
      .post('/api/v1/admin/doors')
      .set(auth(admin))
      .send({ title: '', doorCode: 'c'.repeat(101), locationId: 'one', type: 'window', accessControl: 'yes', active: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['accessControl', 'active', 'doorCode', 'locationId', 'title', 'type'],
    );
    const unknownLocation = await app.http
      .post('/api/v1/admin/doors')
      .set(auth(admin))
      .send({ title: 'Ghost', doorCode: 'GHOST', locationId: 999999, type: 'entrance' });
    expect(unknownLocation.status).toBe(400);
    expect(unknownLocation.body.errors).toEqual([{ path: 'locationId', message: 'unknown location 999999' }]);
    expect((await app.http.patch('/api/v1/admin/doors/999999').set(auth(admin)).send({ title: 'x' })).status).toBe(404);
    const loc = await createLocation({ name: 'Door patch', timezone: 'UTC' });
    const door = await app.http.post('/api/v1/admin/doors').set(auth(admin)).send({ title: 'Side', doorCode: 'SIDE-1', locationId: loc.id, type: 'internal' });
    const badPatch = await app.http.patch(`/api/v1/admin/doors/${door.body.id}`).set(auth(admin)).send({ type: 'window', doorCode: '', active: null });
    expect(badPatch.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['active', 'doorCode', 'type']);
    const movedNowhere = await app.http.patch(`/api/v1/admin/doors/${door.body.id}`).set(auth(admin)).send({ locationId: 999999 });
    expect(movedNowhere.status).toBe(400);
    expect(movedNowhere.body.errors[0].path).toBe('locationId');
    expect((await app.http.get('/api/v1/admin/doors/999999').set(auth(admin))).status).toBe(404);
    expect((await app.http.delete('/api/v1/admin/doors/999999').set(auth(admin))).status).toBe(404);
    expect((await app.http.get('/api/v1/admin/doors?locationId=x').set(auth(admin))).status).toBe(400);
  });

  it('guards the routes: no token 401, member token 403', async () => {
    const [c] = await app.ctx.db('clients').insert({ first_name: 'M', last_name: 'Ember', status: 'active', created_at: new Date(), updated_at: new Date() });
    const member = await app.clientToken(Number(c));
    for (const [method, path] of [
      ['get', '/api/v1/admin/locations'], ['post', '/api/v1/admin/locations'], ['patch', '/api/v1/admin/locations/1'],
      ['delete', '/api/v1/admin/locations/1'], ['get', '/api/v1/admin/doors'], ['post', '/api/v1/admin/doors'],
      ['patch', '/api/v1/admin/doors/1'], ['delete', '/api/v1/admin/doors/1'],
    ] as const) {
      expect((await app.http[method](path).send({})).status).toBe(401);
      expect((await app.http[method](path).set(auth(member)).send({})).status).toBe(403);
    }
  });
});
