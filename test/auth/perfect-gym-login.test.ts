import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncFixture, type SyncFixture } from '../integrations/support.js';

describe('member sign-in with Perfect Gym credentials', () => {
  let f: SyncFixture;
  const login = (body: object, ip = '10.0.0.1') => f.app.http.post('/api/v1/auth/login').set('x-forwarded-for', ip).send(body);
  /** A client with a local password only (no Perfect Gym member behind it). */
  const localMember = async (email: string) => {
    await f.app.http.post('/api/v1/admin/clients').set(f.auth).send({ firstName: 'Local', lastName: 'Only', email, password: 'local-password' }).expect(201);
    return { login: email, password: 'local-password' };
  };

  beforeAll(async () => {
    f = await startSyncFixture({ members: 60, worker: false });
  });
  afterAll(() => f.close());

  it('falls back to Perfect Gym when the local password misses, creating the client just in time', async () => {
    const demo = f.sb.demoLogins[0]!;
    // a family member with the same e-mail has a local password; the Perfect Gym member has none here
    await f.app.http.post('/api/v1/admin/clients').set(f.auth).send({ firstName: 'Family', lastName: 'Member', email: demo.login, password: 'local-password' });
    const local = await login({ login: demo.login, password: 'local-password' });
    expect(local.body.client.firstName).toBe('Family');

    const res = await login({ login: demo.login, password: demo.password });
    expect(res.status).toBe(200);
    const member = f.sb.get('Members', demo.memberId)!;
    expect(res.body.client).toMatchObject({ firstName: member.firstName, memberNumber: member.number, status: 'active' });
    const identities = await f.app.ctx.db('client_identities').where({ client_id: res.body.client.id, identity_type_id: f.identityTypeId });
    expect(identities.map((i: { value: string }) => i.value)).toEqual([String(demo.memberId)]);
    const packages = await f.app.ctx.db('client_packages').where({ client_id: res.body.client.id });
    expect(packages.length).toBe(f.sb.list('Contracts').filter((c) => c.memberId === demo.memberId).length + f.sb.list('MemberProducts').filter((p) => p.memberId === demo.memberId).length);
    // by member number too, and the second time the client exists already
    expect((await login({ login: member.number as string, password: demo.password })).body.client.id).toBe(res.body.client.id);
    // the Perfect Gym password is stored nowhere
    const row = await f.app.ctx.db('clients').where({ id: res.body.client.id }).first();
    expect(row.password_hash).toBeNull();
  });

  it('signs in a member who signed up minutes ago', async () => {
    const fresh = f.sb.create('Members', { firstName: 'Just', lastName: 'Joined', email: 'just.joined@mail.example', homeClubId: f.locations[0]!.clubId, isActive: true, memberType: 'Member' });
    f.sb.setPassword(fresh.id, 'brand-new');
    const res = await login({ login: 'just.joined@mail.example', password: 'brand-new' });
    expect(res.status).toBe(200);
    expect(res.body.client).toMatchObject({ firstName: 'Just', homeLocationId: f.locations[0]!.id });
  });

  it('answers NoAccount, NoPassword and a wrong password with the same 401', async () => {
    const noPassword = f.sb.create('Members', { firstName: 'No', lastName: 'Pass', email: 'no.pass@mail.example', isActive: true, memberType: 'Member' });
    const answers = [
      await login({ login: 'nobody@mail.example', password: 'x' }, '10.0.0.2'),
      await login({ login: noPassword.email as string, password: 'x' }, '10.0.0.2'),
      await login({ login: f.sb.demoLogins[1]!.login, password: 'wrong' }, '10.0.0.2'),
    ];
    for (const a of answers) expect(a.status).toBe(401);
    expect(answers[1]!.body).toEqual(answers[0]!.body);
    expect(answers[2]!.body).toEqual(answers[0]!.body);
  });

  it('refuses deactivated clients', async () => {
    const demo = f.sb.demoLogins[2]!;
    const ok = await login({ login: demo.login, password: demo.password }, '10.0.0.3');
    expect(ok.status).toBe(200);
    await f.app.http.patch(`/api/v1/admin/clients/${ok.body.client.id}`).set(f.auth).send({ status: 'inactive' });
    expect((await login({ login: demo.login, password: demo.password }, '10.0.0.3')).status).toBe(401);
  });

  it('throttles repeated failures per login, and a success resets the count', async () => {
    const demo = f.sb.demoLogins[3]!;
    for (let i = 0; i < 4; i++) expect((await login({ login: demo.login, password: 'guess' }, `10.1.0.${i}`)).status).toBe(401);
    expect((await login({ login: demo.login, password: demo.password }, '10.1.0.9')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login({ login: demo.login, password: 'guess' }, `10.2.0.${i}`)).status).toBe(401);
    const blocked = await login({ login: demo.login, password: demo.password }, '10.2.0.9');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // per address too: 20 failures from one IP over many logins
    for (let i = 0; i < 20; i++) await login({ login: `spray${i}@mail.example`, password: 'x' }, '10.3.0.1');
    expect((await login({ login: f.sb.demoLogins[4]!.login, password: f.sb.demoLogins[4]!.password }, '10.3.0.1')).status).toBe(429);
  });

  it('says the membership system is unreachable (503) when it cannot check and nothing local matched', async () => {
    const local = await localMember('while-down@club.example');
    const moveTo = (baseUrl: string) => f.app.http.patch(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth).send({ config: { baseUrl } }).expect(200);
    await moveTo('http://127.0.0.1:9');
    try {
      const res = await login({ login: 'someone@mail.example', password: 'x' }, '10.4.0.1');
      expect(res.status).toBe(503);
      expect(res.body.detail).toMatch(/Perfect Gym/);
      // a local password still works while Perfect Gym is down
      expect((await login(local, '10.4.0.1')).status).toBe(200);
    } finally {
      await moveTo(f.sb.url);
    }
  });

  it('keeps local sign-in working and says how to recover when SECRETS_KEY no longer opens the secrets', async () => {
    const local = await localMember('other-key@club.example');
    const config = f.app.ctx.config as { SECRETS_KEY?: string };
    const savedWith = config.SECRETS_KEY;
    config.SECRETS_KEY = Buffer.alloc(32, 7).toString('base64'); // an operator started clubcore with another key
    try {
      expect((await login(local, '10.5.0.1')).status).toBe(200);
      const pg = await login({ login: f.sb.demoLogins[1]!.login, password: f.sb.demoLogins[1]!.password }, '10.5.0.1');
      expect(pg.status).toBe(503);
      expect(pg.body.detail).toMatch(/not possible right now.*tell the club staff/);
      // staff testing the connection get the operator's fix
      const tested = await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/test`).set(f.auth);
      expect(tested.status).toBe(503);
      expect(tested.body.detail).toMatch(/cannot be decrypted with the SECRETS_KEY.*PATCH/);
      const shown = await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth);
      expect(shown.body.secrets).toBe('unreadable');
      // entering the secret again under the new key recovers
      const fixed = await f.app.http.patch(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth).send({ secrets: { clientSecret: f.sb.clientSecret } });
      expect(fixed.status).toBe(200);
      expect(fixed.body.secrets).toEqual({ clientSecret: 'set' });
      expect(fixed.body.webhookUrl).toMatch(/token=/);
      expect((await login({ login: f.sb.demoLogins[1]!.login, password: f.sb.demoLogins[1]!.password }, '10.5.0.1')).status).toBe(200);
    } finally {
      config.SECRETS_KEY = savedWith;
    }
  });
});
