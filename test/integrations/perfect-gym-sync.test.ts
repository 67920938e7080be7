import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectedMembers, startSyncFixture, type SyncFixture } from './support.js';

const clientsOf = async (f: SyncFixture, locationId?: number) => {
  const q = f.app.ctx.db('clients').where({ source: 'perfect_gym' });
  if (locationId) q.where({ home_location_id: locationId });
  return q;
};
const clientOfMember = async (f: SyncFixture, memberId: number) =>
  f.app.ctx.db('clients as c').join('client_identities as ci', 'ci.client_id', 'c.id').where({ 'ci.identity_type_id': f.identityTypeId, 'ci.value': String(memberId) }).first('c.*');

describe('Perfect Gym integration: connecting and the initial sync', () => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await startSyncFixture();
  });
  afterAll(() => f.close());

  it('refuses a bad integration config listing every problem, and never echoes secrets', async () => {
    const bad = await f.app.http.post('/api/v1/admin/integrations').set(f.auth).send({
      type: 'perfect_gym', name: 'x', config: { baseUrl: 'not a url', identityTypeId: 999999, syncMembers: { everyMinutes: 0 } }, secrets: {},
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['config.baseUrl', 'config.clientId', 'config.syncMembers.everyMinutes', 'secrets.clientSecret']),
    );
    const shown = await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth);
    expect(shown.body.secrets).toEqual({ clientSecret: 'set' });
    expect(shown.body.webhookUrl).toMatch(new RegExp(`/api/v1/webhooks/perfect-gym/${f.integrationId}\\?token=`));
    const stored = await f.app.ctx.db('integrations').where({ id: f.integrationId }).first();
    expect(stored.secrets_encrypted).not.toContain(f.sb.clientSecret);
    expect(JSON.stringify(shown.body)).not.toContain(f.sb.clientSecret);
  });

  it('tests the connection with a real call and says what is wrong', async () => {
    expect((await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/test`).set(f.auth)).body).toMatchObject({ ok: true });
    // One integration per Perfect Gym (a second one is refused), so the fixture's own is broken and mended here.
    const patch = (body: object) => f.app.http.patch(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth).send(body).expect(200);
    const test = () => f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/test`).set(f.auth);
    try {
      await patch({ secrets: { clientSecret: 'nope' } });
      expect((await test()).body).toEqual({ ok: false, detail: expect.stringMatching(/refused the client id/) });
      expect((await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth)).body.credentialsStatus).toBe('failing');
      await patch({ config: { baseUrl: 'http://127.0.0.1:9' } });
      expect((await test()).body).toEqual({ ok: false, detail: expect.stringMatching(/Cannot reach Perfect Gym at 127.0.0.1:9/) });
    } finally {
      await patch({ config: { baseUrl: f.sb.url }, secrets: { clientSecret: f.sb.clientSecret } });
    }
    expect((await test()).body).toMatchObject({ ok: true });
  });

  it('refuses a second integration for the same Perfect Gym, naming the first (its sync would copy every package)', async () => {
    const res = await f.app.http.post('/api/v1/admin/integrations').set(f.auth).send({
      type: 'perfect_gym', name: 'same chain again', active: false,
      config: { baseUrl: `${f.sb.url}/Api/`, clientId: f.sb.clientId, identityTypeId: f.identityTypeId }, secrets: { clientSecret: f.sb.clientSecret },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'remoteTaken', detail: expect.stringContaining(`Integration ${f.integrationId} (Sandbox chain) already connects to`) });
  });

  it('imports one location, then all, with no duplicates on re-run', async () => {
    const [first, second] = f.locations;
    const res = await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/initial-sync`).set(f.auth).send({ locationId: first!.id });
    expect(res.status).toBe(202);
    expect(res.body.run).toMatchObject({ kind: 'initial', scope: `location:${first!.id}`, trigger: 'manual' });
    const again = await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/initial-sync`).set(f.auth).send({ locationId: first!.id });
    expect(again.status).toBe(409);
    const run = await f.waitForRun(res.body.run.id);
    expect(run.status).toBe('succeeded');
    const expected = expectedMembers(f.sb, [first!.clubId]);
    expect(run.progress).toMatchObject({ clientsCreated: expected.length });
    expect((await clientsOf(f)).length).toBe(expected.length);
    const sample = expected[3]!;
    expect(await clientOfMember(f, sample.id)).toMatchObject({ first_name: sample.firstName, member_number: sample.number, home_location_id: first!.id, status: 'active' });

    await f.run('initial-sync');
    const all = expectedMembers(f.sb, [first!.clubId, second!.clubId]);
    expect((await clientsOf(f)).length).toBe(all.length);
    expect((await clientsOf(f, second!.id)).length).toBe(expectedMembers(f.sb, [second!.clubId]).length);
    const rerun = await f.run('initial-sync');
    expect(rerun.progress.clientsCreated ?? 0).toBe(0);
    expect((await clientsOf(f)).length).toBe(all.length);
    const identities = await f.app.ctx.db('client_identities').where({ identity_type_id: f.identityTypeId }).count({ n: '*' }).first();
    expect(Number(identities!.n)).toBe(all.length);
    const contracts = f.sb.list('Contracts').filter((c) => !c.isDeleted && all.some((m) => m.id === c.memberId));
    const stored = await f.app.ctx.db('client_packages').where('source_ref', 'like', '%:contract:%');
    expect(stored.length).toBe(contracts.length);
  });
});

describe('Perfect Gym integration after the initial sync: identities, issues, the delta feed, faults, webhooks', () => {
  let f: SyncFixture;
  // Shared and only read by the tests: the chain's members of the two mapped clubs with their contracts and products.
  beforeAll(async () => {
    f = await startSyncFixture();
    await f.run('initial-sync');
  });
  afterAll(() => f.close());

  it('audits the member identities it writes, and takes over the client staff linked to a member by hand', async () => {
    const [first] = f.locations;
    const join = (firstName: string) => f.sb.create('Members', { firstName, lastName: 'Audit', homeClubId: first!.clubId, isActive: true, memberType: 'Member' });
    const [linkedByHand, newcomer] = [join('Linked'), join('Newcomer')];
    const byHand = (await f.app.http.post('/api/v1/admin/clients').set(f.auth).send({ firstName: 'Linked', lastName: 'By hand' })).body;
    await f.app.http.post(`/api/v1/admin/clients/${byHand.id}/identities`).set(f.auth).send({ identityTypeId: f.identityTypeId, value: String(linkedByHand.id) }).expect(201);

    await f.run('sync', { job: 'clients' });
    const changesOf = async (clientId: number) => (await f.app.http.get(`/api/v1/admin/clients/${clientId}`).set(f.auth)).body.identityChanges;
    const actor = `integration:${f.integrationId}`;
    expect((await clientOfMember(f, linkedByHand.id)).id).toBe(byHand.id);
    expect(await changesOf(byHand.id)).toEqual([
      expect.objectContaining({ identityTypeId: f.identityTypeId, oldValue: String(linkedByHand.id), newValue: String(linkedByHand.id), actor }),
      expect.objectContaining({ oldValue: null, newValue: String(linkedByHand.id), actor: expect.stringMatching(/^staff:/) }),
    ]);
    expect(await changesOf((await clientOfMember(f, newcomer.id)).id)).toEqual([
      expect.objectContaining({ identityTypeId: f.identityTypeId, oldValue: null, newValue: String(newcomer.id), actor }),
    ]);
  });

  it('reports missing packages and applies them once the package exists', async () => {
    const issues = (await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}/issues`).set(f.auth)).body.items;
    const plan1 = issues.find((i: { altId?: string }) => i.altId === 'payment_plan_1');
    expect(plan1).toMatchObject({ kind: 'missingPackage', count: expect.any(Number) });
    const catalog = (await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}/catalog`).set(f.auth)).body;
    expect(catalog.paymentPlans.find((p: { altId: string }) => p.altId === 'payment_plan_1')).toMatchObject({ package: null, pendingAssignments: plan1.count });
    expect(catalog.products.map((p: { altId: string }) => p.altId)).toContain('product_1');

    const activity = (await f.app.http.post('/api/v1/admin/activities').set(f.auth).send({ name: 'Gym floor' })).body;
    const pkg = await f.app.http.post('/api/v1/admin/packages').set(f.auth).send({ name: 'Basic', altId: 'payment_plan_1', activityIds: [activity.id] });
    expect(pkg.body.pendingAssignmentsAttached).toBe(plan1.count);
    const after = (await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}/issues`).set(f.auth)).body.items;
    expect(after.find((i: { altId?: string }) => i.altId === 'payment_plan_1')).toBeUndefined();
    const catalogAfter = (await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}/catalog`).set(f.auth)).body;
    expect(catalogAfter.paymentPlans.find((p: { altId: string }) => p.altId === 'payment_plan_1').package).toMatchObject({ id: pkg.body.id });
  });

  it('applies member, contract and product changes and deletions from the delta feed', async () => {
    const [first] = f.locations;
    // members of its own, a payment plan of its own with its package, synced once before they change
    const plan = f.sb.create('PaymentPlans', { name: 'Delta plan', isActive: true, isAdditional: false });
    const activity = (await f.app.http.post('/api/v1/admin/activities').set(f.auth).send({ name: 'Delta classes' })).body;
    await f.app.http.post('/api/v1/admin/packages').set(f.auth).send({ name: 'Delta', altId: `payment_plan_${plan.id}`, activityIds: [activity.id] }).expect(201);
    const join = (firstName: string, lastName: string) =>
      f.sb.create('Members', { firstName, lastName, email: `${firstName.toLowerCase()}@mail.example`, homeClubId: first!.clubId, isActive: true, memberType: 'Member' });
    const contractOf = (memberId: number) =>
      f.sb.create('Contracts', { memberId, paymentPlanId: plan.id, clubId: first!.clubId, startDate: '2026-01-01T00:00:00', status: 'Current', isActive: true, isAdditionalContract: false });
    const [renamed, leaving, deleted] = [join('Rena', 'Before'), join('Lee', 'Leaving'), join('Dee', 'Deleted')];
    const frozen = contractOf(renamed.id);
    const product = f.sb.create('MemberProducts', {
      memberId: renamed.id, productId: f.sb.list('Products')[0]!.id, clubId: first!.clubId, initialQuantity: 5, currentQuantity: 5,
      purchaseDate: '2026-01-01T00:00:00', expiryDate: '2099-01-01T00:00:00',
    });
    await f.run('sync', { job: 'clients' });
    expect((await f.app.ctx.db('client_packages').where({ source_ref: `${f.integrationId}:member_product:${product.id}` }).first()).status).toBe('active');

    f.sb.update('Members', renamed.id, { lastName: 'Renamed' });
    f.sb.update('Members', leaving.id, { isActive: false });
    f.sb.remove('Members', deleted.id);
    const newcomer = join('Nina', 'Newcomer');
    const contract = contractOf(newcomer.id);
    f.sb.update('Contracts', frozen.id, { status: 'Freezed' });
    f.sb.remove('MemberProducts', product.id);
    const stranger = f.sb.create('Members', { firstName: 'Other', lastName: 'Club', homeClubId: f.sb.list('Clubs')[2]!.id, isActive: true, memberType: 'Member' });

    const run = await f.run('sync', { job: 'clients' });
    expect(run.kind).toBe('clients');
    expect(await clientOfMember(f, renamed.id)).toMatchObject({ last_name: 'Renamed', status: 'active' });
    expect(await clientOfMember(f, leaving.id)).toMatchObject({ status: 'inactive' });
    expect(await clientOfMember(f, deleted.id)).toMatchObject({ status: 'inactive' });
    const nina = await clientOfMember(f, newcomer.id);
    expect(nina).toMatchObject({ first_name: 'Nina', home_location_id: first!.id });
    expect(await clientOfMember(f, stranger.id)).toBeUndefined();
    const ninaPackages = await f.app.ctx.db('client_packages').where({ client_id: nina.id });
    expect(ninaPackages).toEqual([expect.objectContaining({ alt_id: `payment_plan_${plan.id}`, source_ref: `${f.integrationId}:contract:${contract.id}`, status: 'active' })]);
    expect(ninaPackages[0].package_id).not.toBeNull();
    expect((await f.app.ctx.db('client_packages').where({ source_ref: `${f.integrationId}:contract:${frozen.id}` }).first()).status).toBe('suspended');
    expect((await f.app.ctx.db('client_packages').where({ source_ref: `${f.integrationId}:member_product:${product.id}` }).first()).status).toBe('ended');

    // an older version re-read (the overlap) never overwrites a newer one
    await f.app.ctx.db('clients').where({ id: nina.id }).update({ source_version: 10 ** 12, last_name: 'Kept' });
    await f.run('sync', { job: 'clients' });
    expect((await clientOfMember(f, newcomer.id)).last_name).toBe('Kept');
  });

  it('rides out 429 with Retry-After, 503 bursts and dropped connections to the exact end state', async () => {
    const [first] = f.locations;
    const changed = expectedMembers(f.sb, [first!.clubId]).slice(10, 20);
    for (const m of changed) f.sb.update('Members', m.id, { firstName: `Faulty${m.id}` });
    f.sb.injectFaults({ match: '/odata/', sequence: [{ status: 429, retryAfterSeconds: 1 }, { status: 503 }, { status: 503 }, { drop: true }, { status: 502 }] });
    const t = Date.now();
    await f.run('sync', { job: 'clients' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(1000);
    for (const m of changed) expect((await clientOfMember(f, m.id)).first_name).toBe(`Faulty${m.id}`);
    f.sb.clearFaults();
  });

  it('answers webhooks at once: wrong token 401, a burst -> one queued run', async () => {
    const base = `/api/v1/webhooks/perfect-gym/${f.integrationId}`;
    expect((await f.app.http.post(`${base}?token=wrong`).send({ event: 'UserModified' })).status).toBe(401);
    const token = new URL((await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth)).body.webhookUrl, 'http://x').searchParams.get('token');
    const before = await f.app.ctx.db('sync_runs').where({ trigger: 'webhook' }).count({ n: '*' }).first();
    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) => f.app.http.post(`${base}?token=${token}`).send({ event: 'UserModified', triggeredDate: '2026-11-24T10:00:00', data: { userId: i, contractId: null } })),
    );
    expect(burst.every((r) => r.status === 200)).toBe(true);
    const after = await f.app.ctx.db('sync_runs').where({ trigger: 'webhook' }).count({ n: '*' }).first();
    expect(Number(after!.n) - Number(before!.n)).toBeLessThanOrEqual(2);
  });
});
