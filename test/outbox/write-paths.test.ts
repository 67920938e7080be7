/**
 * Every write path of clients and door access events records its outbox events in the change's
 * transaction: staff create/edit/deactivate and identity edits (HTTP API), a Perfect Gym sync
 * (initial and ongoing, through the sandbox), door events from the API and from the access sync.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { importClients } from '../../src/clients/service.js';
import { drainOutbox, registerOutboxConsumer } from '../../src/outbox/service.js';
import type { OutboxEvent } from '../../src/outbox/types.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { readEveryOutboxTopic } from '../support/outbox.js';
import { clubLocalTime, startSyncFixture, type SyncFixture } from '../integrations/support.js';

type Db = TestApp['ctx']['db'];

/** The outbox events of one subject, oldest first. */
async function eventsOf(db: Db, topic: string, subjectId: number) {
  const rows = await db('outbox_events').where({ topic, subject_id: subjectId }).orderBy('id').select('kind', 'location_id');
  return rows.map((r: { kind: string; location_id: number | null }) => [r.kind, r.location_id === null ? null : Number(r.location_id)]);
}

describe('API write paths', () => {
  let app: TestApp;
  let auth: { authorization: string };
  let home: number;
  let away: number;

  beforeAll(async () => {
    app = await startTestApp();
    await readEveryOutboxTopic(app.ctx);
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    home = (await app.http.post('/api/v1/admin/locations').set(auth).send({ name: 'Home', timezone: 'Europe/Berlin' }).expect(201)).body.id;
    away = (await app.http.post('/api/v1/admin/locations').set(auth).send({ name: 'Away', timezone: 'Europe/Berlin' }).expect(201)).body.id;
  });
  afterAll(() => app.close());

  const createClient = async (body: object) => (await app.http.post('/api/v1/admin/clients').set(auth).send(body).expect(201)).body as { id: number };
  const patch = (id: number, body: object) => app.http.patch(`/api/v1/admin/clients/${id}`).set(auth).send(body).expect(200);

  it('staff create, edit, move, deactivate and reactivate a client: one event each, a move also at the location left', async () => {
    const client = await createClient({ firstName: 'Olga', lastName: 'Outbox', homeLocationId: home });
    await patch(client.id, { lastName: 'Edited' });
    await patch(client.id, { homeLocationId: away });
    await patch(client.id, { status: 'inactive' });
    await patch(client.id, { status: 'inactive' }); // already inactive: an update, not a second deactivation
    await patch(client.id, { status: 'active', password: 'a new password' });
    expect(await eventsOf(app.ctx.db, 'client', client.id)).toEqual([
      ['created', home],
      ['updated', home],
      ['updated', away], ['updated', home],
      ['deactivated', away],
      ['updated', away],
      ['updated', away],
    ]);
    const homeless = await createClient({ firstName: 'No', lastName: 'Home' });
    expect(await eventsOf(app.ctx.db, 'client', homeless.id)).toEqual([['created', null]]);
  });

  it('records nothing for a change that fails', async () => {
    const before = Number((await app.ctx.db('outbox_events').count({ n: '*' }).first())!.n);
    await app.http.post('/api/v1/admin/clients').set(auth).send({ firstName: 'Bad', lastName: 'Location', homeLocationId: 999_999 }).expect(400);
    await app.http.patch('/api/v1/admin/clients/999999').set(auth).send({ lastName: 'Nobody' }).expect(404);
    // A sync page whose transaction rolls back after its clients were written
    const identityTypeId = (await app.http.post('/api/v1/admin/identity-types').set(auth).send({ name: 'Rollback member', kind: 'perfect_gym_member', maxPerClient: 1, minDaysBetweenChanges: 0, active: true }).expect(201)).body.id;
    await expect(app.ctx.db.transaction(async (trx) => {
      await importClients({ ...app.ctx, db: trx }, { identityTypeId, source: 'perfect_gym', actor: 'integration:0' }, [{
        externalKey: 'rollback:member:1', identityValue: 'rb-1', firstName: 'Roll', lastName: 'Back', email: null, phone: null, birthDate: null, gender: null,
        homeLocationId: home, memberNumber: null, status: 'active', sourceVersion: 1,
      }]);
      expect(Number((await trx('outbox_events').count({ n: '*' }).first())!.n)).toBe(before + 1);
      throw new Error('the page failed');
    })).rejects.toThrow('the page failed');
    expect(await app.ctx.db('clients').where({ external_key: 'rollback:member:1' })).toEqual([]);
    expect(Number((await app.ctx.db('outbox_events').count({ n: '*' }).first())!.n)).toBe(before);
  });

  it("adding and removing a client's identity updates the client", async () => {
    const client = await createClient({ firstName: 'Ida', lastName: 'Identity', homeLocationId: home });
    const typeId = (await app.http.post('/api/v1/admin/identity-types').set(auth).send({ name: 'Card', kind: 'card', maxPerClient: 2, minDaysBetweenChanges: 0, active: true }).expect(201)).body.id;
    const identity = (await app.http.post(`/api/v1/admin/clients/${client.id}/identities`).set(auth).send({ identityTypeId: typeId, value: 'CARD-1' }).expect(201)).body;
    await app.http.post(`/api/v1/admin/clients/${client.id}/identities`).set(auth).send({ identityTypeId: typeId, value: 'CARD-1' }).expect(200); // has it: no change
    await app.http.delete(`/api/v1/admin/clients/${client.id}/identities/${identity.id}`).set(auth).expect(204);
    expect(await eventsOf(app.ctx.db, 'client', client.id)).toEqual([['created', home], ['updated', home], ['updated', home]]);
  });

  it('door events: entered or exited once per entry, however often it is sent', async () => {
    const client = await createClient({ firstName: 'Dora', lastName: 'Door', homeLocationId: home });
    const door = async (doorCode: string, type: string) => (await app.http.post('/api/v1/admin/doors').set(auth).send({ title: doorCode, doorCode, locationId: away, type }).expect(201)).body.id as number;
    const [entrance, exit] = [await door('OB-IN', 'entrance'), await door('OB-OUT', 'exit')];
    const enter = { doorId: entrance, clientId: client.id, occurredAt: new Date(Date.now() - 60_000).toISOString(), externalId: 'ob-entry-1' };
    const first = (await app.http.post('/api/v1/admin/door-access-events').set(auth).send(enter).expect(201)).body.event;
    await app.http.post('/api/v1/admin/door-access-events').set(auth).send(enter).expect(201); // a retry
    const left = (await app.http.post('/api/v1/admin/door-access-events').set(auth).send({ doorId: exit, clientId: client.id, occurredAt: new Date().toISOString() }).expect(201)).body.event;
    expect(await eventsOf(app.ctx.db, 'door_event', first.id)).toEqual([['entered', away]]);
    expect(await eventsOf(app.ctx.db, 'door_event', left.id)).toEqual([['exited', away]]);
  });

  it('a consumer of one location drains its clients and door events in the order they happened', async () => {
    const location = (await app.http.post('/api/v1/admin/locations').set(auth).send({ name: 'Drained', timezone: 'UTC' }).expect(201)).body.id;
    const consumer = `test_integration:1:location:${location}`;
    await registerOutboxConsumer(app.ctx, consumer, { startAt: 'now' });
    const client = await createClient({ firstName: 'Ella', lastName: 'Egym', homeLocationId: location });
    const doorId = (await app.http.post('/api/v1/admin/doors').set(auth).send({ title: 'Gate', doorCode: 'DR-1', locationId: location, type: 'entrance' }).expect(201)).body.id;
    const entry = (await app.http.post('/api/v1/admin/door-access-events').set(auth).send({ doorId, clientId: client.id, occurredAt: new Date().toISOString() }).expect(201)).body.event;
    await patch(client.id, { status: 'inactive' });
    await createClient({ firstName: 'Elsewhere', lastName: 'Else', homeLocationId: home });

    const seen: OutboxEvent[] = [];
    const result = await drainOutbox(app.ctx, { consumer, topics: ['client', 'door_event'], owner: 'test', leaseMs: 10_000, locationId: location }, async (e) => void seen.push(e));
    expect(result).toMatchObject({ handled: 3, caughtUp: true });
    expect(seen.map((e) => [e.topic, e.subjectId, e.kind])).toEqual([['client', client.id, 'created'], ['door_event', entry.id, 'entered'], ['client', client.id, 'deactivated']]);
  });
});

describe('Perfect Gym sync write paths', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await startSyncFixture({ members: 60, pageSize: 500 });
    await readEveryOutboxTopic(f.app.ctx);
    await f.run('initial-sync');
  });
  afterAll(() => f.close());

  const syncedClients = async () => (await f.app.ctx.db('clients').where({ source: 'perfect_gym' }).select('id', 'home_location_id', 'external_key')) as { id: number; home_location_id: number; external_key: string }[];
  const clientEventCount = async () => Number((await f.app.ctx.db('outbox_events').where({ topic: 'client' }).count({ n: '*' }).first())!.n);
  const clientOf = async (memberId: number) => (await f.app.ctx.db('clients').where({ external_key: `${f.integrationId}:member:${memberId}` }).first('id')).id as number;

  it('initial and ongoing syncs record the clients they create and change, and nothing for members read again unchanged', async () => {
    const clients = await syncedClients();
    expect(clients.length).toBeGreaterThan(10);
    const created = await f.app.ctx.db('outbox_events').where({ topic: 'client', kind: 'created' }).select('subject_id', 'location_id');
    expect(created.map((e: { subject_id: number; location_id: number }) => [Number(e.subject_id), Number(e.location_id)]).sort((a, b) => a[0]! - b[0]!))
      .toEqual(clients.map((c) => [c.id, c.home_location_id]).sort((a, b) => a[0]! - b[0]!));
    const afterInitial = await clientEventCount();
    expect(afterInitial).toBe(clients.length);

    // Every member is read again (as the overlap below the cursor is): nothing changed, nothing recorded.
    await f.app.ctx.db('sync_cursors').where({ integration_id: f.integrationId, stream: 'Members' }).update({ cursor: '0' });
    const reread = await f.run('sync', { job: 'clients' });
    expect(reread.progress.membersSeen).toBe(f.sb.list('Members').length);
    expect(await clientEventCount()).toBe(afterInitial);

    const [first, second] = f.locations;
    const members = f.sb.list('Members').filter((m) => m.homeClubId === first!.clubId && m.isActive && !m.isDeleted);
    const [renamed, leaving, moving] = [members[0]!, members[1]!, members[2]!];
    f.sb.update('Members', renamed.id as number, { lastName: 'Renamed' });
    f.sb.update('Members', leaving.id as number, { isActive: false });
    f.sb.update('Members', moving.id as number, { homeClubId: second!.clubId });
    const joined = f.sb.create('Members', { firstName: 'New', lastName: 'Joiner', homeClubId: second!.clubId, isActive: true, memberType: 'Member' });
    await f.run('sync', { job: 'clients' });

    expect(await eventsOf(f.app.ctx.db, 'client', await clientOf(renamed.id as number))).toEqual([['created', first!.id], ['updated', first!.id]]);
    expect(await eventsOf(f.app.ctx.db, 'client', await clientOf(leaving.id as number))).toEqual([['created', first!.id], ['deactivated', first!.id]]);
    expect(await eventsOf(f.app.ctx.db, 'client', await clientOf(moving.id as number))).toEqual([['created', first!.id], ['updated', second!.id], ['updated', first!.id]]);
    expect(await eventsOf(f.app.ctx.db, 'client', await clientOf(joined.id as number))).toEqual([['created', second!.id]]);
    expect(await clientEventCount()).toBe(afterInitial + 5);
  });

  it('the access sync records one door event per new visit, and nothing when it reads them again', async () => {
    const [first] = f.locations;
    await f.app.http.post('/api/v1/admin/doors').set(f.auth).send({ title: 'Entrance', doorCode: 'PG-OUTBOX', locationId: first!.id, type: 'entrance' }).expect(201);
    const member = f.sb.list('Members').find((m) => m.homeClubId === first!.clubId && m.isActive && !m.isDeleted)!;
    const zone = f.sb.get('Clubs', first!.clubId)!.timezoneId as string;
    for (const minutes of [90, 30]) {
      f.sb.create('MemberClubVisits', { memberId: member.id, clubId: first!.clubId, enterDate: clubLocalTime(new Date(Date.now() - minutes * 60_000), zone), leaveDate: null, readerName: 'Gate' });
    }
    const run = await f.run('sync', { job: 'access' });
    const doorEvents = await f.app.ctx.db('door_access_events').where({ source: 'perfect_gym' }).select('id', 'location_id');
    expect(doorEvents.length).toBeGreaterThanOrEqual(2);
    expect(run.progress.doorEventsCreated).toBe(doorEvents.length);
    const recorded = await f.app.ctx.db('outbox_events').where({ topic: 'door_event' }).select('subject_id', 'location_id', 'kind');
    expect(recorded.map((e: { subject_id: number; location_id: number; kind: string }) => [Number(e.subject_id), Number(e.location_id), e.kind]).sort((a, b) => (a[0] as number) - (b[0] as number)))
      .toEqual(doorEvents.map((e: { id: number; location_id: number }) => [e.id, e.location_id, 'entered']).sort((a, b) => (a[0] as number) - (b[0] as number)));

    await f.app.ctx.db('sync_cursors').where({ integration_id: f.integrationId, stream: 'MemberClubVisits' }).update({ cursor: '0' });
    await f.run('sync', { job: 'access' });
    expect(Number((await f.app.ctx.db('outbox_events').where({ topic: 'door_event' }).count({ n: '*' }).first())!.n)).toBe(recorded.length);
  });
});
