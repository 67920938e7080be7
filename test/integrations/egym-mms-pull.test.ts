import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { readDate } from '../../src/db/knex.js';
import { getCursor } from '../../src/integrations/repository.js';
import { mmsLocations } from '../../src/integrations/egym-mms/locations.js';
import { pushClient } from '../../src/integrations/egym-mms/push.js';
import { getPushed } from '../../src/integrations/egym-mms/pushed.js';
import { getIntegration } from '../../src/integrations/service.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { enqueueRun } from '../../src/jobs/runs.js';
import { startEgymMmsSandbox, type EgymMmsSandbox, type StoredAccount } from '../../src/sandbox/egym-mms/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { mmsContractChecker } from './egym-mms-contract.js';


/** Generated accounts, spread over gym-1 and gym-2: 250 each, three pages of a location. */
const ACCOUNTS = 500;
/** EGYM's clock runs this much behind clubcore's: only the overlap makes up for it. */
const EGYM_LAG_MS = 2 * 60_000;
const OVERLAP_MS = 5 * 60_000;
const GENDER = { MALE: 'male', FEMALE: 'female', NON_BINARY: 'other' } as const;

interface Setup {
  id: number;
  typeId: number;
  /** gym id -> location id */
  locations: Record<string, number>;
}

describe('EGYM MMS pull: accounts become clients, memberships client packages', () => {
  let sb: EgymMmsSandbox;
  let app: TestApp;
  let auth: { authorization: string };
  let scheduler: { stop(): Promise<void> };
  let basicPackageId: number;
  let seq = 0;
  const { check, violations } = mmsContractChecker();
  const db = () => app.ctx.db;
  const post = async (path: string, body: object) => {
    const res = await app.http.post(path).set(auth).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  /** A new identity type, two locations linked to gym-1 and gym-2 (and their keys), and the integration: each test acts on its own. */
  async function setup(mode: 'pull' | 'push', gyms = ['gym-1', 'gym-2']): Promise<Setup> {
    const n = ++seq;
    const typeId = (await post('/api/v1/admin/identity-types', { name: `EGYM account ${n}`, kind: 'egym_account', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    const id = (await post('/api/v1/admin/integrations', {
      type: 'egym_mms', name: `EGYM ${n}`, active: true,
      config: { baseUrl: sb.url, mode, accountIdentityTypeId: typeId, membershipId: { source: 'clientId' } },
      secrets: {},
    })).id;
    const locations: Record<string, number> = {};
    for (const gym of gyms) {
      locations[gym] = (await post('/api/v1/admin/locations', { name: `Gym ${gym} ${n}`, timezone: 'Europe/Berlin' })).id;
      await app.http.put(`/api/v1/admin/integrations/${id}/locations/${locations[gym]}`).set(auth).send({ externalId: gym, secrets: { apiKey: `mms-${gym}-key` } }).expect(200);
    }
    return { id, typeId, locations };
  }

  async function waitForRun(runId: number) {
    for (let i = 0; i < 1200; i++) {
      const run = (await app.http.get(`/api/v1/admin/sync-runs/${runId}`).set(auth)).body;
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }
  /** A manual pull, as a manager starts one, run by the worker to its end. */
  async function pull(s: Setup, expectStatus: 'succeeded' | 'failed' = 'succeeded') {
    const res = await app.http.post(`/api/v1/admin/integrations/${s.id}/sync`).set(auth).send({ job: 'pull' });
    expect(res.status).toBe(202);
    const run = await waitForRun(res.body.run.id);
    expect(run.status).toBe(expectStatus);
    return run;
  }
  /** The run the webhook queues for an account (MEMBERSHIP_DELETE, or a check-in of an account clubcore does not know). */
  async function accountRun(s: Setup, accountId: string) {
    const { run } = await enqueueRun(app.ctx, { integrationId: s.id, kind: 'account', scope: `account:${accountId}`, trigger: 'webhook' });
    const done = await waitForRun(run.id);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    return done;
  }
  /** Waits until every run of the integration (e.g. those webhooks queued) has finished. */
  async function runsSettled(s: Setup) {
    for (let i = 0; i < 1200; i++) {
      const runs = (await app.http.get(`/api/v1/admin/integrations/${s.id}/runs`).set(auth)).body.items as { status: string }[];
      if (runs.every((r) => r.status !== 'queued' && r.status !== 'running')) return runs;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('runs did not finish');
  }

  const listRequests = () => sb.requests().filter((r) => r.method === 'GET' && r.path === '/api/v2/accounts');
  const clientOf = (s: Setup, accountId: string) =>
    db()('clients as c').join('client_identities as ci', 'ci.client_id', 'c.id').where({ 'ci.identity_type_id': s.typeId, 'ci.value': accountId }).first('c.*');
  const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : (v as string | null));
  const iso = (v: unknown) => (v === null || v === undefined ? null : readDate(v as Date).toISOString());

  /**
   * Every difference between clubcore and EGYM's truth for the linked gyms: each account with a
   * membership is exactly one active client (fields, home location, the account identity) with one
   * active package of its membership type; an account whose membership is gone is no active client.
   * `only` limits the accounts compared; the counts are always exact.
   */
  async function differences(s: Setup, only?: (a: StoredAccount) => boolean): Promise<string[]> {
    const clients = await db()('clients as c').join('client_identities as ci', 'ci.client_id', 'c.id').where('ci.identity_type_id', s.typeId)
      .select('ci.value', 'c.id', 'c.external_key', 'c.first_name', 'c.last_name', 'c.email', 'c.phone', 'c.birth_date', 'c.gender', 'c.home_location_id', 'c.member_number', 'c.status', 'c.source');
    const byAccount = new Map(clients.map((c: any) => [c.value as string, c]));
    const packages = new Map((await db()('client_packages').where({ integration_id: s.id })).map((p: any) => [p.source_ref as string, p]));
    const problems: string[] = [];
    const accounts = sb.accounts().filter((a) => s.locations[a.gymId] !== undefined);
    for (const a of accounts.filter((x) => !only || only(x))) {
      const c = byAccount.get(a.accountId);
      const p = packages.get(`${s.id}:account:${a.accountId}`);
      if (!a.membership) {
        if (c && c.status !== 'inactive') problems.push(`${a.accountId}: membership erased but the client is ${c.status}`);
        if (p && p.status !== 'ended') problems.push(`${a.accountId}: membership erased but the package is ${p.status}`);
        continue;
      }
      if (!c) {
        problems.push(`${a.accountId}: no client`);
        continue;
      }
      const want = {
        external_key: `${s.id}:account:${a.accountId}`, first_name: a.firstName, last_name: a.lastName, email: a.email, phone: a.contact?.phone ?? null,
        birth_date: a.dateOfBirth ?? null, gender: GENDER[a.gender], home_location_id: s.locations[a.gymId], member_number: a.membership.membershipId, status: 'active', source: 'egym_mms',
      };
      const got = { ...Object.fromEntries(Object.keys(want).map((k) => [k, c[k]])), birth_date: day(c.birth_date) };
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${a.accountId}: client ${JSON.stringify(got)}, EGYM ${JSON.stringify(want)}`);
      const wantPackage = {
        client_id: c.id, alt_id: `egym_membership_${a.membership.membershipType}`, package_id: a.membership.membershipType === 'BASIC' ? basicPackageId : null, source: 'egym_mms', status: 'active',
        starts_at: `${a.membership.startOfContract}T00:00:00.000Z`, ends_at: a.membership.endOfContract ? `${a.membership.endOfContract}T23:59:59.999Z` : null,
      };
      const gotPackage = p && { client_id: p.client_id, alt_id: p.alt_id, package_id: p.package_id, source: p.source, status: p.status, starts_at: iso(p.starts_at), ends_at: iso(p.ends_at) };
      if (JSON.stringify(gotPackage) !== JSON.stringify(wantPackage)) problems.push(`${a.accountId}: package ${JSON.stringify(gotPackage)}, EGYM ${JSON.stringify(wantPackage)}`);
    }
    // exact counts: one client, one identity and one package per account ever imported, nothing else
    // (an account EGYM erased with its member data is gone from the sandbox too: its client must be inactive)
    const known = new Set(accounts.map((a) => a.accountId));
    const stray = clients.filter((c: any) => !known.has(c.value) && c.status !== 'inactive').map((c: any) => c.value);
    if (stray.length) problems.push(`active clients of no account: ${stray.join(', ')}`);
    const keyed = await db()('clients').where('external_key', 'like', `${s.id}:account:%`).count({ n: '*' }).first();
    if (Number(keyed!.n) !== clients.length) problems.push(`${keyed!.n} clients carry this integration's keys, ${clients.length} the account identity`);
    if (new Set(clients.map((c: any) => c.id)).size !== clients.length) problems.push('a client carries two account ids');
    if (packages.size !== clients.length) problems.push(`${packages.size} packages for ${clients.length} clients`);
    return problems;
  }
  const withMembership = (s: Setup) => sb.accounts().filter((a) => a.membership && s.locations[a.gymId] !== undefined);

  beforeAll(async () => {
    sb = await startEgymMmsSandbox({ accounts: ACCOUNTS, seed: 7, onExchange: check, clock: () => Date.now() - EGYM_LAG_MS, webhookCopies: 2 });
    app = await startTestApp();
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    basicPackageId = (await post('/api/v1/admin/packages', { name: 'EGYM Basic', altId: 'egym_membership_BASIC', activityIds: [] })).id;
    // The worker only: no cron tick during the file (manual and webhook runs are queued by the tests).
    scheduler = startScheduler(app.ctx, integrationJobs, { pollMs: 30, leaseMs: 5000, cronExpression: '0 0 1 1 *' });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await app?.close();
    await sb?.close();
  });
  beforeEach(() => {
    sb.reset();
    violations.length = 0;
  });
  afterEach(() => {
    // every request clubcore sent, and every answer it got, keep to EGYM's spec
    expect(violations).toEqual([]);
  });

  it('imports every account of each linked location: 250 a location in three pages of 100, with no time filter', async () => {
    const s = await setup('pull');
    const run = await pull(s);
    expect(await differences(s)).toEqual([]);
    expect(withMembership(s)).toHaveLength(ACCOUNTS);
    expect(await db()('clients').where('external_key', 'like', `${s.id}:account:%`).where({ status: 'active' }).count({ n: '*' }).first()).toEqual({ n: ACCOUNTS });
    // pages of 100, 100 and 70 rows a location; the 10 rows each page re-reads of the last are written once
    expect(run.progress).toMatchObject({ pages: 6, accountsRead: 2 * 270, accountsRepeated: 2 * 20, clientsCreated: ACCOUNTS });
    expect(run.progress.pagesStepBack).toBeUndefined();

    const requests = listRequests();
    for (const gym of ['gym-1', 'gym-2']) {
      expect(requests.filter((r) => r.gymId === gym).map((r) => r.query)).toEqual([
        { offset: '0', limit: '100' },
        { offset: '90', limit: '100' },
        { offset: '180', limit: '100' },
      ]);
    }
    // the memberships: BASIC is a package already, the other types wait for one (the manager's list of missing packages)
    const byAlt = await db()('client_packages').where({ integration_id: s.id }).groupBy('alt_id').select('alt_id').count({ n: '*' }).orderBy('alt_id');
    const truth = new Map<string, number>();
    for (const a of withMembership(s)) truth.set(`egym_membership_${a.membership!.membershipType}`, (truth.get(`egym_membership_${a.membership!.membershipType}`) ?? 0) + 1);
    expect(byAlt.map((r: any) => [r.alt_id, Number(r.n)])).toEqual([...truth.entries()].sort());
    expect(await db()('client_packages').where({ integration_id: s.id }).whereNull('package_id').whereNot({ alt_id: 'egym_membership_BASIC' }).count({ n: '*' }).first())
      .toEqual({ n: ACCOUNTS - (truth.get('egym_membership_BASIC') ?? 0) });

    // the cursor: where the round began (clubcore's clock) minus the overlap, per location
    for (const locationId of Object.values(s.locations)) {
      const cursor = await getCursor(db(), s.id, `pull:location:${locationId}`);
      const began = Date.parse(run.startedAt);
      expect(Date.parse(cursor!)).toBeGreaterThanOrEqual(began - OVERLAP_MS);
      expect(Date.parse(cursor!)).toBeLessThanOrEqual(Date.parse(run.finishedAt) - OVERLAP_MS);
    }

    // nothing changed: the next round asks from the cursor, reads one empty page, writes nothing
    await rememberCursors(s);
    sb.clearRequests();
    const outboxBefore = await db()('outbox_events').count({ n: '*' }).first();
    const again = await pull(s);
    const next = listRequests();
    expect(next).toHaveLength(2);
    for (const r of next) expect(r.query).toEqual({ fromTimestamp: cursorsBefore.get(`${s.id}:${r.gymId}`), offset: '0', limit: '100' });
    expect(again.progress).toMatchObject({ pages: 2, accountsRead: 0 });
    expect(await db()('outbox_events').count({ n: '*' }).first()).toEqual(outboxBefore);
    expect(await differences(s)).toEqual([]);
  });

  /** The cursor each location's last round stored (setup id:gym id -> cursor), remembered before the next round. */
  const cursorsBefore = new Map<string, string>();
  async function rememberCursors(s: Setup) {
    for (const [gym, locationId] of Object.entries(s.locations)) cursorsBefore.set(`${s.id}:${gym}`, (await getCursor(db(), s.id, `pull:location:${locationId}`))!);
  }

  it('reaches back by the overlap: a change EGYM stamped before the last round began (its clock behind) is caught', async () => {
    const s = await setup('pull', ['gym-1']);
    const first = await pull(s);
    const [target] = withMembership(s);
    sb.updateAccount(target!.accountId, { firstName: 'Caught', contact: { phone: '+49 170 0000001' } });
    // stamped before the first round began by clubcore's clock: a cursor at the round's start would miss it
    expect(sb.account(target!.accountId)!.updatedAt).toBeLessThan(Date.parse(first.startedAt));
    await rememberCursors(s);
    sb.clearRequests();
    const second = await pull(s);
    const cursor = cursorsBefore.get(`${s.id}:gym-1`)!;
    expect(listRequests().map((r) => r.query)).toEqual([{ fromTimestamp: cursor, offset: '0', limit: '100' }]);
    // exactly the accounts EGYM changed since the cursor were read (the change among them)
    const since = withMembership(s).filter((a) => a.updatedAt >= Date.parse(cursor));
    expect(second.progress.accountsRead).toBe(since.length);
    expect(since.map((a) => a.accountId)).toContain(target!.accountId);
    expect(await clientOf(s, target!.accountId)).toMatchObject({ first_name: 'Caught', phone: '+49 170 0000001', status: 'active' });
    expect(await differences(s)).toEqual([]);
  });

  /** Accounts the churn left alone: the walk of that round must have read every one of them. */
  const untouched = () => {
    const { updated, inserted, deleted } = sb.churnStats();
    const changed = new Set([...updated, ...inserted, ...deleted]);
    return (a: StoredAccount) => !changed.has(a.accountId);
  };
  /** What the webhook brings: each erased membership read again by an account run. */
  async function deliverDeletions(s: Setup) {
    // (only for accounts a client carries: for any other the run reads the account and changes nothing,
    // and each read waits for its slot of EGYM's rate limit)
    const deleted = [...new Set(sb.churnStats().deleted)];
    const carried = new Set(await db()('client_identities').where({ identity_type_id: s.typeId }).whereIn('value', deleted).pluck('value'));
    for (const accountId of deleted.filter((id) => carried.has(id))) await enqueueRun(app.ctx, { integrationId: s.id, kind: 'account', scope: `account:${accountId}`, trigger: 'webhook' });
    const runs = await runsSettled(s);
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
  }

  it('an initial import while accounts are updated, created and erased between pages misses no unchanged account; the next round ends equal to EGYM', async () => {
    const s = await setup('pull');
    sb.setChurn({ updatesPerPage: 2, insertsPerPage: 1, deletesPerPage: 8, seed: 3 });
    const first = await pull(s);
    const churned = sb.churnStats();
    sb.clearChurn();
    expect(churned.pages).toBeGreaterThanOrEqual(4);
    expect(first.progress.accountsRepeated).toBeGreaterThan(0); // rows served twice were written once
    expect(await differences(s, untouched())).toEqual([]);

    await deliverDeletions(s);
    await pull(s);
    expect(await differences(s)).toEqual([]);
  });

  it('a later round while accounts change ends equal to EGYM after the next one', async () => {
    const s = await setup('pull');
    await pull(s);
    // many accounts changed since the cursor: the round pages through them while more change
    for (const a of withMembership(s).slice(0, 240)) sb.updateAccount(a.accountId, { lastName: `${a.lastName}-x` });
    sb.setChurn({ updatesPerPage: 5, insertsPerPage: 2, deletesPerPage: 4, seed: 11 });
    sb.clearRequests();
    await pull(s);
    expect(listRequests().every((r) => typeof r.query.fromTimestamp === 'string')).toBe(true);
    expect(listRequests().length).toBeGreaterThanOrEqual(3);
    sb.clearChurn();
    expect(await differences(s, untouched())).toEqual([]);
    await deliverDeletions(s);
    await pull(s);
    expect(await differences(s)).toEqual([]);
  });

  it('more memberships erased between two pages than the pages overlap: the walk steps back and still misses none', async () => {
    const s = await setup('pull', ['gym-1']);
    sb.setChurn({ deletesPerPage: 30, pages: 1, seed: 5 });
    const first = await pull(s);
    expect(first.progress.pagesStepBack).toBeGreaterThanOrEqual(1);
    expect(await differences(s, untouched())).toEqual([]);
    // erased ones never imported have no client; those imported are deactivated by their webhook runs
    await deliverDeletions(s);
    expect(await differences(s)).toEqual([]);
  });

  it('a failed round keeps its cursor: the next one repeats it, and the upserts make that harmless', async () => {
    const s = await setup('pull', ['gym-1']);
    await pull(s);
    await rememberCursors(s);
    const [a] = withMembership(s);
    sb.updateAccount(a!.accountId, { firstName: 'Again' });
    const link = (apiKey: string) => app.http.put(`/api/v1/admin/integrations/${s.id}/locations/${s.locations['gym-1']}`).set(auth).send({ externalId: 'gym-1', secrets: { apiKey } }).expect(200);
    const credentials = async () => (await app.http.get(`/api/v1/admin/integrations/${s.id}`).set(auth)).body.credentialsStatus;
    await link('a-key-egym-never-issued');
    const failed = await pull(s, 'failed');
    expect(failed.error).toMatch(new RegExp(`location ${s.locations['gym-1']}: EGYM refused the API key`));
    expect(await credentials()).toBe('failing');
    expect(await getCursor(db(), s.id, `pull:location:${s.locations['gym-1']}`)).toBe(cursorsBefore.get(`${s.id}:gym-1`));
    await link('mms-gym-1-key');
    sb.clearRequests();
    await pull(s);
    expect(listRequests()[0]!.query.fromTimestamp).toBe(cursorsBefore.get(`${s.id}:gym-1`));
    expect(await credentials()).toBe('ok');
    expect(await clientOf(s, a!.accountId)).toMatchObject({ first_name: 'Again' });
    expect(await differences(s)).toEqual([]);
  });

  it('pull: a deleted membership (webhook MEMBERSHIP_DELETE) deactivates the client and ends its package; an unknown account that checks in is imported', async () => {
    const s = await setup('pull');
    await pull(s);
    await post(`/api/v1/admin/integrations/${s.id}/register-webhook`, { publicBaseUrl: app.url });
    const [erased, removed] = withMembership(s).filter((a) => a.gymId === 'gym-1');
    sb.deleteAccount(erased!.accountId); // membership erased, profile kept: 404 MEMBERSHIP
    sb.deleteAccount(removed!.accountId, { eraseMemberData: true }); // account gone: 404 ACCOUNT
    await sb.webhooksSettled();
    expect(sb.deliveries().filter((d) => d.event.type === 'MEMBERSHIP_DELETE' && d.status === 200)).toHaveLength(4); // each twice
    await runsSettled(s);
    for (const accountId of [erased!.accountId, removed!.accountId]) {
      const client = await clientOf(s, accountId);
      expect(client).toMatchObject({ status: 'inactive', external_key: `${s.id}:account:${accountId}` });
      expect(await db()('client_packages').where({ source_ref: `${s.id}:account:${accountId}` }).first()).toMatchObject({ status: 'ended', client_id: client.id });
    }
    const runs = (await app.http.get(`/api/v1/admin/integrations/${s.id}/runs`).set(auth)).body.items.filter((r: any) => r.kind === 'account');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r: any) => r.status === 'succeeded')).toBe(true);

    // a member EGYM has and clubcore not yet: their check-in brings them in at once
    const fresh = sb.createAccount({
      email: 'walk.in@mail.example', firstName: 'Walk', lastName: 'In', gender: 'NON_BINARY', dateOfBirth: '1999-09-09',
      membership: { membershipId: 'WALK-IN-1', membershipType: 'PREMIUM', startOfContract: '2026-01-01', endOfContract: '2026-12-31' },
    }, { gymId: 'gym-1' });
    sb.checkIn(fresh.accountId);
    await sb.webhooksSettled();
    await runsSettled(s);
    expect(await clientOf(s, fresh.accountId)).toMatchObject({ first_name: 'Walk', gender: 'other', birth_date: expect.anything(), status: 'active', home_location_id: s.locations['gym-1'] });
    expect(await differences(s)).toEqual([]);

    // the account job of an account that exists imports its current data
    sb.updateAccount(fresh.accountId, { lastName: 'Inside' });
    await accountRun(s, fresh.accountId);
    expect(await clientOf(s, fresh.accountId)).toMatchObject({ last_name: 'Inside', status: 'active' });
    // and a gym-2 member's deletion (read again by its run) deactivates too
    const [gym2] = withMembership(s).filter((a) => a.gymId === 'gym-2');
    sb.deleteAccount(gym2!.accountId);
    await accountRun(s, gym2!.accountId);
    expect(await clientOf(s, gym2!.accountId)).toMatchObject({ status: 'inactive' });
    expect(await differences(s)).toEqual([]);
  });

  it('push: a deleted membership keeps the member and unlinks it (account id and push record dropped); the next push links again', async () => {
    const s = await setup('push', ['gym-1']);
    const home = s.locations['gym-1']!;
    const client = (await post('/api/v1/admin/clients', { firstName: 'Ada', lastName: 'Owned', email: 'ada.owned@mail.example', gender: 'female', birthDate: '1990-04-01', homeLocationId: home })) as { id: number };
    const integration = (await getIntegration(app.ctx, s.id))!;
    const [loc] = await mmsLocations(app.ctx, integration);
    await pushClient(app.ctx, loc!, client.id);
    const identity = () => db()('client_identities').where({ client_id: client.id, identity_type_id: s.typeId }).first();
    const accountId = (await identity()).value as string;
    expect(await getPushed(db(), s.id, client.id)).toMatchObject({ accountId, locationId: home });

    // the account exists: nothing changes
    await accountRun(s, accountId);
    expect((await identity()).value).toBe(accountId);
    expect(await getPushed(db(), s.id, client.id)).not.toBeNull();

    sb.deleteAccount(accountId);
    const run = await accountRun(s, accountId);
    expect(run.progress).toMatchObject({ clientsUnlinked: 1 });
    expect(await db()('clients').where({ id: client.id }).first()).toMatchObject({ status: 'active' });
    expect(await identity()).toBeUndefined();
    expect(await getPushed(db(), s.id, client.id)).toBeNull();
    // the removal is audited as the integration's
    expect(await db()('identity_changes').where({ client_id: client.id, identity_type_id: s.typeId, old_value: accountId }).whereNull('new_value').first())
      .toMatchObject({ actor: `integration:${s.id}` });

    // the next push (the consumer's, on the next change) finds or creates the membership and links it again
    await pushClient(app.ctx, loc!, client.id);
    const relinked = (await identity())?.value as string | undefined;
    expect(relinked).toBeDefined();
    expect(sb.account(relinked!)!.membership).toMatchObject({ membershipId: String(client.id) });
    expect(await getPushed(db(), s.id, client.id)).toMatchObject({ accountId: relinked });

    // a pull in push mode is refused: clubcore owns these members
    const refused = await pull(s, 'failed');
    expect(refused.error).toMatch(/mode push/);
  });
});
