import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyPassword } from '../../src/auth/passwords.js';
import { findActiveClientsByEmail, findClientsByLogin, getClient } from '../../src/clients/repository.js';
import { setClientPassword } from '../../src/clients/service.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('admin clients', () => {
  let app: TestApp;
  let admin: string;
  let locationId: number;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.staffToken('admin');
    locationId = (await app.http.post('/api/v1/admin/locations').set(auth(admin)).send({ name: 'Home club', timezone: 'Europe/Warsaw' })).body.id;
  });
  afterAll(() => app.close());

  const create = async (body: Record<string, unknown>) => {
    const res = await app.http.post('/api/v1/admin/clients').set(auth(admin)).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: number };
  };
  const search = async (query: string) =>
    (await app.http.get(`/api/v1/admin/clients?${query}`).set(auth(admin))).body.items.map((c: { id: number }) => c.id);

  it('creates a client with every field, hashing the password', async () => {
    const res = await app.http.post('/api/v1/admin/clients').set(auth(admin)).send({
      firstName: 'Jane', lastName: 'Doe', email: 'Jane.Doe@example.com', phone: '+48 600 100 200',
      birthDate: '1990-05-17', homeLocationId: locationId, memberNumber: 'M-1001', password: 'correct horse',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      firstName: 'Jane', lastName: 'Doe', email: 'Jane.Doe@example.com', phone: '+48 600 100 200', birthDate: '1990-05-17',
      homeLocationId: locationId, memberNumber: 'M-1001', status: 'active', hasPassword: true,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password"|correct horse|argon/);
    const row = await app.ctx.db('clients').where({ id: res.body.id }).first();
    expect(row.password_hash).not.toContain('correct horse');
    expect(await verifyPassword(row.password_hash, 'correct horse')).toBe(true);

    const minimal = await create({ firstName: 'Min', lastName: 'Imal' });
    expect(await getClient(app.ctx.db, minimal.id)).toMatchObject({ email: null, phone: null, birthDate: null, homeLocationId: null, hasPassword: false });
  });

  it('shows one client with identities and their changes', async () => {
    const client = await create({ firstName: 'Detail', lastName: 'View' });
    const res = await app.http.get(`/api/v1/admin/clients/${client.id}`).set(auth(admin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: client.id, firstName: 'Detail', identities: [], identityChanges: [] });
    expect((await app.http.get('/api/v1/admin/clients/999999').set(auth(admin))).status).toBe(404);
  });

  it('updates a client; deactivating signs the client out everywhere', async () => {
    const client = await create({ firstName: 'Pat', lastName: 'Ch', password: 'first-password' });
    const token = await app.clientToken(client.id);
    await app.clientToken(client.id);
    const patched = await app.http
      .patch(`/api/v1/admin/clients/${client.id}`)
      .set(auth(admin))
      .send({ lastName: 'Changed', email: null, homeLocationId: locationId, password: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ firstName: 'Pat', lastName: 'Changed', homeLocationId: locationId, hasPassword: false });
    expect(await app.ctx.db('auth_sessions').where({ subject_type: 'client', subject_id: client.id })).toHaveLength(2);
    // A valid member token is refused on admin routes with 403; a dead one with 401.
    expect((await app.http.get('/api/v1/admin/clients').set(auth(token))).status).toBe(403);

    const off = await app.http.patch(`/api/v1/admin/clients/${client.id}`).set(auth(admin)).send({ status: 'inactive' });
    expect(off.body.status).toBe('inactive');
    expect(await app.ctx.db('auth_sessions').where({ subject_type: 'client', subject_id: client.id })).toHaveLength(0);
    expect((await app.http.get('/api/v1/admin/clients').set(auth(token))).status).toBe(401);
    expect((await app.http.patch(`/api/v1/admin/clients/${client.id}`).set(auth(admin)).send({ status: 'active' })).body.status).toBe('active');
  });

  it('searches by name, e-mail and member number, filters by location and status, and pages', async () => {
    const a = await create({ firstName: 'Anna', lastName: 'Kowalska', email: 'anna.k@example.com', memberNumber: 'Q-77', homeLocationId: locationId });
    const b = await create({ firstName: 'Annabel', lastName: 'Smith', email: 'bel@example.com', memberNumber: 'Q-78' });
    const c = await create({ firstName: 'Percent', lastName: '100%', email: 'pct@example.com', status: 'inactive' });
    expect(await search('q=anna')).toEqual([a.id, b.id]);
    expect(await search('q=ANNA%20kowal')).toEqual([a.id]);
    expect(await search('q=bel%40example')).toEqual([b.id]);
    expect(await search('q=Q-78')).toEqual([b.id]);
    expect(await search(`q=anna&locationId=${locationId}`)).toEqual([a.id]);
    expect(await search('q=example.com&status=inactive')).toEqual([c.id]);
    // LIKE wildcards in q match literally.
    expect(await search('q=100%25')).toEqual([c.id]);
    expect(await search('q=_')).toEqual([]);

    const page1 = await app.http.get('/api/v1/admin/clients?q=example.com&limit=2').set(auth(admin));
    expect(page1.body.items).toHaveLength(2);
    const page2 = await app.http.get(`/api/v1/admin/clients?q=example.com&limit=2&cursor=${page1.body.nextCursor}`).set(auth(admin));
    expect(page2.body.items.map((x: { id: number }) => x.id)).toEqual(expect.arrayContaining([c.id]));
    expect(page2.body.items.every((x: { id: number }) => x.id > page1.body.items[1].id)).toBe(true);
    expect((await app.http.get('/api/v1/admin/clients?status=gone&locationId=x&limit=501').set(auth(admin))).body.errors).toHaveLength(3);
  });

  it('finds clients by login (e-mail in any case or member number) and active ones by e-mail', async () => {
    const parent = await create({ firstName: 'Parent', lastName: 'Family', email: 'Family@Example.com', memberNumber: 'F-1', password: 'parent-password' });
    const child = await create({ firstName: 'Child', lastName: 'Family', email: 'family@example.com', memberNumber: 'F-2' });
    await create({ firstName: 'Gone', lastName: 'Family', email: 'family@example.com', status: 'inactive' });
    const byEmail = await findClientsByLogin(app.ctx.db, 'FAMILY@example.COM');
    expect(byEmail.map((c) => c.id)).toEqual(expect.arrayContaining([parent.id, child.id]));
    expect(byEmail).toHaveLength(3);
    expect(byEmail.find((c) => c.id === parent.id)!.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await findClientsByLogin(app.ctx.db, 'F-2')).map((c) => c.id)).toEqual([child.id]);
    expect(await findClientsByLogin(app.ctx.db, 'nobody@example.com')).toEqual([]);
    expect((await findActiveClientsByEmail(app.ctx.db, 'family@EXAMPLE.com')).map((c) => c.id)).toEqual([parent.id, child.id]);

    await setClientPassword(app.ctx, child.id, 'child-password');
    const [withHash] = await findClientsByLogin(app.ctx.db, 'F-2');
    expect(await verifyPassword(withHash!.passwordHash!, 'child-password')).toBe(true);
    await expect(setClientPassword(app.ctx, 999999, 'whatever-password')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses bad client input listing every field, and unknown ids', async () => {
    const res = await app.http.post('/api/v1/admin/clients').set(auth(admin)).send({
      firstName: '', lastName: 'x'.repeat(101), email: 'not-an-email', phone: 5, birthDate: '1990-02-30',
      homeLocationId: -1, memberNumber: 'm'.repeat(51), status: 'banned', password: 'short', role: 'admin',
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['firstName', 'lastName', 'email', 'phone', 'birthDate', 'homeLocationId', 'memberNumber', 'status', 'password']));
    expect(JSON.stringify(res.body.errors)).toContain('role');
    expect((await app.http.post('/api/v1/admin/clients').set(auth(admin)).send({})).body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['firstName', 'lastName']);
    const unknownLocation = await app.http.post('/api/v1/admin/clients').set(auth(admin)).send({ firstName: 'A', lastName: 'B', homeLocationId: 999999 });
    expect(unknownLocation.status).toBe(400);
    expect(unknownLocation.body.errors).toEqual([{ path: 'homeLocationId', message: 'unknown location 999999' }]);

    const client = await create({ firstName: 'Good', lastName: 'Input' });
    const patch = await app.http.patch(`/api/v1/admin/clients/${client.id}`).set(auth(admin)).send({ firstName: null, status: 'x' });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toHaveLength(2);
    expect((await app.http.patch(`/api/v1/admin/clients/${client.id}`).set(auth(admin)).send({ homeLocationId: 999999 })).status).toBe(400);
    expect((await app.http.patch('/api/v1/admin/clients/999999').set(auth(admin)).send({ firstName: 'X' })).status).toBe(404);
  });

  it('guards the client routes: manager ok, member 403, no token 401', async () => {
    const manager = await app.staffToken('manager');
    const client = await create({ firstName: 'Role', lastName: 'Check' });
    const member = await app.clientToken(client.id);
    expect((await app.http.get('/api/v1/admin/clients').set(auth(manager))).status).toBe(200);
    expect((await app.http.post('/api/v1/admin/clients').set(auth(manager)).send({ firstName: 'By', lastName: 'Manager' })).status).toBe(201);
    for (const [method, path] of [
      ['get', '/api/v1/admin/clients'], ['post', '/api/v1/admin/clients'], ['get', `/api/v1/admin/clients/${client.id}`],
      ['patch', `/api/v1/admin/clients/${client.id}`], ['post', `/api/v1/admin/clients/${client.id}/identities`],
      ['delete', `/api/v1/admin/clients/${client.id}/identities/1`],
    ] as const) {
      expect((await app.http[method](path).send({})).status).toBe(401);
      expect((await app.http[method](path).set(auth(member)).send({})).status).toBe(403);
    }
  });
});
