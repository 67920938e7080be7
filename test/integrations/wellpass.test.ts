/**
 * The wellpass integration end to end against the Wellpass sandbox (a real HTTP server, at its
 * worst: every webhook delivered twice, a rate limit without Retry-After): publishing, booking
 * requests decided inside the webhook, the aggregator seat cap in the one seat ledger, cancellations,
 * a class cancelled by the club, customers matched or created once, visits validated once a day.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { insertSession } from '../../src/classes/repository.js';
import { integrationOutbox } from '../../src/integrations/outbox.js';
import { RECONCILE_PAGE } from '../../src/integrations/wellpass/publish.js';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { startOutboxDrainers } from '../../src/outbox/drainers.js';
import { startWellpassSandbox, type WellpassSandbox } from '../../src/sandbox/wellpass/server.js';
import { signWebhook } from '../../src/integrations/wellpass/wire.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { tomorrowAt } from '../support/time.js';

const HOUR = 3600_000;
const SECRET = 'wellpass-test-secret';

describe('EGYM Wellpass', () => {
  let sb: WellpassSandbox;
  let app: TestApp;
  let auth: { authorization: string };
  let integrationId: number;
  let wellpassTypeId: number;
  let locationId: number;
  let entrance: number;
  let activityId: number;
  const venue = randomUUID();
  let drainers: ReturnType<typeof startOutboxDrainers>;
  let scheduler: ReturnType<typeof startScheduler>;
  let users = 0;

  const post = async (path: string, body: object, status = 201) => (await app.http.post(path).set(auth).send(body).expect(status)).body;
  const drain = async () => {
    await drainers.drainNow();
    await drainers.drainNow();
  };
  async function eventually<T>(read: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`condition not met: ${JSON.stringify(await read())}`);
  }
  async function runJob(job: string) {
    const { run } = await post(`/api/v1/admin/integrations/${integrationId}/sync`, { job }, 202);
    return eventually(async () => (await app.http.get(`/api/v1/admin/sync-runs/${run.id}`).set(auth)).body, (r) => r.status === 'succeeded' || r.status === 'failed');
  }
  const newSession = async (fields: object = {}) =>
    post('/api/v1/admin/sessions', { activityId, locationId, startsAt: new Date(Date.now() + 5 * HOUR).toISOString(), endsAt: new Date(Date.now() + 6 * HOUR).toISOString(), capacity: 3, ...fields });
  const slotOf = async (sessionId: number) => {
    const row = await app.ctx.db('wellpass_slots').where({ integration_id: integrationId, session_id: sessionId }).first();
    return row?.remote_slot_id ? sb.slots(venue).find((s) => s.id === Number(row.remote_slot_id)) : undefined;
  };
  const user = () => ({ unique_token: `wp-${++users}-${randomUUID().slice(0, 8)}`, name: `Wanda Wellpass${users}`, email: `wanda${users}@corp.example` });
  const request = async (sessionId: number, u = user()) => {
    const slot = (await slotOf(sessionId))!;
    const { booking } = await sb.requestBooking(venue, { slot_id: slot.id, user: u });
    return eventually(() => sb.booking(booking.booking_number)!, (b) => b.status !== 'PENDING');
  };

  beforeAll(async () => {
    sb = await startWellpassSandbox({ webhookSecret: SECRET });
    app = await startTestApp();
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    wellpassTypeId = (await post('/api/v1/admin/identity-types', { name: 'Wellpass id', kind: 'wellpass', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    locationId = (await post('/api/v1/admin/locations', { name: 'Wellpass gym', timezone: 'Europe/Berlin' })).id;
    entrance = (await post('/api/v1/admin/doors', { title: 'Main', doorCode: 'wp-in', locationId, type: 'entrance' })).id;
    activityId = (await post('/api/v1/admin/activities', { name: 'Spinning', aggregatorBookings: { enabled: true, seatCap: 2 } })).id;
    integrationId = (await post('/api/v1/admin/integrations', {
      type: 'wellpass', name: 'Wellpass', active: true,
      config: { baseUrl: sb.url, companyUuid: randomUUID(), identityTypeId: wellpassTypeId, productId: 77 },
      secrets: { apiToken: sb.token, webhookSecret: SECRET },
    })).id;
    await app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${locationId}`).set(auth).send({ externalId: venue }).expect(200);
    sb.configure({ webhookUrl: `${app.url}/api/v1/webhooks/wellpass/${integrationId}` });
    scheduler = startScheduler(app.ctx, integrationJobs, { pollMs: 30, leaseMs: 5000, cronExpression: '0 0 1 1 *' });
    drainers = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    await drain(); // registers the venue's consumer
  });
  afterAll(async () => {
    await drainers.stop();
    await scheduler.stop();
    await app.close();
    await sb.close();
  });

  it('shows the ids Wellpass support needs, and tests the connection', async () => {
    const ids = (await app.http.get(`/api/v1/admin/integrations/${integrationId}/wellpass-ids`).set(auth).expect(200)).body;
    expect(ids).toMatchObject({ venues: [{ locationId, venueUuid: venue }], webhookUrl: expect.stringContaining(`/api/v1/webhooks/wellpass/${integrationId}`) });
    expect(ids.companyUuid).toMatch(/^[0-9a-f-]{36}$/);
    const shown = (await app.http.get(`/api/v1/admin/integrations/${integrationId}`).set(auth).expect(200)).body;
    expect(shown.sharedIds).toEqual([expect.objectContaining({ label: 'Company UUID', value: ids.companyUuid })]);
    expect((await post(`/api/v1/admin/integrations/${integrationId}/test`, {}, 200)).ok).toBe(true);
  });

  it('publishes a session of an enabled activity with absolute counts, and every change within a drain', async () => {
    const session = await newSession();
    await drain();
    expect(await slotOf(session.id)).toMatchObject({ total_capacity: 2, total_booked: 0, product_id: 77, length_in_minutes: 60, status: 1 });
    expect(sb.classes(venue).filter((c) => c.reference === `activity:${activityId}`)).toHaveLength(1);

    await app.http.patch(`/api/v1/admin/sessions/${session.id}`).set(auth).send({ capacity: 1, instructor: 'Ines' }).expect(200);
    await drain();
    expect(await slotOf(session.id)).toMatchObject({ total_capacity: 1, total_booked: 0, instructors: [{ name: 'Ines', substitute: false }] });

    // A club member's booking (through the member API) takes the last seat: nothing left for Wellpass.
    const client = await post('/api/v1/admin/clients', { firstName: 'Club', lastName: 'Member', homeLocationId: locationId });
    const pass = await post('/api/v1/admin/packages', { name: 'Spin pass', activityIds: [activityId] });
    await post(`/api/v1/admin/clients/${client.id}/packages`, { packageId: pass.id });
    await app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${await app.clientToken(client.id)}` }).send({ sessionId: session.id }).expect(201);
    await drain();
    expect(await slotOf(session.id)).toMatchObject({ total_capacity: 0, total_booked: 0 });
  });

  it('reserves within the aggregator cap, rejects past it, and takes each request once however often it arrives', async () => {
    const session = await newSession({ capacity: 5 });
    await drain();
    const first = user();
    const a = await request(session.id, first);
    const b = await request(session.id);
    const refused = user();
    const c = await request(session.id, refused);
    expect([a.status, b.status, c.status]).toEqual(['RESERVED', 'RESERVED', 'REJECTED']);
    expect(c.reason_category).toBe('CLASS_IS_FULL');
    // Refused on the session alone: the new member's request made no client.
    expect(await app.ctx.db('client_identities').where({ identity_type_id: wellpassTypeId, value: refused.unique_token })).toHaveLength(0);
    const row = await app.ctx.db('class_sessions').where({ id: session.id }).first();
    expect([row.booked_count, row.aggregator_booked_count]).toEqual([2, 2]);
    // Every event came twice: still one booking each, one client for the new member.
    const bookings = await app.ctx.db('bookings').where({ session_id: session.id });
    expect(bookings.map((x: { source: string }) => x.source)).toEqual(['wellpass', 'wellpass']);
    const owners = await app.ctx.db('client_identities').where({ identity_type_id: wellpassTypeId, value: first.unique_token });
    expect(owners).toHaveLength(1);
    expect(await app.ctx.db('clients').where({ id: owners[0].client_id }).first()).toMatchObject({ first_name: 'Wanda', email: first.email, source: 'wellpass' });
    await drain();
    expect(await slotOf(session.id)).toMatchObject({ total_capacity: 2, total_booked: 2 });

    // The same member again: already booked.
    expect((await request(session.id, first)).reason_category).toBe('USER_IS_ALREADY_BOOKED');

    // A late copy of each decided request, after a Wellpass seat came free: the answers first given,
    // no seat taken, and still no client for the member refused.
    await sb.cancelBooking(b.booking_number);
    for (const booking of [a, c]) {
      const delivery = sb.deliveries().find((d) => d.event_type === 'booking-requested' && d.body.event_data.slot.booking_number === booking.booking_number)!;
      const body = JSON.stringify(delivery.body);
      const again = await app.http.post(`/api/v1/webhooks/wellpass/${integrationId}`).set(signWebhook(body, SECRET)).send(body).expect(200);
      expect(again.body.status).toBe(booking === a ? 'reserved' : 'rejected');
    }
    expect((await app.ctx.db('class_sessions').where({ id: session.id }).first()).aggregator_booked_count).toBe(1);
    expect(await app.ctx.db('client_identities').where({ identity_type_id: wellpassTypeId, value: refused.unique_token })).toHaveLength(0);
  });

  it('lands on the client staff gave the Wellpass id to, and cancels (late too) by the member in Wellpass only', async () => {
    const session = await newSession({ capacity: 5 });
    await drain();
    const known = await post('/api/v1/admin/clients', { firstName: 'Kim', lastName: 'Known', email: 'kim@club.example', homeLocationId: locationId });
    const u = user();
    await post(`/api/v1/admin/clients/${known.id}/identities`, { identityTypeId: wellpassTypeId, value: u.unique_token });
    const reserved = await request(session.id, u);
    expect(reserved.status).toBe('RESERVED');
    const booking = await app.ctx.db('bookings').where({ session_id: session.id, client_id: known.id }).first();
    expect(booking).toMatchObject({ source: 'wellpass', status: 'booked' });

    // Staff cannot cancel it one by one.
    const roster = (await app.http.get(`/api/v1/admin/sessions/${session.id}/bookings`).set(auth).expect(200)).body.items;
    expect(roster).toEqual([expect.objectContaining({ id: booking.id, source: 'wellpass', product: 'EGYM Wellpass' })]);
    const refused = await app.http.delete(`/api/v1/admin/bookings/${booking.id}`).set(auth).expect(422);
    expect(refused.body).toMatchObject({ code: 'aggregatorBooking' });
    expect(refused.body.detail).toMatch(/cancel the session/);

    await sb.cancelBooking(reserved.booking_number, { late: true });
    await eventually(() => app.ctx.db('bookings').where({ id: booking.id }).first(), (b) => b.status === 'cancelled');
    expect(await app.ctx.db('wellpass_bookings').where({ booking_number: reserved.booking_number }).first()).toMatchObject({ status: 'late_cancelled' });
    expect((await app.ctx.db('class_sessions').where({ id: session.id }).first()).aggregator_booked_count).toBe(0);
  });

  it('makes one client of a new member whose first two requests arrive at once, and books both', async () => {
    const [yoga, pilates] = [await newSession({ capacity: 5 }), await newSession({ capacity: 5 })];
    await drain();
    const u = user();
    const [a, b] = await Promise.all([request(yoga.id, u), request(pilates.id, u)]);
    expect([a.status, b.status]).toEqual(['RESERVED', 'RESERVED']);
    const owners = await app.ctx.db('client_identities').where({ identity_type_id: wellpassTypeId, value: u.unique_token });
    expect(owners).toHaveLength(1);
    const booked = await app.ctx.db('bookings').whereIn('session_id', [yoga.id, pilates.id]).pluck('client_id');
    expect(booked).toEqual([owners[0].client_id, owners[0].client_id]);
    expect(await app.ctx.db('clients').where({ email: u.email })).toHaveLength(1);
  });

  it('lists the requests for staff, newest first: who asked, for which class, the decision, and whether Wellpass has it', async () => {
    const session = await newSession({ capacity: 1 });
    await drain();
    const [first, second] = [user(), user()];
    const reserved = await request(session.id, first);
    const refused = await request(session.id, second);
    const list = async (query: string) => (await app.http.get(`/api/v1/admin/integrations/${integrationId}/requests${query}`).set(auth).expect(200)).body;
    const newest = await eventually(() => list('?limit=1'), (p) => p.items[0]?.bookingNumber === refused.booking_number && p.items[0].decisionSentAt !== null);
    // The member refused has no client: the request keeps who they are.
    expect(newest.items[0]).toMatchObject({
      status: 'rejected', reasonCategory: 'CLASS_IS_FULL', clientId: null, uniqueToken: second.unique_token, memberName: second.name, memberEmail: second.email,
      sessionId: session.id, activityName: 'Spinning', startsAt: session.startsAt,
    });
    const older = await list(`?limit=1&cursor=${newest.nextCursor}`);
    expect(older.items[0]).toMatchObject({ bookingNumber: reserved.booking_number, status: 'reserved', memberName: first.name, clientId: expect.any(Number) });
    const bad = await app.http.get(`/api/v1/admin/integrations/${integrationId}/requests?limit=0`).set(auth).expect(400);
    expect(bad.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'limit' })] });
  });

  it('withdraws the slot of a class the club cancels and tells Wellpass about each booking in it', async () => {
    const session = await newSession({ capacity: 5 });
    await drain();
    const one = await request(session.id);
    const two = await request(session.id);
    await app.http.patch(`/api/v1/admin/sessions/${session.id}`).set(auth).send({ status: 'cancelled' }).expect(200);
    await drain();
    expect(sb.slots(venue).find((s) => s.id === (one as { slot_id: number }).slot_id)).toMatchObject({ cancelled: true });
    for (const b of [one, two]) expect(sb.booking(b.booking_number)!.status).toBe('CANCELLED_BY_GYM');
    expect(await app.ctx.db('wellpass_bookings').where({ session_id: session.id }).pluck('status')).toEqual(['cancelled_by_gym', 'cancelled_by_gym']);
  });

  it('rejects a request for a slot it does not know, and refuses a wrong signature', async () => {
    const body = JSON.stringify({ event_type: 'booking-requested', event_data: { user: user(), slot: { id: 999_999, gym_id: venue, class_id: 1, booking_number: 'X-1' }, timestamp: Date.now(), event_id: randomUUID() } });
    const ok = await app.http.post(`/api/v1/webhooks/wellpass/${integrationId}`).set(signWebhook(body, SECRET)).send(body).expect(200);
    expect(ok.body).toMatchObject({ status: 'rejected', reasonCategory: 'CLASS_NOT_FOUND' });
    const forged = await app.http.post(`/api/v1/webhooks/wellpass/${integrationId}`).set(signWebhook(body, 'not-the-secret')).send(body).expect(401);
    expect(forged.headers['content-type']).toMatch(/problem\+json/);
  });

  it('follows a change of the integration or its venue made here at once, though webhooks read a kept copy', async () => {
    const session = await newSession();
    await drain();
    const slot = (await slotOf(session.id))!;
    const deliver = async (gymId: string) => {
      const body = JSON.stringify({ event_type: 'booking-requested', event_data: { user: user(), slot: { id: slot.id, gym_id: gymId, class_id: slot.class_id, booking_number: `K-${randomUUID()}` }, timestamp: Date.now(), event_id: randomUUID() } });
      return app.http.post(`/api/v1/webhooks/wellpass/${integrationId}`).set(signWebhook(body, SECRET)).send(body);
    };
    expect((await deliver(venue)).body.status).toBe('reserved');
    await app.http.patch(`/api/v1/admin/integrations/${integrationId}`).set(auth).send({ active: false }).expect(200);
    expect((await deliver(venue)).status).toBe(404);
    await app.http.patch(`/api/v1/admin/integrations/${integrationId}`).set(auth).send({ active: true }).expect(200);
    const moved = randomUUID();
    await app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${locationId}`).set(auth).send({ externalId: moved }).expect(200);
    try {
      expect((await deliver(venue)).body).toMatchObject({ status: 'rejected', reasonCategory: 'CLASS_NOT_FOUND' });
      expect((await deliver(moved)).body.status).toBe('reserved');
    } finally {
      await app.http.put(`/api/v1/admin/integrations/${integrationId}/locations/${locationId}`).set(auth).send({ externalId: venue }).expect(200);
    }
  });

  it('validates a visit once per member and day when a Wellpass booker walks in', async () => {
    // The class and both entries on one Berlin day whenever this runs (an hour from now is the
    // next Berlin day late in the UTC evening).
    const startsAt = new Date(tomorrowAt(11));
    const session = await newSession({ capacity: 5, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString() });
    await drain();
    const u = user();
    expect((await request(session.id, u)).status).toBe('RESERVED');
    const clientId = (await app.ctx.db('client_identities').where({ identity_type_id: wellpassTypeId, value: u.unique_token }).first()).client_id;
    for (const minutes of [-30, -25]) {
      await post('/api/v1/admin/door-access-events', { doorId: entrance, clientId, occurredAt: new Date(startsAt.getTime() + minutes * 60_000).toISOString() });
    }
    await drain();
    expect(sb.validations().filter((v) => v.gympass_id === u.unique_token)).toEqual([expect.objectContaining({ gym_id: venue })]);
  });

  it('rejects as a technical error when booking fails, and tells staff who was turned away', async () => {
    const session = await newSession({ capacity: 5 });
    await drain();
    const member = user();
    // A new member's client cannot be written while the audit table is away.
    await app.ctx.db.schema.renameTable('identity_changes', 'identity_changes_away');
    const decided = await request(session.id, member).finally(() => app.ctx.db.schema.renameTable('identity_changes_away', 'identity_changes'));
    expect(decided).toMatchObject({ status: 'REJECTED', reason_category: 'TECHNICAL_ERROR' });
    expect((await app.ctx.db('class_sessions').where({ id: session.id }).first()).booked_count).toBe(0);
    const { items } = (await app.http.get(`/api/v1/admin/integrations/${integrationId}/issues`).set(auth).expect(200)).body;
    const issue = items.find((i: { key: string }) => i.key === decided.booking_number);
    expect(issue).toMatchObject({ kind: 'bookingFailed', count: 1, dismissible: true });
    expect(issue.detail).toContain(`${member.name} <${member.email}> (Wellpass id ${member.unique_token})`);
    // Staff booked the member at the desk, say: they dismiss it, once.
    const dismiss = () => app.http.post(`/api/v1/admin/integrations/${integrationId}/dismiss-issue`).set(auth).send({ kind: 'bookingFailed', key: decided.booking_number });
    expect((await dismiss().expect(200)).body).toEqual({ dismissed: { kind: 'bookingFailed', key: decided.booking_number } });
    const after = (await app.http.get(`/api/v1/admin/integrations/${integrationId}/issues`).set(auth).expect(200)).body.items;
    expect(after.some((i: { key: string }) => i.key === decided.booking_number)).toBe(false);
    expect((await dismiss().expect(404)).body.detail).toMatch(/no open bookingFailed issue/);
    expect((await app.http.post(`/api/v1/admin/integrations/${integrationId}/dismiss-issue`).set(auth).send({ kind: '' }).expect(400)).body.status).toBe(400);
  });

  it('sends a decision Wellpass did not take in the sweeper', async () => {
    const session = await newSession({ capacity: 5 });
    await drain();
    sb.setFaults([{ match: '/bookings/', method: 'PATCH', rate: 1, step: { status: 500 } }]);
    const slot = (await slotOf(session.id))!;
    const { booking } = await sb.requestBooking(venue, { slot_id: slot.id, user: user() });
    await eventually(() => app.ctx.db('wellpass_bookings').where({ booking_number: booking.booking_number }).first(), (r) => r?.status === 'reserved' && r.send_attempts > 0);
    expect(sb.booking(booking.booking_number)!.status).toBe('PENDING');
    sb.clearFaults();

    const sweep = await runJob('decisions');
    expect(sweep).toMatchObject({ status: 'succeeded', progress: { decisionsSent: 1 } });
    expect(sb.booking(booking.booking_number)!.status).toBe('RESERVED');
    expect((await app.ctx.db('class_sessions').where({ id: session.id }).first()).aggregator_booked_count).toBe(1);
  });

  it('sweeps a decision whose send never ended, not one the request is still sending', async () => {
    const session = await newSession({ capacity: 5 });
    await drain();
    const slot = (await slotOf(session.id))!;
    const { booking } = await sb.requestBooking(venue, { slot_id: slot.id, user: user() });
    const row = () => app.ctx.db('wellpass_bookings').where({ booking_number: booking.booking_number });
    await eventually(() => row().first(), (r) => r?.decision_sent_at !== null);
    const patches = () => sb.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(`/bookings/${booking.booking_number}`)).length;
    expect(patches()).toBe(1);

    // Not marked yet, decided just now: its send is on its way.
    await row().update({ decision_sent_at: null });
    expect(await runJob('decisions')).toMatchObject({ status: 'succeeded' });
    expect(patches()).toBe(1);

    // Decided three minutes ago and never marked: the process stopped while sending.
    await row().update({ updated_at: new Date(Date.now() - 3 * 60_000) });
    expect(await runJob('decisions')).toMatchObject({ status: 'succeeded' });
    expect(patches()).toBe(2);
    expect((await row().first()).decision_sent_at).not.toBeNull();
    expect(sb.booking(booking.booking_number)!.status).toBe('RESERVED');
  });

  it('never overbooks nor passes the cap when club members and Wellpass book the same class at once', async () => {
    const session = await newSession({ capacity: 6 });
    await drain();
    const pass = await post('/api/v1/admin/packages', { name: 'Race pass', activityIds: [activityId] });
    const clubTokens: string[] = [];
    for (let i = 0; i < 8; i++) {
      const client = await post('/api/v1/admin/clients', { firstName: 'Race', lastName: `Club${i}`, homeLocationId: locationId });
      await post(`/api/v1/admin/clients/${client.id}/packages`, { packageId: pass.id });
      clubTokens.push(await app.clientToken(client.id));
    }
    const slot = (await slotOf(session.id))!;
    sb.configure({ webhookCopies: 1 });
    const answers = await Promise.all([
      ...clubTokens.map((token) => app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${token}` }).send({ sessionId: session.id })),
      ...Array.from({ length: 8 }, () => sb.requestBooking(venue, { slot_id: slot.id, user: user() })),
    ]);
    sb.configure({ webhookCopies: 2 });
    const row = await app.ctx.db('class_sessions').where({ id: session.id }).first();
    const held = await app.ctx.db('bookings').where({ session_id: session.id, status: 'booked' }).select('source');
    expect(row.booked_count).toBe(6);
    expect(held).toHaveLength(6);
    const aggregatorHeld = held.filter((b: { source: string }) => b.source === 'wellpass').length;
    expect(row.aggregator_booked_count).toBe(aggregatorHeld);
    expect(aggregatorHeld).toBeLessThanOrEqual(2);
    const decided = await app.ctx.db('wellpass_bookings').where({ session_id: session.id }).select('status', 'reason_category');
    expect(decided).toHaveLength(8);
    expect(decided.filter((d: { status: string }) => d.status === 'reserved')).toHaveLength(aggregatorHeld);
    expect(decided.filter((d: { status: string }) => d.status === 'rejected').every((d: { reason_category: string }) => d.reason_category === 'CLASS_IS_FULL')).toBe(true);
    expect(answers.filter((a) => 'status' in a && a.status === 201)).toHaveLength(6 - aggregatorHeld);
    // Decisions sent at once are marked sent together: none is left for the sweeper.
    await eventually(() => app.ctx.db('wellpass_bookings').where({ session_id: session.id }).whereNull('decision_sent_at'), (unsent) => unsent.length === 0);
  });

  it('repairs drift in the reconcile: a slot gone or changed at Wellpass is put back', async () => {
    const session = await newSession({ capacity: 4 });
    await drain();
    const slot = (await slotOf(session.id))!;
    await fetch(`${sb.url}/booking/v1/gyms/${venue}/classes/${slot.class_id}/slots/${slot.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ total_capacity: 40 }) });
    expect((await runJob('reconcile')).status).toBe('succeeded');
    expect(await slotOf(session.id)).toMatchObject({ total_capacity: 2 });

    // A remote side that lost everything (a new account): classes and slots are published again.
    sb.reset();
    sb.configure({ webhookSecret: SECRET, webhookUrl: `${app.url}/api/v1/webhooks/wellpass/${integrationId}` });
    expect(await slotOf(session.id)).toBeUndefined();
    expect((await runJob('reconcile')).status).toBe('succeeded');
    expect(await slotOf(session.id)).toMatchObject({ total_capacity: 2, total_booked: 0 });
  });

  it('reconciles a venue holding more sessions than one page, each published once', async () => {
    // Written straight to the database, as another instance's import might: no outbox event, so
    // only the reconcile can publish them.
    const ids: number[] = [];
    const firstStart = Date.now() + 50 * HOUR;
    for (let i = 0; i < RECONCILE_PAGE + 3; i++) {
      const startsAt = new Date(firstStart + i * 10 * 60_000);
      ids.push(await insertSession(app.ctx.db, { activityId, locationId, startsAt, endsAt: new Date(startsAt.getTime() + HOUR), capacity: 10, instructor: null, status: 'scheduled' }, new Date()));
    }
    // Paging is what is tested here, not the rate limit: 500 slot POSTs at its 25 a second would take 20 s.
    const limited = sb.settings().rateLimit;
    sb.configure({ rateLimit: null });
    const run = await runJob('reconcile').finally(() => sb.configure({ rateLimit: limited }));
    expect(run.status).toBe('succeeded');
    expect(run.progress.sessionsChecked).toBeGreaterThan(RECONCILE_PAGE);
    const live = new Set(sb.slots(venue).filter((x) => !x.cancelled).map((x) => x.id));
    const published = await app.ctx.db('wellpass_slots').where({ integration_id: integrationId }).whereIn('session_id', ids).select('remote_slot_id');
    expect(published).toHaveLength(ids.length);
    expect(published.every((r: { remote_slot_id: number }) => live.has(Number(r.remote_slot_id)))).toBe(true);
    // Nothing changed: a second reconcile writes nothing.
    expect((await runJob('reconcile')).progress).toMatchObject({ slotsCreated: 0, slotsUpdated: 0, slotsWithdrawn: 0 });
  });
});
