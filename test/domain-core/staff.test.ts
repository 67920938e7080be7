import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStaffUser, ensureFirstAdmin } from '../../src/staff/service.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('staff sign-in and first admin', () => {
  let app: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = (email: string, password: string) => app.http.post('/api/v1/staff/login').send({ email, password });

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('creates the first admin once, with a random password, and signs in with it', async () => {
    const first = await ensureFirstAdmin(app.ctx);
    expect(first).toEqual({ email: 'admin@clubcore.local', password: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/) });
    expect(await ensureFirstAdmin(app.ctx)).toBeNull();
    expect(await ensureFirstAdmin(app.ctx, { email: 'admin@demo.clubcore', password: 'demo-admin-password' })).toBeNull();
    expect(await app.ctx.db('staff_users')).toHaveLength(1);

    const res = await login('Admin@ClubCore.local', first!.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      expiresAt: expect.stringMatching(/Z$/),
      staff: { id: expect.any(Number), email: 'admin@clubcore.local', name: 'Administrator', role: 'admin' },
    });
    expect((await app.http.get('/api/v1/admin/locations').set(auth(res.body.token))).status).toBe(200);
  });

  it('uses the fixed demo credentials on an empty database', async () => {
    const other = await startTestApp();
    try {
      const fixed = { email: 'admin@demo.clubcore', password: 'demo-admin-password' };
      expect(await ensureFirstAdmin(other.ctx, fixed)).toEqual(fixed);
      expect(await ensureFirstAdmin(other.ctx, fixed)).toBeNull();
      expect((await other.http.post('/api/v1/staff/login').send(fixed)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('answers wrong e-mail, wrong password and disabled accounts with the same 401', async () => {
    await createStaffUser(app.ctx, { email: 'mia@club.test', password: 'mia-password', name: 'Mia', role: 'manager' });
    await createStaffUser(app.ctx, { email: 'off@club.test', password: 'off-password', name: 'Off', role: 'manager', active: false });
    const wrongPassword = await login('mia@club.test', 'nope-nope');
    const wrongEmail = await login('nobody@club.test', 'mia-password');
    const disabled = await login('off@club.test', 'off-password');
    for (const res of [wrongPassword, wrongEmail, disabled]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(wrongEmail.body).toEqual(wrongPassword.body);
    expect(disabled.body).toEqual(wrongPassword.body);
    expect((await login('mia@club.test', 'mia-password')).body.staff.role).toBe('manager');
  });

  it('refuses bad login and staff input', async () => {
    const res = await app.http.post('/api/v1/staff/login').send({ email: 5 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'password']);
    expect((await app.http.post('/api/v1/staff/login').send({ email: 'a@b.cd', password: 'x'.repeat(201) })).status).toBe(400);
    await expect(createStaffUser(app.ctx, { email: 'bad', password: 'short', name: '', role: 'owner' as 'admin' })).rejects.toMatchObject({
      status: 400,
      extra: { errors: expect.arrayContaining([expect.objectContaining({ path: 'email' }), expect.objectContaining({ path: 'role' })]) },
    });
    await createStaffUser(app.ctx, { email: 'rita@club.test', password: 'rita-password', name: 'Rita', role: 'manager' });
    await expect(createStaffUser(app.ctx, { email: 'RITA@club.test', password: 'another-password', name: 'Rita 2', role: 'admin' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('lets admins (only) manage staff users', async () => {
    const admin = await app.staffToken('admin');
    const manager = await app.staffToken('manager');
    expect((await app.http.get('/api/v1/admin/staff').set(auth(manager))).status).toBe(403);
    expect((await app.http.get('/api/v1/admin/staff')).status).toBe(401);

    const created = await app.http.post('/api/v1/admin/staff').set(auth(admin)).send({ email: 'Leo@Club.test', password: 'leo-password', name: 'Leo', role: 'manager' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'leo@club.test', name: 'Leo', role: 'manager', active: true });
    expect(JSON.stringify(created.body)).not.toContain('password');
    const dup = await app.http.post('/api/v1/admin/staff').set(auth(admin)).send({ email: 'leo@club.test', password: 'leo-password', name: 'Leo', role: 'manager' });
    expect(dup.status).toBe(409);
    const bad = await app.http.post('/api/v1/admin/staff').set(auth(admin)).send({ email: 'x', password: 'p', role: 'boss', name: 'n'.repeat(201) });
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'name', 'password', 'role']);

    const leo = (await login('leo@club.test', 'leo-password')).body.token;
    expect((await app.http.get('/api/v1/admin/doors').set(auth(leo))).status).toBe(200);
    const disabled = await app.http.patch(`/api/v1/admin/staff/${created.body.id}`).set(auth(admin)).send({ active: false });
    expect(disabled.body.active).toBe(false);
    expect((await app.http.get('/api/v1/admin/doors').set(auth(leo))).status).toBe(401);
    expect((await login('leo@club.test', 'leo-password')).status).toBe(401);
    expect((await app.http.get(`/api/v1/admin/staff/${created.body.id}`).set(auth(admin))).body.email).toBe('leo@club.test');
    expect((await app.http.patch(`/api/v1/admin/staff/${created.body.id}`).set(auth(admin)).send({ role: 'x', password: 1 })).body.errors).toHaveLength(2);
    expect((await app.http.patch('/api/v1/admin/staff/999999').set(auth(admin)).send({ name: 'x' })).status).toBe(404);
    const list = await app.http.get('/api/v1/admin/staff').set(auth(admin));
    expect(list.body.items.map((s: { email: string }) => s.email)).toContain('leo@club.test');
  });

  it('keeps at least one active admin', async () => {
    const solo = await startTestApp();
    try {
      const creds = (await ensureFirstAdmin(solo.ctx))!;
      const { token, staff } = (await solo.http.post('/api/v1/staff/login').send(creds)).body;
      const res = await solo.http.patch(`/api/v1/admin/staff/${staff.id}`).set(auth(token)).send({ role: 'manager' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('lastAdmin');
    } finally {
      await solo.close();
    }
  });
});
