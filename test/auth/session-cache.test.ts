import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SESSION_CACHE_TTL_MS } from '../../src/auth/sessions.js';
import { createDb } from '../../src/db/knex.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * Member sessions are kept for at most SESSION_CACHE_TTL_MS per instance; staff sessions never.
 * Two instances share one database: `a`, and `b` with its own app and its own connection pool (as
 * a second process has; the cache belongs to the database handle). Their clocks are set by hand
 * where it matters, so nothing here depends on how fast the machine is.
 */
describe('session cache', () => {
  let a: TestApp;
  let b: TestApp;
  let staff: { authorization: string };
  let realNow: () => Date;

  beforeAll(async () => {
    a = await startTestApp();
    const own = createDb(a.database.url);
    b = await startTestApp({}, { database: { ...a.database, db: own, drop: () => own.destroy() } });
    staff = { authorization: `Bearer ${await a.staffToken('admin')}` };
    realNow = a.ctx.now;
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  /** Both instances' clocks stand still at `at` until the next call (or `release`). */
  function freezeClocks(at = Date.now()) {
    a.ctx.now = b.ctx.now = () => new Date(at);
    return { at, release: () => (a.ctx.now = b.ctx.now = realNow) };
  }

  let members = 0;
  async function newMember(): Promise<{ id: number; bearer: { authorization: string } }> {
    const res = await a.http.post('/api/v1/admin/clients').set(staff).send({ firstName: 'Member', lastName: `No${++members}` }).expect(201);
    return { id: res.body.id, bearer: { authorization: `Bearer ${await a.clientToken(res.body.id)}` } };
  }
  const me = (app: TestApp, bearer: { authorization: string }) => app.http.get('/api/v1/me').set(bearer).then((res) => res.status);
  const deactivate = (id: number) => a.http.patch(`/api/v1/admin/clients/${id}`).set(staff).send({ status: 'inactive' }).expect(200);

  it('refuses a member at once on the instance that signs them out or deactivates them, whatever the clock says', async () => {
    const clock = freezeClocks();
    try {
      const leaving = await newMember();
      expect(await me(a, leaving.bearer)).toBe(200);
      await a.http.post('/api/v1/auth/logout').set(leaving.bearer).expect(204);
      expect(await me(a, leaving.bearer)).toBe(401);

      // Deactivated by staff: signed out everywhere, every kept session of theirs dropped.
      const deactivated = await newMember();
      const otherDevice = { authorization: `Bearer ${await a.clientToken(deactivated.id)}` };
      expect([await me(a, deactivated.bearer), await me(a, otherDevice)]).toEqual([200, 200]);
      const bystander = await newMember();
      expect(await me(a, bystander.bearer)).toBe(200);
      await deactivate(deactivated.id);
      expect([await me(a, deactivated.bearer), await me(a, otherDevice)]).toEqual([401, 401]);
      expect(await me(a, bystander.bearer)).toBe(200);
    } finally {
      clock.release();
    }
  });

  it('refuses a member deactivated on another instance once the kept session expires, and not before', async () => {
    const clock = freezeClocks();
    try {
      const member = await newMember();
      expect(await me(b, member.bearer)).toBe(200);
      await deactivate(member.id);
      expect(await me(a, member.bearer)).toBe(401);
      // b has not heard of it: its kept session answers until the TTL is over, never longer.
      b.ctx.now = () => new Date(clock.at + SESSION_CACHE_TTL_MS - 1);
      expect(await me(b, member.bearer)).toBe(200);
      b.ctx.now = () => new Date(clock.at + SESSION_CACHE_TTL_MS);
      expect(await me(b, member.bearer)).toBe(401);
    } finally {
      clock.release();
    }
  });

  it('does so on real clocks within the TTL', async () => {
    const member = await newMember();
    expect(await me(b, member.bearer)).toBe(200);
    await deactivate(member.id);
    const deactivatedAt = Date.now();
    while ((await me(b, member.bearer)) === 200) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - deactivatedAt).toBeLessThanOrEqual(SESSION_CACHE_TTL_MS + 250);
  });

  it('never keeps a staff session: a staff user disabled or signed out anywhere is refused at the next request', async () => {
    const clock = freezeClocks();
    try {
      const token = await a.staffToken('manager');
      const bearer = { authorization: `Bearer ${token}` };
      const staffId = (await a.ctx.db('auth_sessions').where({ subject_type: 'staff' }).orderBy('id', 'desc').first()).subject_id;
      const locations = (app: TestApp, with_: { authorization: string }) => app.http.get('/api/v1/admin/locations').set(with_).then((res) => res.status);
      expect([await locations(a, bearer), await locations(b, bearer)]).toEqual([200, 200]);
      // Changed in the database only, as another instance would: no hook tells these two.
      await a.ctx.db('staff_users').where({ id: staffId }).update({ active: false });
      expect([await locations(a, bearer), await locations(b, bearer)]).toEqual([401, 401]);

      const other = { authorization: `Bearer ${await a.staffToken('manager')}` };
      expect(await locations(b, other)).toBe(200);
      const newest = await a.ctx.db('auth_sessions').where({ subject_type: 'staff' }).orderBy('id', 'desc').first();
      await a.ctx.db('auth_sessions').where({ id: newest.id }).delete();
      expect(await locations(b, other)).toBe(401);

      // A member's session removed the same way is still kept for the rest of its TTL, for contrast.
      const member = await newMember();
      expect(await me(b, member.bearer)).toBe(200);
      await a.ctx.db('auth_sessions').where({ subject_type: 'client', subject_id: member.id }).delete();
      expect(await me(b, member.bearer)).toBe(200);
      b.ctx.now = () => new Date(clock.at + SESSION_CACHE_TTL_MS);
      expect(await me(b, member.bearer)).toBe(401);
    } finally {
      clock.release();
    }
  });

  it('never keeps a session past its own expiry', async () => {
    const member = await newMember();
    const expiresAt = Date.now() + 300;
    await a.ctx.db('auth_sessions').where({ subject_type: 'client', subject_id: member.id }).update({ expires_at: new Date(expiresAt) });
    const clock = freezeClocks(expiresAt - 100);
    try {
      expect(await me(a, member.bearer)).toBe(200);
      a.ctx.now = () => new Date(expiresAt);
      expect(await me(a, member.bearer)).toBe(401);
    } finally {
      clock.release();
    }
  });
});
