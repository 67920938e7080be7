import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readDate } from '../../src/db/knex.js';
import { clubLocalTime, startSyncFixture, type SyncFixture } from './support.js';

const HOUR = 3600_000;

describe('Perfect Gym access sync: visits become door events and mark attendance', () => {
  let f: SyncFixture;
  // Shared and only read by the tests: the chain synced, and an entrance door at the first location
  // (none at the second). Pages of 500 hold every visit of this small chain, so a run reads one page.
  beforeAll(async () => {
    f = await startSyncFixture({ members: 60, pageSize: 500 });
    await f.run('initial-sync');
    await f.app.http.post('/api/v1/admin/doors').set(f.auth).send({ title: 'Entrance', doorCode: 'PG-1', locationId: f.locations[0]!.id, type: 'entrance' }).expect(201);
  });
  afterAll(() => f.close());

  /** A member who joins the first club now, synced, with a booking for a class there in 30 minutes. */
  async function memberWithClassSoon(firstName: string) {
    const [first] = f.locations;
    const member = f.sb.create('Members', { firstName, lastName: 'Visitor', homeClubId: first!.clubId, isActive: true, memberType: 'Member' });
    await f.run('sync', { job: 'clients' });
    const client = await f.app.ctx.db('client_identities').where({ identity_type_id: f.identityTypeId, value: String(member.id) }).first('client_id');
    const activity = (await f.app.http.post('/api/v1/admin/activities').set(f.auth).send({ name: `${firstName}'s class` })).body;
    const pkg = (await f.app.http.post('/api/v1/admin/packages').set(f.auth).send({ name: `${firstName}'s pass`, activityIds: [activity.id] })).body;
    await f.app.http.post(`/api/v1/admin/clients/${client.client_id}/packages`).set(f.auth).send({ packageId: pkg.id }).expect(201);
    const startsAt = new Date(Date.now() + 30 * 60_000);
    const session = (await f.app.http.post('/api/v1/admin/sessions').set(f.auth).send({
      activityId: activity.id, locationId: first!.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString(), capacity: 5,
    })).body;
    const token = await f.app.clientToken(client.client_id);
    const booking = (await f.app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${token}` }).send({ sessionId: session.id }).expect(201)).body;
    const visit = (at: Date) =>
      f.sb.create('MemberClubVisits', { memberId: member.id, clubId: first!.clubId, enterDate: clubLocalTime(at, f.sb.get('Clubs', first!.clubId)!.timezoneId as string), leaveDate: null, readerName: 'Gate 1' });
    return { clientId: client.client_id as number, booking, visit };
  }

  it('turns visits into door events once, marks attendance, and flags a location without a door', async () => {
    const [first, second] = f.locations;
    const { clientId, booking, visit } = await memberWithClassSoon('Vera');
    const walkIn = visit(new Date());

    const run = await f.run('sync', { job: 'access' });
    const toFirst = f.sb.list('MemberClubVisits').filter((v) => v.clubId === first!.clubId);
    const events = await f.app.ctx.db('door_access_events').where({ source: 'perfect_gym' });
    const clientIds = new Set((await f.app.ctx.db('clients').where({ source: 'perfect_gym' })).map((c: { id: number }) => c.id));
    expect(events.every((e: { client_id: number }) => clientIds.has(e.client_id))).toBe(true);
    expect(events.length).toBeLessThanOrEqual(toFirst.length);
    expect(events.find((e: { source_ref: string }) => e.source_ref === `${f.integrationId}:visit:${walkIn.id}`)).toMatchObject({ client_id: clientId, location_id: first!.id });
    expect(run.progress.bookingsAttended).toBeGreaterThanOrEqual(1);
    expect((await f.app.ctx.db('bookings').where({ id: booking.id }).first()).status).toBe('attended');
    const issues = (await f.app.http.get(`/api/v1/admin/integrations/${f.integrationId}/issues`).set(f.auth)).body.items;
    expect(issues).toContainEqual(expect.objectContaining({ kind: 'noDoor', key: `location:${second!.id}` }));

    // read again from the start: nothing new
    await f.app.ctx.db('sync_cursors').where({ integration_id: f.integrationId, stream: 'MemberClubVisits' }).update({ cursor: '0' });
    const again = await f.run('sync', { job: 'access' });
    expect(again.progress.doorEventsCreated ?? 0).toBe(0);
    expect((await f.app.ctx.db('door_access_events').where({ source: 'perfect_gym' })).length).toBe(events.length);
  });

  it('marks a booking attended at the visit that matched its class, when the same page holds an earlier visit of the member', async () => {
    const { booking, visit } = await memberWithClassSoon('Mona');
    // a morning workout, long before the class's window, then the walk-in for the class
    const morning = new Date(Math.floor((Date.now() - 5 * HOUR) / 1000) * 1000);
    const walkIn = new Date(Math.floor(Date.now() / 1000) * 1000);
    visit(morning);
    visit(walkIn);

    const run = await f.run('sync', { job: 'access' });
    expect(run.progress.pages).toBe(1); // both visits in one page: the case this test is about
    const stored = await f.app.ctx.db('bookings').where({ id: booking.id }).first();
    expect(stored.status).toBe('attended');
    expect(readDate(stored.attended_at).toISOString()).toBe(walkIn.toISOString());
  });
});
