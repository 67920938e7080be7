import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';

const HOUR = 3600_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('activities, sessions, packages, bookings and attendance', () => {
  let app: TestApp;
  let admin: string;
  let locationId: number;
  let otherLocationId: number;
  let yogaId: number;
  let spinId: number;
  let seq = 0;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  async function post(path: string, body: unknown, token = admin) {
    return app.http.post(path).set(as(token)).send(body as object);
  }
  async function created(path: string, body: unknown) {
    const res = await post(path, body);
    expect(res.status).toBe(201);
    return res.body;
  }
  async function session(overrides: Record<string, unknown> = {}) {
    return created('/api/v1/admin/sessions', {
      activityId: yogaId, locationId, startsAt: at(2 * HOUR), endsAt: at(3 * HOUR), capacity: 5, ...overrides,
    });
  }
  /** A member with a package granting the given activities (at the given locations). */
  async function member(activityIds: number[], locationIds: number[] = []) {
    const client = await created('/api/v1/admin/clients', { firstName: 'M', lastName: `Member${++seq}`, homeLocationId: locationId });
    const pkg = await created('/api/v1/admin/packages', { name: `P${seq}`, activityIds, locationIds });
    await created(`/api/v1/admin/clients/${client.id}/packages`, { packageId: pkg.id });
    return { id: client.id as number, token: await app.clientToken(client.id) };
  }

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.staffToken('admin');
    locationId = (await created('/api/v1/admin/locations', { name: 'Main', timezone: 'Europe/Berlin' })).id;
    otherLocationId = (await created('/api/v1/admin/locations', { name: 'Other', timezone: 'Europe/Berlin' })).id;
    yogaId = (await created('/api/v1/admin/activities', { name: 'Yoga' })).id;
    spinId = (await created('/api/v1/admin/activities', { name: 'Spinning' })).id;
  });
  afterAll(() => app.close());

  it('creates, reads, updates and deletes activities and sessions', async () => {
    const a = await created('/api/v1/admin/activities', { name: 'Boxing' });
    expect((await app.http.patch(`/api/v1/admin/activities/${a.id}`).set(as(admin)).send({ name: 'Kickboxing' })).body.name).toBe('Kickboxing');
    const s = await session({ activityId: a.id, instructor: 'Ann' });
    await session({ activityId: a.id });
    expect(s).toMatchObject({ activityName: 'Kickboxing', capacity: 5, seatsLeft: 5, status: 'scheduled', instructor: 'Ann' });
    expect((await app.http.delete(`/api/v1/admin/activities/${a.id}`).set(as(admin))).status).toBe(409);
    const list = await app.http.get(`/api/v1/admin/sessions?locationId=${locationId}&limit=1`).set(as(admin));
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    expect((await app.http.patch(`/api/v1/admin/sessions/${s.id}`).set(as(admin)).send({ status: 'cancelled' })).body.status).toBe('cancelled');
    expect((await app.http.delete(`/api/v1/admin/sessions/${s.id}`).set(as(admin))).status).toBe(204);
    await app.ctx.db('class_sessions').where({ activity_id: a.id }).delete();
    expect((await app.http.get(`/api/v1/admin/sessions/${s.id}`).set(as(admin))).status).toBe(404);
  });

  it('refuses bad session and package input, listing every field', async () => {
    const res = await post('/api/v1/admin/sessions', { activityId: 'x', startsAt: 'yesterday', capacity: 0, extra: 1 });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['activityId', 'locationId', 'startsAt', 'endsAt', 'capacity']));
    const reversed = await post('/api/v1/admin/sessions', { activityId: yogaId, locationId, startsAt: at(3 * HOUR), endsAt: at(2 * HOUR), capacity: 3 });
    expect(reversed.status).toBe(400);
    const unknown = await post('/api/v1/admin/sessions', { activityId: 999999, locationId: 999999, startsAt: at(HOUR), endsAt: at(2 * HOUR), capacity: 3 });
    expect(unknown.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['activityId', 'locationId']);
    const pkg = await post('/api/v1/admin/packages', { name: 'x'.repeat(201), activityIds: [999999], altId: 5 });
    expect(pkg.status).toBe(400);
    const pkgUnknown = await post('/api/v1/admin/packages', { name: 'ok', activityIds: [yogaId, 999999], locationIds: [999998] });
    expect(pkgUnknown.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['activityIds.1', 'locationIds.0']);
  });

  it('keeps alt ids unique and attaches pending client packages when the package appears', async () => {
    await created('/api/v1/admin/packages', { name: 'Gold', altId: 'payment_plan_1', activityIds: [yogaId] });
    const clash = await post('/api/v1/admin/packages', { name: 'Gold 2', altId: 'payment_plan_1', activityIds: [yogaId] });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toMatch(/payment_plan_1.*Gold/);

    const client = await created('/api/v1/admin/clients', { firstName: 'P', lastName: 'Pending', homeLocationId: locationId });
    const now = new Date();
    await app.ctx.db('client_packages').insert({
      client_id: client.id, package_id: null, alt_id: 'payment_plan_77', source: 'perfect_gym', source_ref: 'contract:77',
      status: 'active', created_at: now, updated_at: now,
    });
    const s = await session();
    const token = await app.clientToken(client.id);
    expect((await post('/api/v1/me/bookings', { sessionId: s.id }, token)).body.code).toBe('noPackage');
    const pkg = await created('/api/v1/admin/packages', { name: 'Silver', altId: 'payment_plan_77', activityIds: [yogaId] });
    expect(pkg.pendingAssignmentsAttached).toBe(1);
    expect((await post('/api/v1/me/bookings', { sessionId: s.id }, token)).status).toBe(201);
    expect((await app.http.delete(`/api/v1/admin/packages/${pkg.id}`).set(as(admin))).status).toBe(409);
  });

  it('enforces every booking rule with a machine-readable code', async () => {
    const yogi = await member([yogaId], [locationId]);
    const yoga = await session({ capacity: 1 });
    const spin = await session({ activityId: spinId });
    const elsewhere = await session({ locationId: otherLocationId });
    const started = await session({ startsAt: at(-HOUR), endsAt: at(HOUR) });

    expect((await post('/api/v1/me/bookings', { sessionId: spin.id }, yogi.token)).body.code).toBe('noPackage');
    expect((await post('/api/v1/me/bookings', { sessionId: elsewhere.id }, yogi.token)).body.code).toBe('noPackage');
    expect((await post('/api/v1/me/bookings', { sessionId: started.id }, yogi.token)).body.code).toBe('started');
    const booked = await post('/api/v1/me/bookings', { sessionId: yoga.id }, yogi.token);
    expect(booked.status).toBe(201);
    const again = await post('/api/v1/me/bookings', { sessionId: yoga.id }, yogi.token);
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'alreadyBooked', status: 422 });
    const other = await member([yogaId]);
    expect((await post('/api/v1/me/bookings', { sessionId: yoga.id }, other.token)).body.code).toBe('full');

    // cancelling frees the seat; the other member can now book; re-booking reuses the row
    const cancelled = await app.http.delete(`/api/v1/me/bookings/${booked.body.id}`).set(as(yogi.token));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await app.http.delete(`/api/v1/me/bookings/${booked.body.id}`).set(as(yogi.token))).status).toBe(200);
    expect((await app.http.delete(`/api/v1/me/bookings/${booked.body.id}`).set(as(other.token))).status).toBe(404);
    expect((await post('/api/v1/me/bookings', { sessionId: yoga.id }, other.token)).status).toBe(201);
    expect((await app.http.get(`/api/v1/admin/sessions/${yoga.id}`).set(as(admin))).body.seatsLeft).toBe(0);
    const yin = await session({ capacity: 2 });
    const first = await post('/api/v1/me/bookings', { sessionId: yin.id }, yogi.token);
    expect((await app.http.delete(`/api/v1/me/bookings/${first.body.id}`).set(as(yogi.token))).status).toBe(200);
    expect((await post('/api/v1/me/bookings', { sessionId: yin.id }, yogi.token)).body).toMatchObject({ id: first.body.id, status: 'booked' });
    expect((await app.http.get(`/api/v1/admin/sessions/${yin.id}`).set(as(admin))).body.seatsLeft).toBe(1);
    expect((await post('/api/v1/me/bookings', { sessionId: 'x' }, yogi.token)).status).toBe(400);
    expect((await post('/api/v1/me/bookings', { sessionId: 987654 }, yogi.token)).status).toBe(404);
  });

  it('lists classes with bookable and the reason', async () => {
    const from = at(10 * 24 * HOUR);
    const to = at(11 * 24 * HOUR);
    const mk = (o: Record<string, unknown>) => session({ startsAt: at(10 * 24 * HOUR + HOUR), endsAt: at(10 * 24 * HOUR + 2 * HOUR), ...o });
    const open = await mk({});
    const full = await mk({ capacity: 1 });
    const spin = await mk({ activityId: spinId });
    const mine = await mk({});
    const m = await member([yogaId]);
    const filler = await member([yogaId]);
    await post('/api/v1/me/bookings', { sessionId: full.id }, filler.token);
    await post('/api/v1/me/bookings', { sessionId: mine.id }, m.token);

    const res = await app.http.get(`/api/v1/me/classes?from=${from}&to=${to}`).set(as(m.token));
    expect(res.status).toBe(200);
    expect(res.body.locationId).toBe(locationId);
    const byId = new Map(res.body.items.map((i: { id: number }) => [i.id, i]));
    expect(byId.get(open.id)).toMatchObject({ bookable: true, bookingId: null });
    expect(byId.get(full.id)).toMatchObject({ bookable: false, reason: 'full' });
    expect(byId.get(spin.id)).toMatchObject({ bookable: false, reason: 'noPackage' });
    expect(byId.get(mine.id)).toMatchObject({ bookable: false, reason: 'alreadyBooked' });
    const startedList = await app.http.get(`/api/v1/me/classes?from=${at(-2 * HOUR)}&to=${at(HOUR)}`).set(as(m.token));
    expect(startedList.body.items.every((i: { reason?: string }) => i.reason === 'started' || i.reason === 'noPackage')).toBe(true);

    const me = await app.http.get('/api/v1/me').set(as(m.token));
    expect(me.body.client.id).toBe(m.id);
    expect(me.body.packages).toHaveLength(1);
    // As members see locations: no integration ids (a club's Perfect Gym or EGYM ids are staff matters).
    expect(Object.keys(me.body.homeLocation).sort()).toEqual(['id', 'name', 'timezone']);
    expect(me.body.homeLocation.id).toBe(locationId);
    expect((await app.http.get('/api/v1/me/bookings').set(as(m.token))).body.items[0].session.activityName).toBe('Yoga');
  });

  it('lists the home location by default, asks for a location when there is none, and follows a move at once', async () => {
    const client = await created('/api/v1/admin/clients', { firstName: 'H', lastName: `Homeless${++seq}` });
    const token = await app.clientToken(client.id);
    const none = await app.http.get('/api/v1/me/classes').set(as(token));
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([expect.objectContaining({ path: 'locationId' })]);
    expect((await app.http.get(`/api/v1/me/classes?locationId=${otherLocationId}`).set(as(token))).body.locationId).toBe(otherLocationId);
    await app.http.patch(`/api/v1/admin/clients/${client.id}`).set(as(admin)).send({ homeLocationId: locationId });
    expect((await app.http.get('/api/v1/me/classes').set(as(token))).body.locationId).toBe(locationId);
    await app.http.patch(`/api/v1/admin/clients/${client.id}`).set(as(admin)).send({ homeLocationId: otherLocationId });
    expect((await app.http.get('/api/v1/me/classes').set(as(token))).body.locationId).toBe(otherLocationId);
  });

  it('shares one class list between members, yet shows bookings and edits made here at once', async () => {
    const from = at(20 * 24 * HOUR);
    const to = at(21 * 24 * HOUR);
    const yoga = await session({ startsAt: at(20 * 24 * HOUR + HOUR), endsAt: at(20 * 24 * HOUR + 2 * HOUR), capacity: 3 });
    const [a, b] = [await member([yogaId]), await member([yogaId])];
    const seen = async (m: { token: string }) => {
      const res = await app.http.get(`/api/v1/me/classes?from=${from}&to=${to}`).set(as(m.token));
      return res.body.items.find((i: { id: number }) => i.id === yoga.id);
    };
    expect(await seen(a)).toMatchObject({ seatsLeft: 3, bookable: true, bookingId: null });
    const booked = await post('/api/v1/me/bookings', { sessionId: yoga.id }, a.token);
    expect(await seen(a)).toMatchObject({ seatsLeft: 2, bookable: false, reason: 'alreadyBooked', bookingId: booked.body.id });
    expect(await seen(b)).toMatchObject({ seatsLeft: 2, bookable: true, bookingId: null });
    await app.http.patch(`/api/v1/admin/sessions/${yoga.id}`).set(as(admin)).send({ capacity: 1, instructor: 'Kim' });
    expect(await seen(b)).toMatchObject({ seatsLeft: 0, bookable: false, reason: 'full', instructor: 'Kim' });
    await app.http.delete(`/api/v1/me/bookings/${booked.body.id}`).set(as(a.token));
    expect(await seen(b)).toMatchObject({ seatsLeft: 1, bookable: true });
  });

  it('keeps members out of admin routes and staff out of member routes', async () => {
    const m = await member([yogaId]);
    expect((await app.http.get('/api/v1/admin/packages').set(as(m.token))).status).toBe(403);
    expect((await app.http.get('/api/v1/me').set(as(admin))).status).toBe(403);
    expect((await app.http.get('/api/v1/me')).status).toBe(401);
  });

  it('never overbooks the last seats under concurrent bookings', async () => {
    const s = await session({ capacity: 5 });
    const members = [];
    for (let i = 0; i < 20; i++) members.push(await member([yogaId]));
    const results = await Promise.all(members.map((m) => post('/api/v1/me/bookings', { sessionId: s.id }, m.token)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.code === 'full')).toBe(true);
    const row = await app.ctx.db('class_sessions').where({ id: s.id }).first();
    expect(row.booked_count).toBe(5);
    const count = await app.ctx.db('bookings').where({ session_id: s.id, status: 'booked' }).count({ n: '*' }).first();
    expect(Number(count!.n)).toBe(5);
  });

  it('turns door entries into attendance inside the window, once per event', async () => {
    const door = await created('/api/v1/admin/doors', { title: 'Entrance', doorCode: 'MAIN-1', locationId, type: 'entrance' });
    const m = await member([yogaId]);
    const starts = Date.now() + 5 * HOUR;
    const s = await session({ startsAt: new Date(starts).toISOString(), endsAt: new Date(starts + HOUR).toISOString() });
    const booking = (await post('/api/v1/me/bookings', { sessionId: s.id }, m.token)).body;
    const entry = (minutesBefore: number, externalId: string) =>
      post('/api/v1/admin/door-access-events', { doorCode: 'MAIN-1', clientId: m.id, occurredAt: new Date(starts - minutesBefore * 60_000).toISOString(), externalId });

    const early = await entry(61, 'e-61');
    expect(early.status).toBe(201);
    expect(early.body.markedAttended).toEqual([]);
    const inWindow = await entry(60, 'e-60');
    expect(inWindow.body.markedAttended).toEqual([booking.id]);
    expect(inWindow.body.event).toMatchObject({ doorId: door.id, locationId, clientId: m.id });
    const repeat = await entry(60, 'e-60');
    expect(repeat.status).toBe(201);
    expect(repeat.body.event.id).toBe(inWindow.body.event.id);
    const events = await app.http.get(`/api/v1/admin/door-access-events?clientId=${m.id}`).set(as(admin));
    expect(events.body.items).toHaveLength(2);
    const detail = await app.http.get(`/api/v1/admin/clients/${m.id}`).set(as(admin));
    expect(detail.body.bookings[0]).toMatchObject({ id: booking.id, status: 'attended' });
    expect(detail.body.doorEvents).toHaveLength(2);
    expect(detail.body.packages).toHaveLength(1);

    const s2 = await session({ startsAt: new Date(starts + 2 * HOUR).toISOString(), endsAt: new Date(starts + 3 * HOUR).toISOString() });
    await post('/api/v1/me/bookings', { sessionId: s2.id }, m.token);
    const after = await post('/api/v1/admin/door-access-events', { doorId: door.id, clientId: m.id, occurredAt: new Date(starts + 3 * HOUR + 60_000).toISOString() });
    expect(after.body.markedAttended).toEqual([]);
  });

  it('refuses bad door events whole', async () => {
    const both = await post('/api/v1/admin/door-access-events', { doorId: 1, doorCode: 'X', occurredAt: 'nope' });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['occurredAt', 'doorId', 'clientId']));
    const unknownDoor = await post('/api/v1/admin/door-access-events', { doorCode: 'NOPE', clientId: 1, occurredAt: at(0) });
    expect(unknownDoor.status).toBe(400);
    expect(unknownDoor.body.errors[0].path).toBe('doorCode');
  });
});
