import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cancelBookingOfSession, joinWaitlist, leaveWaitlistOfSession } from '../../src/bookings/service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { readEveryOutboxTopic } from '../support/outbox.js';

const HOUR = 3600_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Waitlists over real HTTP, on SQLite or on the MySQL/MariaDB of TEST_DATABASE_URL; each test makes its own records. */
describe('waitlists', () => {
  let app: TestApp;
  let admin: string;
  let locationId: number;
  let yogaId: number;
  let spinId: number;
  let seq = 0;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const post = (path: string, body: unknown, token = admin) => app.http.post(path).set(as(token)).send(body as object);
  const del = (path: string, token: string) => app.http.delete(path).set(as(token));
  const patch = (path: string, body: unknown) => app.http.patch(path).set(as(admin)).send(body as object);
  async function created(path: string, body: unknown) {
    const res = await post(path, body);
    expect(res.status).toBe(201);
    return res.body;
  }
  async function session(overrides: Record<string, unknown> = {}) {
    return created('/api/v1/admin/sessions', {
      activityId: yogaId, locationId, startsAt: at(3 * HOUR), endsAt: at(4 * HOUR), capacity: 1, waitlistCapacity: 5, ...overrides,
    });
  }
  interface Member { id: number; token: string; clientPackageId: number }
  async function member(activityIds: number[] = [yogaId]): Promise<Member> {
    const client = await created('/api/v1/admin/clients', { firstName: 'W', lastName: `Waiter${++seq}`, homeLocationId: locationId });
    const pkg = await created('/api/v1/admin/packages', { name: `WP${seq}`, activityIds });
    const cp = await created(`/api/v1/admin/clients/${client.id}/packages`, { packageId: pkg.id });
    return { id: client.id, token: await app.clientToken(client.id), clientPackageId: cp.id };
  }
  const members = async (n: number) => { const list: Member[] = []; for (let i = 0; i < n; i++) list.push(await member()); return list; };
  const book = async (s: { id: number }, m: Member) => {
    const res = await post('/api/v1/me/bookings', { sessionId: s.id }, m.token);
    expect(res.status).toBe(201);
    return res.body;
  };
  const join = (s: { id: number }, m: Member) => post('/api/v1/me/waitlist', { sessionId: s.id }, m.token);
  const detail = async (s: { id: number }) => (await app.http.get(`/api/v1/admin/sessions/${s.id}`).set(as(admin))).body;
  const bookingOf = (s: { id: number }, m: Member) => app.ctx.db('bookings').where({ session_id: s.id, client_id: m.id }).first();
  const entryOf = (s: { id: number }, m: Member) => app.ctx.db('waitlist_entries').where({ session_id: s.id, client_id: m.id }).first();
  async function seen(s: { id: number; startsAt: string }, m: Member) {
    const from = new Date(new Date(s.startsAt).getTime() - 60_000).toISOString();
    const res = await app.http.get(`/api/v1/me/classes?from=${from}&to=${at(30 * 24 * HOUR)}`).set(as(m.token));
    expect(res.status).toBe(200);
    return res.body.items.find((i: { id: number }) => i.id === s.id);
  }
  /** The seat and waitlist ledger agrees with the rows behind it. */
  async function ledger(s: { id: number }) {
    const row = await app.ctx.db('class_sessions').where({ id: s.id }).first();
    const count = async (table: string, where: Record<string, unknown>) => Number((await app.ctx.db(table).where(where).count({ n: '*' }).first())!.n);
    const booked = await count('bookings', { session_id: s.id, status: 'booked' });
    const waiting = await count('waitlist_entries', { session_id: s.id, status: 'waiting' });
    expect(row.booked_count).toBe(booked);
    expect(row.waitlist_count).toBe(waiting);
    expect(booked).toBeLessThanOrEqual(row.capacity);
    return { capacity: row.capacity as number, booked, waiting, promoted: await count('waitlist_entries', { session_id: s.id, status: 'promoted' }) };
  }

  beforeAll(async () => {
    app = await startTestApp();
    await readEveryOutboxTopic(app.ctx);
    admin = await app.staffToken('admin');
    locationId = (await created('/api/v1/admin/locations', { name: 'Wait', timezone: 'Europe/Berlin' })).id;
    yogaId = (await created('/api/v1/admin/activities', { name: 'Yoga' })).id;
    spinId = (await created('/api/v1/admin/activities', { name: 'Spinning' })).id;
  });
  afterAll(() => app.close());

  it('takes waitlist capacities on sessions (none by default)', async () => {
    const plain = await created('/api/v1/admin/sessions', { activityId: yogaId, locationId, startsAt: at(3 * HOUR), endsAt: at(4 * HOUR), capacity: 2 });
    expect(plain).toMatchObject({ waitlistCapacity: 0, waitlistCount: 0 });
    expect((await patch(`/api/v1/admin/sessions/${plain.id}`, { waitlistCapacity: 4 })).body.waitlistCapacity).toBe(4);
    const bad = await post('/api/v1/admin/sessions', { activityId: yogaId, locationId, startsAt: at(3 * HOUR), endsAt: at(4 * HOUR), capacity: 2, waitlistCapacity: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['waitlistCapacity']);
  });

  it('lets members join a full class, in order, shows their place, and lets them leave', async () => {
    const s = await session({ capacity: 2 });
    const [a, b, c, d, e] = await members(5);
    await book(s, a);
    const early = await join(s, b);
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ status: 422, code: 'notFull' });
    expect(early.headers['content-type']).toMatch(/application\/problem\+json/);
    await book(s, b);

    const joined = await join(s, c);
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({ sessionId: s.id, clientId: c.id, position: 1, status: 'waiting', id: expect.any(Number) });
    expect((await join(s, d)).body.position).toBe(2);
    expect((await join(s, e)).body.position).toBe(3);

    expect(await seen(s, d)).toMatchObject({
      bookable: false, reason: 'full', waitlist: { capacity: 5, count: 3, position: 2, entryId: expect.any(Number) }, canJoinWaitlist: false, waitlistReason: 'alreadyOnWaitlist',
    });
    const other = await member();
    const outside = await seen(s, other);
    expect(outside).toMatchObject({ waitlist: { capacity: 5, count: 3 }, canJoinWaitlist: true });
    expect(outside.waitlist.position).toBeUndefined();
    expect(outside.waitlistReason).toBeUndefined();
    expect(await seen(s, a)).toMatchObject({ reason: 'alreadyBooked', waitlistReason: 'alreadyBooked' });
    expect((await detail(s)).waitlist.map((w: { clientId: number; position: number }) => [w.clientId, w.position])).toEqual([[c.id, 1], [d.id, 2], [e.id, 3]]);

    // d leaves: e moves up; leaving again answers the entry as it is; not someone else's entry
    const left = await del(`/api/v1/me/waitlist/${(await seen(s, d)).waitlist.entryId}`, d.token);
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ status: 'left', position: null });
    expect((await del(`/api/v1/me/waitlist/${left.body.id}`, d.token)).body.status).toBe('left');
    expect((await del(`/api/v1/me/waitlist/${left.body.id}`, e.token)).status).toBe(404);
    expect((await seen(s, e)).waitlist).toEqual({ capacity: 5, count: 2, position: 2, entryId: expect.any(Number) });
    // a re-join goes to the back
    expect((await join(s, d)).body).toMatchObject({ id: left.body.id, position: 3, status: 'waiting' });
    expect(await ledger(s)).toMatchObject({ booked: 2, waiting: 3 });
  });

  it('refuses with a code what the booking rules or the waitlist do not allow', async () => {
    const [holder, m, spinner] = [await member(), await member(), await member([spinId])];
    const s = await session({ waitlistCapacity: 1 });
    await book(s, holder);
    expect((await join(s, holder)).body.code).toBe('alreadyBooked');
    expect((await join(s, spinner)).body.code).toBe('noPackage');
    expect((await join(s, m)).status).toBe(201);
    expect((await join(s, m)).body.code).toBe('alreadyOnWaitlist');
    expect((await join(s, await member())).body.code).toBe('waitlistFull');

    const none = await session({ waitlistCapacity: 0 });
    await book(none, holder);
    expect((await join(none, m)).body).toMatchObject({ code: 'waitlistFull', detail: 'This class has no waitlist' });

    const started = await session({ startsAt: at(-HOUR), endsAt: at(HOUR) });
    expect((await join(started, m)).body.code).toBe('started');
    const cancelled = await session();
    await book(cancelled, holder);
    const early = await member();
    await join(cancelled, early);
    await patch(`/api/v1/admin/sessions/${cancelled.id}`, { status: 'cancelled' });
    expect((await join(cancelled, m)).body.code).toBe('sessionCancelled');
    expect((await entryOf(cancelled, early)).status).toBe('expired'); // a cancelled class has nothing to wait for
    expect(await ledger(cancelled)).toMatchObject({ waiting: 0 });

    expect((await post('/api/v1/me/waitlist', { sessionId: 987654 }, m.token)).status).toBe(404);
    const bad = await post('/api/v1/me/waitlist', { sessionId: 'x', extra: 1 }, m.token);
    expect(bad.status).toBe(400);
    expect((await del('/api/v1/me/waitlist/987654', m.token)).status).toBe(404);
    expect((await post('/api/v1/me/waitlist', { sessionId: s.id })).status).toBe(403);
  });

  it('promotes the first waiting member when a booking is cancelled, and records it in the outbox', async () => {
    const s = await session();
    const [a, b, c] = await members(3);
    const booking = await book(s, a);
    const bEntry = (await join(s, b)).body;
    await join(s, c);

    expect((await del(`/api/v1/me/bookings/${booking.id}`, a.token)).body.status).toBe('cancelled');
    const promoted = await bookingOf(s, b);
    expect(promoted).toMatchObject({ status: 'booked', source: 'waitlist' });
    expect(await entryOf(s, b)).toMatchObject({ status: 'promoted', booking_id: promoted.id });
    expect((await del(`/api/v1/me/waitlist/${bEntry.id}`, b.token)).body.code).toBe('notOnWaitlist');
    expect(await seen(s, b)).toMatchObject({ bookable: false, reason: 'alreadyBooked', bookingId: promoted.id, waitlist: { count: 1 } });
    expect((await seen(s, c)).waitlist).toMatchObject({ count: 1, position: 1 });
    expect((await detail(s)).waitlist).toEqual([expect.objectContaining({ clientId: c.id, position: 1 })]);
    expect(await ledger(s)).toMatchObject({ booked: 1, waiting: 1, promoted: 1 });

    const events = await app.ctx.db('outbox_events').where({ topic: 'booking', subject_id: promoted.id }).select('kind', 'location_id');
    expect(events).toEqual([{ kind: 'promoted', location_id: locationId }]);

    // the promoted member cancels in turn: the next one moves up
    await del(`/api/v1/me/bookings/${promoted.id}`, b.token);
    expect(await bookingOf(s, c)).toMatchObject({ status: 'booked', source: 'waitlist' });
    expect(await ledger(s)).toMatchObject({ booked: 1, waiting: 0, promoted: 2 });
  });

  it('passes over waiting members who can no longer book, and expires their entries', async () => {
    const s = await session();
    const [a, lapsed, c] = await members(3);
    const booking = await book(s, a);
    await join(s, lapsed);
    await join(s, c);
    await app.ctx.db('client_packages').where({ id: lapsed.clientPackageId }).update({ ends_at: new Date(Date.now() - 60_000) });
    await del(`/api/v1/me/bookings/${booking.id}`, a.token);
    expect(await entryOf(s, lapsed)).toMatchObject({ status: 'expired' });
    expect(await bookingOf(s, lapsed)).toBeUndefined();
    expect(await bookingOf(s, c)).toMatchObject({ status: 'booked', source: 'waitlist' });
    expect(await ledger(s)).toMatchObject({ booked: 1, waiting: 0, promoted: 1 });
  });

  it('promotes as many waiting members as a capacity increase frees seats', async () => {
    const s = await session();
    const [a, b, c, d] = await members(4);
    await book(s, a);
    for (const m of [b, c, d]) await join(s, m);
    const res = await patch(`/api/v1/admin/sessions/${s.id}`, { capacity: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ capacity: 3, seatsLeft: 0, waitlistCount: 1 });
    expect((await bookingOf(s, b)).status).toBe('booked');
    expect((await bookingOf(s, c)).status).toBe('booked');
    expect(await bookingOf(s, d)).toBeUndefined();
    expect((await seen(s, d)).waitlist.position).toBe(1);
    expect(await ledger(s)).toMatchObject({ booked: 3, waiting: 1, promoted: 2 });
  });

  it('closes the waitlist at the cut-off: nobody joins or moves up, the seat is open to anyone', async () => {
    expect(app.ctx.config.WAITLIST_PROMOTION_CUTOFF_MINUTES).toBe(60);
    let s = await session();
    const [a, b, c, d] = await members(4);
    const booking = await book(s, a);
    await join(s, b);
    await join(s, c);
    // the class moves to start in 50 minutes: inside the cut-off
    s = (await patch(`/api/v1/admin/sessions/${s.id}`, { startsAt: at(50 * 60_000), endsAt: at(2 * HOUR) })).body;
    expect((await join(s, d)).body.code).toBe('waitlistClosed');
    expect(await seen(s, d)).toMatchObject({ canJoinWaitlist: false, waitlistReason: 'waitlistClosed' });
    await del(`/api/v1/me/bookings/${booking.id}`, a.token);
    expect(await bookingOf(s, b)).toBeUndefined();
    expect((await entryOf(s, b)).status).toBe('waiting');
    // c books the open seat directly and stops waiting; d could have too
    await book(s, c);
    expect((await entryOf(s, c)).status).toBe('left');
    expect(await ledger(s)).toMatchObject({ booked: 1, waiting: 1, promoted: 0 });
  });

  it('gives a seat freed under concurrent cancels and joins to exactly one waiting member, and never overbooks', async () => {
    const s = await session({ capacity: 1, waitlistCapacity: 30 });
    const [holder, ...waiters] = await members(5);
    const booking = await book(s, holder);
    for (const m of waiters.slice(0, 2)) expect((await join(s, m)).status).toBe(201);
    const latecomers = waiters.slice(2);
    // the same cancel three times (e.g. a double tap and a retry) and joins, all at once
    const results = await Promise.all([
      ...[1, 2, 3].map(() => del(`/api/v1/me/bookings/${booking.id}`, holder.token)),
      ...latecomers.map((m) => join(s, m)),
    ]);
    expect(results.slice(0, 3).every((r) => r.status === 200)).toBe(true);
    expect(results.slice(3).every((r) => r.status === 201)).toBe(true); // the seat went to the first waiter at once
    expect((await bookingOf(s, waiters[0]!)).status).toBe('booked');
    expect(await ledger(s)).toMatchObject({ booked: 1, waiting: 3, promoted: 1 });
    const positions = await Promise.all(waiters.slice(1).map(async (m) => (await seen(s, m)).waitlist.position));
    expect(positions.sort()).toEqual([1, 2, 3]);
    expect(Number((await app.ctx.db('outbox_events').where({ topic: 'booking', kind: 'promoted', subject_id: (await bookingOf(s, waiters[0]!)).id }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('keeps seats and places exact when many members cancel, book and join at once', async () => {
    const s = await session({ capacity: 4, waitlistCapacity: 6 });
    const holders = await members(4);
    const bookings: { id: number }[] = [];
    for (const m of holders) bookings.push(await book(s, m));
    const queued = await members(3);
    for (const m of queued) await join(s, m);
    const crowd = await members(8);
    const results = await Promise.all([
      ...holders.map((m, i) => del(`/api/v1/me/bookings/${bookings[i].id}`, m.token)),
      ...crowd.map((m, i) => (i % 2 ? join(s, m) : post('/api/v1/me/bookings', { sessionId: s.id }, m.token))),
    ]);
    expect(results.every((r) => [200, 201, 422].includes(r.status))).toBe(true);
    expect(results.filter((r) => r.status === 422).every((r) => ['full', 'notFull', 'waitlistFull'].includes(r.body.code))).toBe(true);
    const state = await ledger(s);
    // the queue was served first: every early waiter got one of the four freed seats
    for (const m of queued) expect((await bookingOf(s, m)).status).toBe('booked');
    expect(state.booked).toBeGreaterThanOrEqual(3);
    expect(state.promoted).toBeGreaterThanOrEqual(3);
    // a seat is never free while someone waits (all before the cut-off)
    if (state.booked < state.capacity) expect(state.waiting).toBe(0);
    const waitlistBookings = Number((await app.ctx.db('bookings').where({ session_id: s.id, source: 'waitlist', status: 'booked' }).count({ n: '*' }).first())!.n);
    expect(waitlistBookings).toBe(state.promoted);
    const events = Number((await app.ctx.db('outbox_events as e').join('bookings as b', 'b.id', 'e.subject_id').where({ 'e.topic': 'booking', 'e.kind': 'promoted', 'b.session_id': s.id }).count({ n: '*' }).first())!.n);
    expect(events).toBe(state.promoted);
  });

  it('never leaves a member waiting beside a free seat when joins race a cancellation (rounds)', async () => {
    for (let round = 0; round < 6; round++) {
      const s = await session({ capacity: 1, waitlistCapacity: 10 });
      const [holder, ...crowd] = await members(5);
      const booking = await book(s, holder);
      const results = await Promise.all([...crowd.map((m) => join(s, m)), del(`/api/v1/me/bookings/${booking.id}`, holder.token)]);
      // a join before the cancellation waits and the first such joiner gets the seat; one after it sees the seat (notFull)
      expect(results.slice(0, -1).every((r) => r.status === 201 || r.body.code === 'notFull')).toBe(true);
      const state = await ledger(s);
      if (state.booked === 0) expect(state.waiting).toBe(0);
      expect(state.promoted).toBe(state.booked);
      expect(state.promoted + state.waiting).toBe(results.filter((r) => r.status === 201).length);
    }
  });

  it('serves other channels by session: join with a source, leave and cancel by session, with codes', async () => {
    const s = await session();
    const [a, b] = await members(2);
    const refusal = (p: Promise<unknown>) => p.then(() => null, (err: { status: number; extra: { code?: string } }) => [err.status, err.extra.code]);
    expect(await refusal(cancelBookingOfSession(app.ctx, a.id, s.id))).toEqual([422, 'notBooked']);
    expect(await refusal(cancelBookingOfSession(app.ctx, a.id, 987654))).toEqual([404, undefined]);
    expect(await refusal(joinWaitlist(app.ctx, b.id, 987654, 'egym'))).toEqual([404, undefined]);
    await book(s, a);
    const entry = await joinWaitlist(app.ctx, b.id, s.id, 'egym');
    expect(entry).toMatchObject({ sessionId: s.id, clientId: b.id, position: 1, status: 'waiting', source: 'egym', bookingId: null });
    expect(await leaveWaitlistOfSession(app.ctx, b.id, s.id)).toMatchObject({ id: entry.id, status: 'left', position: null });
    expect(await refusal(leaveWaitlistOfSession(app.ctx, b.id, s.id))).toEqual([422, 'notOnWaitlist']);
    expect(await refusal(leaveWaitlistOfSession(app.ctx, b.id, 987654))).toEqual([404, undefined]);
    await joinWaitlist(app.ctx, b.id, s.id, 'egym');
    expect(await cancelBookingOfSession(app.ctx, a.id, s.id)).toMatchObject({ status: 'cancelled' });
    expect(await bookingOf(s, b)).toMatchObject({ status: 'booked', source: 'waitlist' });
    expect(await ledger(s)).toMatchObject({ booked: 1, waiting: 0, promoted: 1 });
  });
});
