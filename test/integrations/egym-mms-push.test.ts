import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { integrationOutbox } from '../../src/integrations/outbox.js';
import { startOutboxDrainers } from '../../src/outbox/drainers.js';
import { startEgymMmsSandbox, type EgymMmsSandbox } from '../../src/sandbox/egym-mms/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { mmsContractChecker } from './egym-mms-contract.js';

describe('EGYM MMS push: members and visits sent to EGYM', () => {
  let sb: EgymMmsSandbox;
  let app: TestApp;
  let auth: { authorization: string };
  let integrationId: number;
  let accountTypeId: number;
  let home: number;
  let elsewhere: number;
  let entrance: number;
  let exit: number;
  let drainers: ReturnType<typeof startOutboxDrainers>;
  let seq = 0;
  const { check, violations } = mmsContractChecker();

  /** Two passes: the first may have started before the change committed. */
  const drain = async () => {
    await drainers.drainNow();
    await drainers.drainNow();
  };
  const sent = (method: string, pathPart: string) => sb.requests().filter((r) => r.method === method && r.path.includes(pathPart));

  async function newClient(fields: Record<string, unknown> = {}) {
    const n = ++seq;
    const res = await app.http.post('/api/v1/admin/clients').set(auth)
      .send({ firstName: 'Ada', lastName: `Push${n}`, email: `ada.push${n}@mail.example`, gender: 'female', birthDate: '1990-04-01', homeLocationId: home, ...fields });
    expect(res.status).toBe(201);
    return res.body as { id: number; email: string | null; lastName: string };
  }
  const patchClient = (id: number, body: Record<string, unknown>) => app.http.patch(`/api/v1/admin/clients/${id}`).set(auth).send(body).expect(200);
  const accountIdOf = async (clientId: number) =>
    (await app.ctx.db('client_identities').where({ client_id: clientId, identity_type_id: accountTypeId }).first())?.value as string | undefined;
  const issues = async () => (await app.http.get(`/api/v1/admin/integrations/${integrationId}/issues`).set(auth).expect(200)).body.items as { key: string; detail: string }[];

  beforeAll(async () => {
    sb = await startEgymMmsSandbox({ onExchange: check });
    app = await startTestApp();
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    const post = async (path: string, body: object) => (await app.http.post(path).set(auth).send(body).expect(201)).body;
    accountTypeId = (await post('/api/v1/admin/identity-types', { name: 'EGYM account', kind: 'egym_account', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    home = (await post('/api/v1/admin/locations', { name: 'Gym one', timezone: 'Europe/Berlin' })).id;
    elsewhere = (await post('/api/v1/admin/locations', { name: 'Not at EGYM', timezone: 'Europe/Berlin' })).id;
    entrance = (await post('/api/v1/admin/doors', { title: 'Main', doorCode: 'egym-in', locationId: home, type: 'entrance' })).id;
    exit = (await post('/api/v1/admin/doors', { title: 'Out', doorCode: 'egym-out', locationId: home, type: 'exit' })).id;
    integrationId = (await post('/api/v1/admin/integrations', {
      type: 'egym_mms', name: 'EGYM', active: true,
      config: { baseUrl: sb.url, mode: 'push', accountIdentityTypeId: accountTypeId, membershipId: { source: 'clientId' }, membershipTypes: { gold: 'PREMIUM' } },
      secrets: {},
    })).id;
    await app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${home}`).set(auth).send({ externalId: 'gym-1', secrets: { apiKey: 'mms-gym-1-key' } }).expect(200);
    drainers = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    await drain(); // registers the location's consumer: it takes the changes from here on
  });
  afterAll(async () => {
    await drainers.stop();
    await app.close();
    await sb.close();
  });
  beforeEach(() => {
    sb.clearFaults();
    violations.length = 0;
  });

  it('creates the account with the spec fields, then sends only what changed, and a PUT when a field is cleared', async () => {
    const client = await newClient({ phone: '+49 30 1234' });
    await drain();
    const accountId = await accountIdOf(client.id);
    expect(accountId).toBeDefined();
    expect(sb.account(accountId!)).toMatchObject({
      email: client.email, firstName: 'Ada', gender: 'FEMALE', dateOfBirth: '1990-04-01', contact: { phone: '+49 30 1234' },
      membership: { membershipId: String(client.id), membershipType: 'BASIC' },
    });
    // looked up by membershipId and e-mail before the one POST (EGYM has no idempotency key)
    expect(sent('POST', '/api/v2/accounts').filter((r) => r.path === '/api/v2/accounts')).toHaveLength(1);

    sb.clearRequests();
    await patchClient(client.id, { lastName: 'Lovelace' });
    await drain();
    const patches = sent('PATCH', accountId!);
    expect(patches.map((r) => r.body)).toEqual([{ lastName: 'Lovelace' }]);

    sb.clearRequests();
    await patchClient(client.id, { phone: null });
    await drain();
    expect(sent('PUT', accountId!)).toHaveLength(1);
    expect(sb.account(accountId!)!.contact?.phone).toBeUndefined();

    sb.clearRequests();
    await patchClient(client.id, { lastName: 'Lovelace' }); // no change: nothing sent
    await drain();
    expect(sb.requests()).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('maps package alt ids to membershipType and contract dates', async () => {
    const client = await newClient();
    const goldId = (await app.http.post('/api/v1/admin/packages').set(auth).send({ name: 'Gold', altId: 'gold', activityIds: [] }).expect(201)).body.id;
    await app.http.post(`/api/v1/admin/clients/${client.id}/packages`).set(auth)
      .send({ packageId: goldId, startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-12-31T00:00:00Z' }).expect(201);
    await drain();
    const account = sb.account((await accountIdOf(client.id))!)!;
    expect(account.membership).toMatchObject({ membershipType: 'PREMIUM', startOfContract: '2026-01-01', endOfContract: '2027-12-31' });
    expect(violations).toEqual([]);
  });

  it('ends the membership (keeping the EGYM profile) when the member leaves the location or is deactivated', async () => {
    const moving = await newClient();
    const leaving = await newClient();
    await drain();
    const [movingAccount, leavingAccount] = [(await accountIdOf(moving.id))!, (await accountIdOf(leaving.id))!];
    sb.clearRequests();
    await patchClient(moving.id, { homeLocationId: elsewhere });
    await patchClient(leaving.id, { status: 'inactive' });
    await drain();
    for (const accountId of [movingAccount, leavingAccount]) {
      const deletes = sent('DELETE', accountId);
      expect(deletes).toHaveLength(1);
      expect(deletes[0]!.query).toEqual({ eraseMemberData: 'false' });
      expect(sb.account(accountId)).toMatchObject({ membership: null });
    }
    expect(violations).toEqual([]);
  });

  it('turns a member without e-mail or gender into an issue, and sends them once fixed', async () => {
    const client = await newClient({ email: null, gender: null });
    await drain();
    expect(await accountIdOf(client.id)).toBeUndefined();
    expect((await issues()).find((i) => i.key === `client:${client.id}`)?.detail).toMatch(/no an e-mail, a gender|no an e-mail/);
    await patchClient(client.id, { email: `fixed${client.id}@mail.example`, gender: 'other' });
    await drain();
    expect(sb.account((await accountIdOf(client.id))!)).toMatchObject({ gender: 'NON_BINARY' });
    expect((await issues()).find((i) => i.key === `client:${client.id}`)).toBeUndefined();
  });

  it('links instead of duplicating: a member EGYM already holds (a create whose answer was lost) is found by membershipId', async () => {
    const client = await newClient();
    await drain();
    const accountId = (await accountIdOf(client.id))!;
    // As after a crash between EGYM's 201 and storing the account id
    await app.ctx.db('client_identities').where({ client_id: client.id, identity_type_id: accountTypeId }).delete();
    await app.ctx.db('egym_mms_pushed').where({ client_id: client.id }).delete();
    await patchClient(client.id, { lastName: 'Again' });
    await drain();
    expect(await accountIdOf(client.id)).toBe(accountId);
    expect(sb.accounts().filter((a) => a.membership?.membershipId === String(client.id))).toHaveLength(1);
    expect(sb.account(accountId)!.lastName).toBe('Again');
  });

  it('resolves each conflict: families sharing an e-mail and clashing profiles become issues naming both, never overwritten', async () => {
    // Someone else's membership under the same e-mail (membershipExists)
    const other = sb.createAccount({ email: 'family@mail.example', firstName: 'Bob', lastName: 'Family', gender: 'MALE', membership: { membershipId: 'OTHER-1', membershipType: 'BASIC', startOfContract: '2024-01-01' } });
    const sibling = await newClient({ email: 'family@mail.example', firstName: 'Eve', lastName: 'Family' });
    // An e-mail whose profile lost its membership, with other personal data (forbiddenAccountMerge)
    const erased = sb.createAccount({ email: 'erased@mail.example', firstName: 'Carl', lastName: 'Old', gender: 'MALE', membership: { membershipId: 'OLD-1', membershipType: 'BASIC', startOfContract: '2024-01-01' } });
    sb.deleteAccount(erased.accountId, { eraseMemberData: false });
    const clash = await newClient({ email: 'erased@mail.example', firstName: 'Dana', lastName: 'New' });
    // Two members pushed, then one takes the other's e-mail (userEmailUsedByAnotherAccountConflict)
    const first = await newClient();
    const second = await newClient();
    await drain();
    await patchClient(second.id, { email: first.email });
    await drain();

    const byKey = new Map((await issues()).map((i) => [i.key, i.detail]));
    expect(byKey.get(`client:${sibling.id}`)).toMatch(new RegExp(`membershipExists.*${other.accountId}|${other.accountId}.*membershipExists`));
    expect(byKey.get(`client:${clash.id}`)).toMatch(/forbiddenAccountMerge/);
    expect(byKey.get(`client:${second.id}`)).toMatch(/userEmailUsedByAnotherAccountConflict/);
    expect(sb.account(other.accountId)).toMatchObject({ firstName: 'Bob', membership: { membershipId: 'OTHER-1' } });
    expect(await accountIdOf(sibling.id)).toBeUndefined();

    // Fixed by staff: retried at the next change
    await patchClient(sibling.id, { email: 'eve.family@mail.example' });
    await drain();
    expect(await accountIdOf(sibling.id)).toBeDefined();
    expect((await issues()).some((i) => i.key === `client:${sibling.id}`)).toBe(false);
    expect(violations).toEqual([]);
  });

  it('sends door events as check-ins (exits as check-outs) in epoch ms, once each', async () => {
    const client = await newClient();
    await drain();
    const accountId = (await accountIdOf(client.id))!;
    const at = new Date(Date.now() - 60_000);
    for (const [doorId, minutes] of [[entrance, 0], [exit, 0.5]] as const) {
      await app.http.post('/api/v1/admin/door-access-events').set(auth)
        .send({ doorId, clientId: client.id, occurredAt: new Date(at.getTime() + minutes * 60_000).toISOString() }).expect(201);
    }
    await drain();
    await drain();
    const visits = sb.visits().filter((v) => v.accountId === accountId);
    expect(visits.map((v) => [v.type, v.timestamp])).toEqual([['CHECKIN', at.getTime()], ['CHECKOUT', at.getTime() + 30_000]]);
    expect(sent('POST', `${accountId}/checkins`)[0]!.body).toEqual({ timestamp: at.getTime() });
    expect(violations).toEqual([]);
  });

  it('ends in the exact state through injected 429s and 503s', async () => {
    sb.setFaults({ rate: 0.1, statuses: [429, 503], seed: 7 });
    const clients = [];
    for (let i = 0; i < 12; i++) clients.push(await newClient());
    for (const c of clients.slice(0, 6)) await patchClient(c.id, { lastName: `Changed${c.id}` });
    // The drainer retries a failed event on its next pass (no backoff in this test's drainer).
    for (let pass = 0; pass < 200; pass++) {
      const done = await drainers.drainNow();
      if (!done.handled && !done.failed) break;
    }
    sb.clearFaults();
    for (const [i, c] of clients.entries()) {
      const matching = sb.accounts().filter((a) => a.membership?.membershipId === String(c.id));
      expect(matching).toHaveLength(1);
      expect(matching[0]!.lastName).toBe(i < 6 ? `Changed${c.id}` : c.lastName);
    }
    expect(sb.requests().some((r) => r.status === 429 || r.status === 503)).toBe(true);
  });
});
