import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readDate } from '../../src/db/knex.js';
import { addIdentity } from '../../src/identities/service.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('identity types and the identity rules', () => {
  let app: TestApp;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  let clientCount = 0;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.staffToken('admin');
  });
  afterAll(() => app.close());

  const newType = async (body: Record<string, unknown>) => {
    const res = await app.http.post('/api/v1/admin/identity-types').set(auth(admin)).send({ kind: 'card', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: number; name: string };
  };
  const newClient = async () => {
    const res = await app.http.post('/api/v1/admin/clients').set(auth(admin)).send({ firstName: 'Client', lastName: `No${++clientCount}` });
    expect(res.status).toBe(201);
    return res.body as { id: number; firstName: string; lastName: string };
  };
  const add = (clientId: number, identityTypeId: number, value: string) =>
    app.http.post(`/api/v1/admin/clients/${clientId}/identities`).set(auth(admin)).send({ identityTypeId, value });

  it('creates identity types with defaults, updates, lists and deletes them', async () => {
    const created = await app.http.post('/api/v1/admin/identity-types').set(auth(admin)).send({ name: 'Perfect Gym member', kind: 'perfect_gym_member' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Perfect Gym member', kind: 'perfect_gym_member', maxPerClient: 1, minDaysBetweenChanges: 0, active: true });
    const id = created.body.id;
    const patched = await app.http.patch(`/api/v1/admin/identity-types/${id}`).set(auth(admin)).send({ maxPerClient: 2, active: false });
    expect(patched.body).toMatchObject({ id, maxPerClient: 2, minDaysBetweenChanges: 0, active: false, kind: 'perfect_gym_member' });
    expect((await app.http.get(`/api/v1/admin/identity-types/${id}`).set(auth(admin))).body.maxPerClient).toBe(2);
    const list = await app.http.get('/api/v1/admin/identity-types').set(auth(admin));
    expect(list.body.items.map((t: { id: number }) => t.id)).toContain(id);
    expect((await app.http.delete(`/api/v1/admin/identity-types/${id}`).set(auth(admin))).status).toBe(204);
    expect((await app.http.get(`/api/v1/admin/identity-types/${id}`).set(auth(admin))).status).toBe(404);
  });

  it('refuses a duplicate type name and deleting a type in use', async () => {
    const type = await newType({ name: 'Key fob' });
    const dup = await app.http.post('/api/v1/admin/identity-types').set(auth(admin)).send({ name: 'Key fob', kind: 'card' });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toContain(`(id ${type.id})`);
    const client = await newClient();
    expect((await add(client.id, type.id, 'FOB-1')).status).toBe(201);
    const del = await app.http.delete(`/api/v1/admin/identity-types/${type.id}`).set(auth(admin));
    expect(del.status).toBe(409);
    expect(del.body.detail).toContain('1 client identities');
  });

  it('refuses bad identity type input listing every field', async () => {
    const res = await app.http
      .post('/api/v1/admin/identity-types')
      .set(auth(admin))
      .send({ name: 'n'.repeat(101), kind: 'passport', maxPerClient: 0, minDaysBetweenChanges: 1.5, active: 'no' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['active', 'kind', 'maxPerClient', 'minDaysBetweenChanges', 'name']);
    const type = await newType({ name: 'Patch me' });
    const patch = await app.http.patch(`/api/v1/admin/identity-types/${type.id}`).set(auth(admin)).send({ maxPerClient: 'x', unknown: 1 });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toHaveLength(2);
    expect((await app.http.patch('/api/v1/admin/identity-types/999999').set(auth(admin)).send({ name: 'x' })).status).toBe(404);
    expect((await app.http.delete('/api/v1/admin/identity-types/999999').set(auth(admin))).status).toBe(404);
  });

  it('keeps a value unique within its type, naming the client that has it', async () => {
    const type = await newType({ name: 'Member card' });
    const otherType = await newType({ name: 'Other card' });
    const [a, b] = [await newClient(), await newClient()];
    const first = await add(a.id, type.id, 'CARD-7');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ identityTypeId: type.id, typeName: 'Member card', value: 'CARD-7' });
    const clash = await add(b.id, type.id, 'CARD-7');
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toBe(`The Member card value "CARD-7" is already used by client ${a.id} (${a.firstName} ${a.lastName})`);
    // The same value in another type is fine; adding what the client already has changes nothing.
    expect((await add(b.id, otherType.id, 'CARD-7')).status).toBe(201);
    const again = await add(a.id, type.id, 'CARD-7');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('allows at most maxPerClient values per client', async () => {
    const type = await newType({ name: 'Two cards', maxPerClient: 2 });
    const client = await newClient();
    expect((await add(client.id, type.id, 'T-1')).status).toBe(201);
    expect((await add(client.id, type.id, 'T-2')).status).toBe(201);
    const third = await add(client.id, type.id, 'T-3');
    expect(third.status).toBe(422);
    expect(third.body.code).toBe('identityLimitReached');
    expect(third.body.detail).toContain('at most 2');
  });

  it('refuses a new value before minDaysBetweenChanges have passed, saying when it is allowed', async () => {
    const type = await newType({ name: 'Slow card', minDaysBetweenChanges: 30 });
    const client = await newClient();
    const first = await add(client.id, type.id, 'S-1');
    expect(first.status).toBe(201);
    expect((await app.http.delete(`/api/v1/admin/clients/${client.id}/identities/${first.body.id}`).set(auth(admin))).status).toBe(204);
    const tooSoon = await add(client.id, type.id, 'S-2');
    expect(tooSoon.status).toBe(422);
    expect(tooSoon.body.code).toBe('identityChangeTooSoon');
    const lastChange = await app.ctx.db('identity_changes').where({ client_id: client.id }).orderBy('id', 'desc').first();
    const changedAt = readDate(lastChange.changed_at);
    const allowedFrom = new Date(changedAt.getTime() + 30 * 86400_000);
    expect(tooSoon.body.detail).toContain(`may change again from ${allowedFrom.toISOString()}`);

    // Move the clock: 29 days later still refused, 30 days later allowed.
    const realNow = app.ctx.now;
    try {
      app.ctx.now = () => new Date(changedAt.getTime() + 29 * 86400_000);
      await expect(addIdentity(app.ctx, client.id, { identityTypeId: type.id, value: 'S-2' }, 'system')).rejects.toMatchObject({
        extra: { code: 'identityChangeTooSoon' },
      });
    } finally {
      app.ctx.now = realNow;
    }
    await app.ctx.db('identity_changes').where({ client_id: client.id }).update({ changed_at: new Date(Date.now() - 30 * 86400_000 - 1000) });
    expect((await add(client.id, type.id, 'S-2')).status).toBe(201);
  });

  it('refuses new values for an inactive type', async () => {
    const type = await newType({ name: 'Retired card', active: false });
    const client = await newClient();
    const res = await add(client.id, type.id, 'R-1');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('identityTypeInactive');
  });

  it('audits staff edits with the actor and shows them on the client', async () => {
    const type = await newType({ name: 'Audited card', maxPerClient: 3 });
    const client = await newClient();
    const added = await add(client.id, type.id, 'AUD-1');
    await app.http.delete(`/api/v1/admin/clients/${client.id}/identities/${added.body.id}`).set(auth(admin));
    const staffId = (await app.ctx.db('auth_sessions').where({ subject_type: 'staff' }).first('subject_id')).subject_id;
    const detail = await app.http.get(`/api/v1/admin/clients/${client.id}`).set(auth(admin));
    expect(detail.body.identities).toEqual([]);
    expect(detail.body.identityChanges).toEqual([
      expect.objectContaining({ identityTypeId: type.id, oldValue: 'AUD-1', newValue: null, actor: `staff:${staffId}` }),
      expect.objectContaining({ identityTypeId: type.id, oldValue: null, newValue: 'AUD-1', actor: `staff:${staffId}` }),
    ]);
  });

  it('refuses bad identity input and unknown ids', async () => {
    const type = await newType({ name: 'Checked card' });
    const client = await newClient();
    const bad = await app.http.post(`/api/v1/admin/clients/${client.id}/identities`).set(auth(admin)).send({ identityTypeId: 'x', value: 'v'.repeat(192), more: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['identityTypeId', 'value']));
    expect((await app.http.post(`/api/v1/admin/clients/${client.id}/identities`).set(auth(admin)).send({})).body.errors).toHaveLength(2);
    const unknownType = await add(client.id, 999999, 'V');
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.errors).toEqual([{ path: 'identityTypeId', message: 'unknown identity type 999999' }]);
    expect((await add(999999, type.id, 'V')).status).toBe(404);
    expect((await app.http.delete(`/api/v1/admin/clients/${client.id}/identities/999999`).set(auth(admin))).status).toBe(404);
    // Another client's identity is not this client's.
    const other = await newClient();
    const theirs = await add(other.id, type.id, 'THEIRS');
    expect((await app.http.delete(`/api/v1/admin/clients/${client.id}/identities/${theirs.body.id}`).set(auth(admin))).status).toBe(404);
  });

  it('lets concurrent adds of one value give it to exactly one client', async () => {
    const type = await newType({ name: 'Race card' });
    const clients = [await newClient(), await newClient(), await newClient(), await newClient()];
    const results = await Promise.all(clients.map((c) => add(c.id, type.id, 'RACE')));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await app.ctx.db('client_identities').where({ identity_type_id: type.id })).toHaveLength(1);
  });

  it('never exceeds maxPerClient under concurrent adds to one client', async () => {
    const type = await newType({ name: 'One only' });
    const client = await newClient();
    const results = await Promise.all(['O-1', 'O-2', 'O-3', 'O-4'].map((v) => add(client.id, type.id, v)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422]);
    expect(await app.ctx.db('client_identities').where({ client_id: client.id })).toHaveLength(1);
  });

  it('guards identity type routes by role', async () => {
    const manager = await app.staffToken('manager');
    expect((await app.http.get('/api/v1/admin/identity-types').set(auth(manager))).status).toBe(200);
    const client = await newClient();
    const member = await app.clientToken(client.id);
    expect((await app.http.post('/api/v1/admin/identity-types').set(auth(member)).send({})).status).toBe(403);
    expect((await app.http.post('/api/v1/admin/identity-types').send({})).status).toBe(401);
    expect((await app.http.post(`/api/v1/admin/clients/${client.id}/identities`).set(auth(member)).send({})).status).toBe(403);
  });
});
