import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';

describe('member sign-in with a local password', () => {
  let app: TestApp;
  let admin: string;
  const login = (body: object) => app.http.post('/api/v1/auth/login').send(body);

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.staffToken();
    const mk = (body: object) => app.http.post('/api/v1/admin/clients').set({ authorization: `Bearer ${admin}` }).send(body);
    await mk({ firstName: 'Ana', lastName: 'Local', email: 'ana@example.com', memberNumber: 'M-100', password: 'correct horse' });
    // same family e-mail, another password
    await mk({ firstName: 'Ben', lastName: 'Local', email: 'ANA@example.com', password: 'battery staple' });
    await mk({ firstName: 'Cy', lastName: 'Gone', email: 'cy@example.com', password: 'secret-pass', status: 'inactive' });
  });
  afterAll(() => app.close());

  it('signs in by e-mail (any case) or member number, and the token opens /me', async () => {
    const byEmail = await login({ login: 'ANA@example.com', password: 'correct horse' });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body).toMatchObject({ token: expect.any(String), expiresAt: expect.any(String), client: { firstName: 'Ana' } });
    expect(byEmail.body.client.passwordHash).toBeUndefined();
    const shared = await login({ login: 'ana@example.com', password: 'battery staple' });
    expect(shared.body.client.firstName).toBe('Ben');
    const byNumber = await login({ login: 'M-100', password: 'correct horse' });
    expect(byNumber.status).toBe(200);
    const me = await app.http.get('/api/v1/me').set({ authorization: `Bearer ${byNumber.body.token}` });
    expect(me.body.client.firstName).toBe('Ana');
  });

  it('answers every miss with the same 401 and refuses inactive clients', async () => {
    const wrong = await login({ login: 'ana@example.com', password: 'nope' });
    const unknown = await login({ login: 'nobody@example.com', password: 'nope' });
    const inactive = await login({ login: 'cy@example.com', password: 'secret-pass' });
    for (const res of [wrong, unknown, inactive]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect(unknown.body).toEqual(wrong.body);
    expect(inactive.body).toEqual(wrong.body);
  });

  it('refuses bad input whole and signs out', async () => {
    const bad = await login({ login: '', password: 5, extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['login', 'password']));
    const ok = await login({ login: 'M-100', password: 'correct horse' });
    const auth = { authorization: `Bearer ${ok.body.token}` };
    expect((await app.http.post('/api/v1/auth/logout').set(auth)).status).toBe(204);
    expect((await app.http.get('/api/v1/me').set(auth)).status).toBe(401);
  });
});
