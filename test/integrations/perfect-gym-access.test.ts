import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readDate } from '../../src/db/knex.js';
import { clubLocalTime, expectedMembers, startSyncFixture, type SyncFixture } from './support.js';

const HOUR = 3600_000;

describe('Perfect Gym access sync: visits become door events and mark attendance', () => {
  let f: SyncFixture;
  // Pages of 500 hold every visit of this small chain: a run reads them all in one page.
  beforeAll(async () => {
    f = await startSyncFixture({ members: 60, pageSize: 500 });
    await f.run('initial-sync');
  });
  afterAll(() => f.close());

  it('marks a booking attended at the visit that matched its class, when the same page holds an earlier visit of the member', async () => {
    const [first] = f.locations;
    await f.app.http.post('/api/v1/admin/doors').set(f.auth).send({ title: 'Entrance', doorCode: 'ACC-1', locationId: first!.id, type: 'entrance' }).expect(201);
    // a member without visits of their own in the generated data: the two below are all there are
    const member = expectedMembers(f.sb, [first!.clubId]).find((m) => !f.sb.list('MemberClubVisits').some((v) => v.memberId === m.id))!;
    const client = (await f.app.http.get(`/api/v1/admin/clients?q=${member.number}`).set(f.auth)).body.items[0];
    const activity = (await f.app.http.post('/api/v1/admin/activities').set(f.auth).send({ name: 'Evening yoga' })).body;
    const pkg = (await f.app.http.post('/api/v1/admin/packages').set(f.auth).send({ name: 'Evening pass', activityIds: [activity.id] })).body;
    await f.app.http.post(`/api/v1/admin/clients/${client.id}/packages`).set(f.auth).send({ packageId: pkg.id }).expect(201);
    const startsAt = new Date(Date.now() + 30 * 60_000);
    const session = (await f.app.http.post('/api/v1/admin/sessions').set(f.auth).send({
      activityId: activity.id, locationId: first!.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString(), capacity: 5,
    })).body;
    const token = await f.app.clientToken(client.id);
    const booking = (await f.app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${token}` }).send({ sessionId: session.id })).body;
    // a morning workout, long before the class's window, then the walk-in for the class
    const zone = f.sb.get('Clubs', first!.clubId)!.timezoneId as string;
    const morning = new Date(Math.floor((Date.now() - 5 * HOUR) / 1000) * 1000);
    const walkIn = new Date(Math.floor(Date.now() / 1000) * 1000);
    f.sb.create('MemberClubVisits', { memberId: member.id, clubId: first!.clubId, enterDate: clubLocalTime(morning, zone), leaveDate: null, readerName: 'Gate 1' });
    f.sb.create('MemberClubVisits', { memberId: member.id, clubId: first!.clubId, enterDate: clubLocalTime(walkIn, zone), leaveDate: null, readerName: 'Gate 1' });

    const run = await f.run('sync', { job: 'access' });
    expect(run.progress.pages).toBe(1); // both visits in one page: the case this test is about
    const stored = await f.app.ctx.db('bookings').where({ id: booking.id }).first();
    expect(stored.status).toBe('attended');
    expect(readDate(stored.attended_at).toISOString()).toBe(walkIn.toISOString());
  });
});
