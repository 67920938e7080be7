import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectedMembers, startSyncFixture, type SyncFixture } from './support.js';

/** Issue 11, item 3: onboarding location by location, and an initial sync while Perfect Gym changes. */
describe('Perfect Gym onboarding', () => {
  let f: SyncFixture;
  beforeEach(async () => {
    f = await startSyncFixture({ members: 400 });
  });
  afterEach(() => f.close());

  const clientOf = (memberId: number) =>
    f.app.ctx.db('client_identities as ci').join('clients as c', 'c.id', 'ci.client_id').where({ 'ci.identity_type_id': f.identityTypeId, 'ci.value': String(memberId) }).first('c.id', 'c.status', 'c.last_name');

  it('starts the ongoing cursors where the initial walk began: changes behind the walk, past big version gaps, are not missed', async () => {
    const [first] = f.locations;
    const members = expectedMembers(f.sb, [first!.clubId]).sort((a, b) => (a.version as number) - (b.version as number));
    const [deactivated, deleted, renamed] = members.slice(0, 3);
    const late = members[members.length - 1]!;
    f.sb.injectFaults({ match: 'odata/Members', rate: 1, step: { latencyMs: 150 } });
    const started = await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/initial-sync`).set(f.auth).send({ locationId: first!.id });
    expect(started.status).toBe(202);
    // Once the first page (the lowest versions) is committed, change rows behind the walk.
    const progress = async () => (await f.app.http.get(`/api/v1/admin/sync-runs/${started.body.run.id}`).set(f.auth)).body.progress;
    while (!((await progress()).membersSeen > 0)) await new Promise((r) => setTimeout(r, 10));
    f.sb.update('Members', deactivated!.id as number, { isActive: false });
    f.sb.remove('Members', deleted!.id as number);
    f.sb.update('Members', renamed!.id as number, { lastName: 'Renamed' });
    // Writes elsewhere move the global version counter far past the overlap the ongoing sync re-reads.
    const plan = f.sb.list('PaymentPlans')[0]!;
    for (let i = 0; i < 300; i++) f.sb.update('PaymentPlans', plan.id as number, { name: `Plan ${i}` });
    f.sb.update('Members', late.id as number, { lastName: 'Read last' });
    f.sb.clearFaults();
    expect((await f.waitForRun(started.body.run.id)).status).toBe('succeeded');
    expect((await clientOf(late.id as number)).last_name).toBe('Read last');

    await f.run('sync', { job: 'clients' });
    expect(await clientOf(deactivated!.id as number)).toMatchObject({ status: 'inactive' });
    expect(await clientOf(deleted!.id as number)).toMatchObject({ status: 'inactive' });
    expect(await clientOf(renamed!.id as number)).toMatchObject({ status: 'active', last_name: 'Renamed' });
  });

  it('bookmarks the signpost of a quiet walk: the first ongoing run asks once per stream, not everything again', async () => {
    await f.run('initial-sync', {});
    f.sb.resetRequestCount();
    await f.run('sync', { job: 'clients' });
    expect(f.sb.requestCount('odata/')).toBe(3);
  });

  it("keeps a location's initial sync to that location's members and their contracts and products", async () => {
    const [first, second] = f.locations;
    await f.run('initial-sync', { locationId: first!.id });
    const firstClients = await f.app.ctx.db('clients').where({ home_location_id: first!.id }).pluck('id');
    expect(firstClients.length).toBeGreaterThan(0);
    await f.app.ctx.db('client_packages').whereIn('client_id', firstClients).delete();

    await f.run('initial-sync', { locationId: second!.id });
    expect(await f.app.ctx.db('client_packages').whereIn('client_id', firstClients).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    const secondClients = await f.app.ctx.db('clients').where({ home_location_id: second!.id }).pluck('id');
    expect(Number((await f.app.ctx.db('client_packages').whereIn('client_id', secondClients).count({ n: '*' }).first())!.n)).toBeGreaterThan(0);
  });

  it('refuses to link a club Perfect Gym does not have, and shows a linked location without an entrance door at once', async () => {
    const location = (await f.app.http.post('/api/v1/admin/locations').set(f.auth).send({ name: 'Nowhere', timezone: 'Europe/Warsaw' })).body;
    const unknown = await f.app.http.patch(`/api/v1/admin/locations/${location.id}`).set(f.auth).send({ perfectGymClubId: 99 });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'unknownClub', detail: expect.stringMatching(/Perfect Gym has no club 99; its clubs are 1 \(/) });
    expect((await f.app.http.get(`/api/v1/admin/locations/${location.id}`).set(f.auth)).body.perfectGymClubId).toBeNull();

    const issues = async () => (await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}/issues`).set(f.auth)).body.items;
    const [first] = f.locations;
    expect(await issues()).toContainEqual(expect.objectContaining({ kind: 'noDoor', key: `location:${first!.id}` }));
    await f.app.http.post('/api/v1/admin/doors').set(f.auth).send({ title: 'Entrance', doorCode: 'ONB-1', locationId: first!.id, type: 'entrance' }).expect(201);
    expect(await issues()).not.toContainEqual(expect.objectContaining({ kind: 'noDoor', key: `location:${first!.id}` }));
  });

  it("takes the guide's \"Third-party ID\" identity type, and refuses one that is inactive or holds several values per client", async () => {
    const type = (body: object) => f.app.http.post('/api/v1/admin/identity-types').set(f.auth).send({ minDaysBetweenChanges: 0, ...body });
    const use = (identityTypeId: number) => f.app.http.patch(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth).send({ config: { identityTypeId } });
    const thirdParty = (await type({ name: 'Perfect Gym Customer Number', kind: 'third_party_id', maxPerClient: 1, active: true })).body;
    expect((await use(thirdParty.id)).status).toBe(200);
    const several = (await type({ name: 'Cards', kind: 'card', maxPerClient: 3, active: true })).body;
    expect((await use(several.id)).body.errors).toEqual([{ path: 'config.identityTypeId', message: expect.stringMatching(/allows 3 values per client; it must allow one/) }]);
    const inactive = (await type({ name: 'Old numbers', kind: 'other', maxPerClient: 1, active: false })).body;
    expect((await use(inactive.id)).body.errors).toEqual([{ path: 'config.identityTypeId', message: expect.stringMatching(/is inactive/) }]);
  });
});
