import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startWellpassSandbox, type Exchange, type WellpassSandbox } from '../../src/sandbox/wellpass/server.js';

const GYM = '3f1c2a9e-5b7d-4c1e-9a2f-0d8e6b4c7a11';
const OTHER_GYM = '8a0b4d6c-1e2f-4a3b-8c5d-9e7f6a5b4c32';
const SECRET = 'test-webhook-secret';
const user = (n: number) => ({ unique_token: `WP-USER-${n}`, name: `Member ${n}`, email: `member.${n}@mail.example` });

const yoga = (extra: Record<string, unknown> = {}) => ({ name: 'Yoga', description: 'Vinyasa flow', bookable: true, visible: true, product_id: 7, reference: 'activity-12', ...extra });
const slotBody = (extra: Record<string, unknown> = {}) => ({
  occur_date: '2026-12-01T18:00:00+01:00',
  room: 'Studio 1',
  status: 1,
  length_in_minutes: 60,
  total_capacity: 20,
  total_booked: 3,
  product_id: 7,
  booking_window: { opens_at: '2026-11-24T18:00:00+01:00', closes_at: '2026-12-01T17:00:00+01:00' },
  cancellable_until: '2026-12-01T16:00:00+01:00',
  instructors: [{ name: 'Ada', substitute: false }],
  virtual: false,
  ...extra,
});

/** A port nothing listens on (just freed). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What the receiver does with the n-th request it gets (1-based): a status, or never answer. */
type Behaviour = (n: number, body: any) => number | 'hang' | Promise<number>;

interface Received {
  raw: string;
  signature: string | undefined;
  contentType: string | undefined;
  body: any;
}

describe('EGYM Wellpass sandbox', () => {
  let sb: WellpassSandbox;
  let receiver: Server;
  let received: Received[] = [];
  let behaviour: Behaviour = () => 200;
  const exchanges: Exchange[] = [];

  async function call(method: string, path: string, opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? sb.token}`;
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sb.url}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any, headers: res.headers };
  }
  const classes = (gym = GYM) => `/booking/v1/gyms/${gym}/classes`;
  const createClass = async (extra: Record<string, unknown> = {}, gym = GYM) => {
    const res = await call('POST', classes(gym), { body: { classes: [yoga(extra)] } });
    expect(res.status).toBe(201);
    return res.body.classes[0] as { id: number };
  };
  const createSlot = async (classId: number, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', `${classes()}/${classId}/slots`, { body: slotBody(extra) });
    expect(res.status).toBe(201);
    return res.body.results[0].id as number;
  };
  const decide = (bookingNumber: string, body: unknown) => call('PATCH', `/booking/v2/gyms/${GYM}/bookings/${bookingNumber}`, { body });
  const pendingBooking = async (n = 1) => {
    const slotId = await createSlot((await createClass()).id);
    const { booking } = await sb.requestBooking(GYM, { slot_id: slotId, user: user(n) });
    return { slotId, booking };
  };

  beforeAll(async () => {
    const app = express();
    app.post('/webhooks/wellpass', express.raw({ type: '*/*' }), async (req, res) => {
      const raw = (req.body as Buffer).toString('utf8');
      received.push({ raw, signature: req.get('x-gympass-signature'), contentType: req.get('content-type'), body: JSON.parse(raw) });
      const answer = await behaviour(received.length, JSON.parse(raw));
      if (answer !== 'hang') res.status(answer).end();
    });
    receiver = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => receiver.once('listening', resolve));
    sb = await startWellpassSandbox({
      webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/wellpass`,
      webhookSecret: SECRET,
      webhookTimeoutMs: 250,
      rateLimit: null,
      onExchange: (e) => exchanges.push(e),
    });
  });
  afterAll(async () => {
    await sb.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(async () => {
    await sb.webhooksSettled();
    sb.reset();
    received = [];
    behaviour = () => 200;
    exchanges.length = 0;
  });

  it('refuses a missing or wrong Bearer token with 401', async () => {
    for (const token of [null, 'wrong']) {
      const res = await call('GET', classes(), { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: [{ message: 'unauthorized' }] });
    }
    expect((await call('POST', '/access/v1/validate', { token: null, body: {} })).status).toBe(401);
  });

  it('creates, lists, reads and replaces classes; never deletes them', async () => {
    const res = await call('POST', classes(), { body: { classes: [yoga(), { name: 'Spinning', description: 'Indoor cycling', bookable: false, visible: true, product_id: 8, categories: [3, 4], notes: 'bring a towel' }] } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      classes: [
        { id: expect.any(Number), ...yoga(), notes: null, categories: [] },
        { id: expect.any(Number), name: 'Spinning', description: 'Indoor cycling', notes: 'bring a towel', bookable: false, visible: true, product_id: 8, reference: null, categories: [3, 4] },
      ],
    });
    const [first, second] = res.body.classes;
    expect(first.id).not.toBe(second.id);
    expect((await call('GET', classes())).body).toEqual({ classes: res.body.classes });
    expect((await call('GET', `${classes()}/${first.id}`)).body).toEqual(first);

    const replaced = await call('PUT', `${classes()}/${first.id}`, { body: yoga({ visible: false, name: 'Yin Yoga' }) });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ ...first, visible: false, name: 'Yin Yoga' });
    expect(sb.classes(GYM)).toEqual([replaced.body, second]);

    // another gym (created on first use) sees none of them
    expect((await call('GET', classes(OTHER_GYM))).body).toEqual({ classes: [] });
    const foreign = await call('GET', `${classes(OTHER_GYM)}/${first.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ errors: [{ message: expect.any(String), key: 'class.not_found' }] });
    expect((await call('DELETE', `${classes()}/${first.id}`)).status).toBe(404);
  });

  it('answers 400 listing every invalid field of a class', async () => {
    const res = await call('POST', classes(), { body: { classes: [{ name: 'x'.repeat(256), description: ' ', bookable: 'yes', product_id: '7' }] } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { key: string }) => e.key).sort()).toEqual(
      ['validation.classes.0.bookable', 'validation.classes.0.description', 'validation.classes.0.name', 'validation.classes.0.product_id', 'validation.classes.0.visible'],
    );
    for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
    expect((await call('POST', classes(), { body: { classes: [] } })).body.errors).toEqual([{ message: expect.any(String), key: 'validation.classes' }]);
    expect((await call('POST', classes(), { raw: '{not json' })).status).toBe(400);
    expect(sb.classes()).toEqual([]);
  });

  it('creates one slot per call, lists it between dates, reads, replaces and patches it with absolute values', async () => {
    const { id: classId } = await createClass();
    const res = await call('POST', `${classes()}/${classId}/slots`, { body: slotBody() });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ metadata: { total: 1, errors: 0 }, results: [{ id: expect.any(Number), class_id: classId }] });
    const slotId = res.body.results[0].id;
    const slot = { id: slotId, class_id: classId, ...slotBody() };
    const later = await createSlot(classId, { occur_date: '2026-12-08T18:00:00+01:00', room: undefined, booking_window: undefined, cancellable_until: undefined, instructors: undefined, virtual: undefined });

    const slots = `${classes()}/${classId}/slots`;
    expect((await call('GET', `${slots}/${slotId}`)).body).toEqual(slot);
    expect((await call('GET', `${slots}/${later}`)).body).toMatchObject({ room: null, booking_window: null, cancellable_until: null, instructors: [], virtual: false });
    expect((await call('GET', slots)).body.metadata).toEqual({ total: 2 });
    const week = await call('GET', `${slots}?from=${encodeURIComponent('2026-12-01T00:00:00+01:00')}&to=${encodeURIComponent('2026-12-07T23:59:59+01:00')}`);
    expect(week.body).toEqual({ metadata: { total: 1 }, results: [slot] });
    expect((await call('GET', `${slots}?from=yesterday`)).body.errors).toEqual([{ message: expect.any(String), key: 'validation.from' }]);

    const replaced = await call('PUT', `${slots}/${slotId}`, { body: slotBody({ room: 'Studio 2', total_capacity: 12, instructors: [{ name: 'Grace', substitute: true }] }) });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ ...slot, room: 'Studio 2', total_capacity: 12, instructors: [{ name: 'Grace', substitute: true }] });

    for (let i = 0; i < 2; i++) {
      const patched = await call('PATCH', `${slots}/${slotId}`, { body: { total_booked: 10 } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ total_capacity: 12, total_booked: 10 });
    }
    const over = await call('PATCH', `${slots}/${slotId}`, { body: { total_capacity: 9 } });
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([{ message: expect.any(String), key: 'validation.total_booked' }]);
    expect((await call('GET', `${classes(OTHER_GYM)}/${classId}/slots/${slotId}`)).status).toBe(404);
    expect((await call('GET', `${slots}/999999`)).body.errors[0].key).toBe('slot.not_found');
  });

  it('answers 400 listing every invalid field of a slot, the booked-within-capacity rule included', async () => {
    const { id: classId } = await createClass();
    const res = await call('POST', `${classes()}/${classId}/slots`, {
      body: slotBody({ occur_date: '2026-12-01T18:00:00', status: 2, length_in_minutes: 0, total_capacity: 5, total_booked: 6, booking_window: { opens_at: 'soon' }, instructors: [{ name: 'Ada' }] }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { key: string }) => e.key).sort()).toEqual([
      'validation.booking_window.closes_at',
      'validation.booking_window.opens_at',
      'validation.instructors.0.substitute',
      'validation.length_in_minutes',
      'validation.occur_date',
      'validation.status',
      'validation.total_booked',
    ]);
    expect(sb.slots()).toEqual([]);
  });

  it('DELETE cancels a slot: gone from every answer, its bookings cancelled', async () => {
    const { slotId, booking } = await pendingBooking();
    const slots = `${classes()}/${booking.class_id}/slots`;
    expect((await call('DELETE', `${slots}/${slotId}`)).status).toBe(204);
    expect((await call('GET', `${slots}/${slotId}`)).status).toBe(404);
    expect((await call('GET', slots)).body).toEqual({ metadata: { total: 0 }, results: [] });
    expect((await call('DELETE', `${slots}/${slotId}`)).status).toBe(404);
    expect(sb.slots(GYM)).toEqual([expect.objectContaining({ id: slotId, cancelled: true })]);
    expect(sb.booking(booking.booking_number)).toMatchObject({ status: 'CANCELLED_BY_GYM', reason_category: 'CLASS_HAS_BEEN_CANCELED' });
    // the gym's own CANCELLED_BY_GYM for it afterwards is a repeat: harmless
    expect((await decide(booking.booking_number, { status: 'CANCELLED_BY_GYM' })).status).toBe(200);
    // and no member can book it any more
    await expect(sb.requestBooking(GYM, { slot_id: slotId, user: user(2) })).rejects.toMatchObject({ status: 404 });
  });

  it('signs every event with HMAC-SHA1 of the raw body in uppercase hex, and delivers it twice by default', async () => {
    const { booking, slotId } = await pendingBooking();
    expect(booking).toMatchObject({ status: 'PENDING', slot_id: slotId, gym_id: GYM, user: user(1), booking_number: expect.any(String) });
    expect(received).toHaveLength(2);
    const [first, copy] = received;
    expect(first!.raw).toBe(copy!.raw);
    expect(first!.contentType).toBe('application/json');
    expect(first!.signature).toBe(createHmac('sha1', SECRET).update(first!.raw).digest('hex').toUpperCase());
    expect(first!.signature).toMatch(/^[0-9A-F]{40}$/);
    expect(Object.keys(first!.body)).toEqual(['event_type', 'event_data']);
    expect(first!.body).toEqual({
      event_type: 'booking-requested',
      event_data: {
        user: user(1),
        slot: { id: slotId, gym_id: GYM, class_id: booking.class_id, booking_number: booking.booking_number },
        timestamp: expect.any(Number),
        event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    expect(sb.deliveries().map((d) => [d.event_type, d.copy, d.delivered, d.attempts.map((a) => a.status)])).toEqual([
      ['booking-requested', 1, true, [200]],
      ['booking-requested', 2, true, [200]],
    ]);

    // one copy when configured so; a late cancellation is its own event
    sb.configure({ webhookCopies: 1 });
    const cancelled = await sb.cancelBooking(booking.booking_number, { late: true });
    expect(cancelled.booking.status).toBe('LATE_CANCELED');
    expect(cancelled.deliveries).toHaveLength(1);
    expect(received.map((r) => r.body.event_type)).toEqual(['booking-requested', 'booking-requested', 'booking-late-canceled']);
  });

  it('retries a failed or unanswered delivery three times at once (four attempts), each copy', async () => {
    sb.configure({ webhookCopies: 1 });
    behaviour = () => 500;
    const { booking } = await pendingBooking();
    expect(received).toHaveLength(4);
    expect(new Set(received.map((r) => r.raw)).size).toBe(1);
    expect(sb.deliveries()).toEqual([expect.objectContaining({ delivered: false, attempts: [500, 500, 500, 500].map((status) => expect.objectContaining({ status })) })]);

    // no answer within the timeout: four attempts, then given up
    behaviour = () => 'hang';
    const timedOut = await sb.cancelBooking(booking.booking_number);
    expect(timedOut.deliveries[0]!.attempts.map((a) => [a.status, a.error])).toEqual(Array(4).fill([null, 'no answer within 250 ms']));

    // a receiver that recovers stops the retries; the default two copies are each retried
    sb.configure({ webhookCopies: 2 });
    received = [];
    behaviour = (n) => (n === 1 || n === 3 ? 503 : 200);
    const again = await pendingBooking(2);
    expect(again.booking.status).toBe('PENDING');
    expect(sb.deliveries().slice(-2).map((d) => d.attempts.map((a) => a.status))).toEqual([[503, 200], [503, 200]]);

    // nobody listening: the network error's code, four times
    sb.configure({ webhookCopies: 1, webhookUrl: `http://127.0.0.1:${await closedPort()}/webhooks` });
    const unreachable = await sb.cancelBooking(again.booking.booking_number);
    expect(unreachable.deliveries[0]!.attempts.map((a) => [a.status, a.error])).toEqual(Array(4).fill([null, 'ECONNREFUSED']));
  });

  it('takes decisions made inside the webhook request, idempotently', async () => {
    behaviour = async (_n, body) => {
      const res = await decide(body.event_data.slot.booking_number, { status: 'RESERVED' });
      return res.status === 200 ? 200 : 500;
    };
    const { booking } = await pendingBooking();
    // both copies decided the same: both 200, the booking reserved once
    expect(booking).toMatchObject({ status: 'RESERVED', reason: null, reason_category: null, decided_at: expect.any(String) });
    expect(sb.deliveries().map((d) => d.attempts.map((a) => a.status))).toEqual([[200], [200]]);
    const repeat = await decide(booking.booking_number, { status: 'RESERVED' });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(booking);

    const checkedIn = await sb.checkInBooking(booking.booking_number);
    expect(checkedIn.deliveries.map((d) => d.body.event_type)).toEqual(['checkin-booking-occurred', 'checkin-booking-occurred']);

    const refused = await decide(booking.booking_number, { status: 'REJECTED', reason_category: 'CLASS_IS_FULL' });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].key).toBe('booking.already_decided');
    const cancelled = await decide(booking.booking_number, { status: 'CANCELLED_BY_GYM', reason: 'instructor ill', reason_category: 'CLASS_HAS_BEEN_CANCELED' });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED_BY_GYM', reason: 'instructor ill' });

    expect((await decide('WP99999999', { status: 'RESERVED' })).status).toBe(404);
    expect((await call('PATCH', `/booking/v2/gyms/${OTHER_GYM}/bookings/${booking.booking_number}`, { body: { status: 'RESERVED' } })).status).toBe(404);
  });

  it('requires a reason category to reject, and lists bad decision fields', async () => {
    const { booking } = await pendingBooking();
    const missing = await decide(booking.booking_number, { status: 'REJECTED', reason: 'full' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ message: expect.any(String), key: 'validation.reason_category' }]);
    const bad = await decide(booking.booking_number, { status: 'MAYBE', reason_category: 'BAD_LUCK' });
    expect(bad.body.errors.map((e: { key: string }) => e.key).sort()).toEqual(['validation.reason_category', 'validation.status']);
    const rejected = await decide(booking.booking_number, { status: 'REJECTED', reason: 'full', reason_category: 'CLASS_IS_FULL' });
    expect(rejected.body).toMatchObject({ status: 'REJECTED', reason: 'full', reason_category: 'CLASS_IS_FULL' });
  });

  it('rejects a request left undecided past the deadline, then refuses a late decision with 409 booking.expired', async () => {
    sb.configure({ decisionDeadlineMs: 150 });
    const { booking } = await pendingBooking();
    expect(sb.booking(booking.booking_number)!.status).toBe('PENDING');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sb.bookings()).toEqual([{ ...booking, status: 'REJECTED', reason: 'no answer in time', reason_category: 'TECHNICAL_ERROR', decided_at: expect.any(String) }]);
    for (const status of ['RESERVED', 'REJECTED']) {
      const late = await decide(booking.booking_number, { status, reason_category: 'CLASS_IS_FULL' });
      expect(late.status).toBe(409);
      expect(late.body).toEqual({ errors: [{ message: expect.any(String), key: 'booking.expired' }] });
    }
  });

  it('expires requests in the order they came, whichever were decided before them', async () => {
    // wide margins: only the order is checked, against a deadline far longer than a slow machine's pause
    sb.configure({ decisionDeadlineMs: 1500 });
    const [first, second, third] = [(await pendingBooking()).booking, (await pendingBooking()).booking, (await pendingBooking()).booking];
    expect((await decide(first.booking_number, { status: 'RESERVED' })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 900));
    const fourth = (await pendingBooking()).booking;
    await new Promise((resolve) => setTimeout(resolve, 700));
    // past the deadline of the second and third, not of the fourth; the first stays as decided
    expect([first, second, third, fourth].map((b) => sb.booking(b.booking_number)!.status)).toEqual(['RESERVED', 'REJECTED', 'REJECTED', 'PENDING']);
    for (let waited = 0; sb.booking(fourth.booking_number)!.status === 'PENDING' && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sb.booking(fourth.booking_number)!.status).toBe('REJECTED');
    expect((await decide(fourth.booking_number, { status: 'RESERVED' })).status).toBe(409);
  });

  it('answers 429 without Retry-After once the token has used its bucket', async () => {
    sb.configure({ rateLimit: { capacity: 3, refillPerSecond: 0.001 } });
    const statuses: number[] = [];
    let refusal: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await call('GET', classes());
      statuses.push(res.status);
      if (res.status === 429) refusal = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(refusal!.headers.get('retry-after')).toBeNull();
    expect(refusal!.body).toEqual({ errors: [{ message: expect.any(String), key: 'rate_limit.exceeded' }] });
    sb.configure({ rateLimit: null });
    expect((await call('GET', classes())).status).toBe(200);
  });

  it('validates visits at a gym, booked or not, and records every one', async () => {
    const validate = (body: unknown, gym: string | null = GYM) => call('POST', '/access/v1/validate', { body, headers: gym ? { 'x-gym-id': gym } : {} });
    const res = await validate({ gympass_id: 'WP-USER-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ metadata: { total: 1 }, results: { user: { gympass_id: 'WP-USER-1' }, validated_at: expect.any(String) } });
    await validate({ gympass_id: 'WP-USER-1', custom_code: 'door-3' });
    expect(sb.validations()).toEqual([
      { gym_id: GYM, gympass_id: 'WP-USER-1', custom_code: null, validated_at: expect.any(String) },
      { gym_id: GYM, gympass_id: 'WP-USER-1', custom_code: 'door-3', validated_at: expect.any(String) },
    ]);
    expect((await validate({ gympass_id: 'x' }, null)).body.errors).toEqual([{ message: expect.any(String), key: 'validation.X-Gym-Id' }]);
    expect((await validate({})).body.errors).toEqual([{ message: expect.any(String), key: 'validation.gympass_id' }]);
    expect(sb.validations()).toHaveLength(2);
  });

  it('simulates bookings and cancellations through the helpers, answering at once', async () => {
    const slotId = await createSlot((await createClass()).id);
    const helper = `/helper/v1/gyms/${GYM}/simulate/bookings`;
    expect((await call('POST', helper, { token: null, body: { slot_id: slotId, user: user(1) } })).status).toBe(401);
    const res = await call('POST', helper, { body: { slot_id: slotId, user: user(1) } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      booking_number: expect.any(String), slot_id: slotId, class_id: expect.any(Number), gym_id: GYM, user: user(1),
      status: 'PENDING', reason: null, reason_category: null, requested_at: expect.any(String), decided_at: null,
    });
    const cancel = await call('POST', `${helper}/${res.body.booking_number}/cancel`, { body: {} });
    expect(cancel.body.status).toBe('CANCELED');
    expect((await call('POST', `${helper}/${res.body.booking_number}/cancel`, { body: {} })).body.errors[0].key).toBe('booking.not_active');
    expect((await call('POST', helper, { body: { slot_id: 'x', user: {} } })).body.errors.map((e: { key: string }) => e.key).sort()).toEqual(['validation.slot_id', 'validation.user.email', 'validation.user.name', 'validation.user.unique_token']);
    await sb.webhooksSettled();
    // events are sent in the background: the cancellation's may overtake the request's copy
    expect(received.map((r) => r.body.event_type).sort()).toEqual(['booking-canceled', 'booking-canceled', 'booking-requested', 'booking-requested']);
    // a decision on a booking the member cancelled
    expect((await decide(res.body.booking_number, { status: 'RESERVED' })).body.errors[0].key).toBe('booking.canceled');
    // a hidden class's slots cannot be booked
    const hidden = await createClass({ visible: false });
    await expect(sb.requestBooking(GYM, { slot_id: await createSlot(hidden.id), user: user(2) })).rejects.toMatchObject({ status: 409 });
  });

  it('injects faults per path pattern: 5xx, slow answers and hangs', async () => {
    sb.setFaults([{ match: '/slots', method: 'GET', sequence: [{ status: 503 }, { latencyMs: 200 }] }, { match: '/access/', sequence: [{ hang: true }] }]);
    const { id: classId } = await createClass();
    const slots = `${classes()}/${classId}/slots`;
    const unavailable = await call('GET', slots);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.errors[0].key).toBe('server.error');
    const started = Date.now();
    expect((await call('GET', slots)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await call('GET', slots)).status).toBe(200);
    const hung = fetch(`${sb.url}/access/v1/validate`, { method: 'POST', headers: { authorization: `Bearer ${sb.token}`, 'x-gym-id': GYM }, signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sb.validations()).toEqual([]);
    expect(sb.faults()).toHaveLength(2);
    expect(() => sb.setFaults([{ step: { status: 418 } } as never])).toThrow();
  });

  it('logs every partner API exchange without the token, and exposes its state over the control API', async () => {
    await createClass();
    await call('GET', classes(), { token: 'wrong' });
    expect(exchanges.map((e) => [e.request.method, e.request.path, e.response.status])).toEqual([
      ['POST', classes(), 201],
      ['GET', classes(), 401],
    ]);
    expect(exchanges[0]!.response.body).toEqual({ classes: [expect.objectContaining({ name: 'Yoga' })] });
    expect(sb.requests().map((r) => [r.status, r.headers.authorization])).toEqual([[201, undefined], [401, undefined]]);

    const control = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${sb.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const state = await control('GET', 'state');
    expect(state.body).toMatchObject({ gyms: [GYM], classes: [expect.objectContaining({ name: 'Yoga' })], slots: [], bookings: [], validations: [] });
    expect((await control('PUT', 'settings', { webhookCopies: 3, decisionDeadlineMs: -1 })).body.errors.map((e: { key: string }) => e.key).sort()).toEqual([
      'validation.decisionDeadlineMs',
      'validation.webhookCopies',
    ]);
    expect((await control('PUT', 'settings', { decisionDeadlineMs: 60_000 })).body).toMatchObject({ decisionDeadlineMs: 60_000, webhookCopies: 2, webhookSecret: SECRET });
    const slotId = await createSlot(state.body.classes[0].id);
    const simulated = await control('POST', `gyms/${GYM}/bookings`, { slot_id: slotId, user: user(1) });
    expect(simulated.status).toBe(201);
    expect(simulated.body.deliveries).toHaveLength(2);
    expect((await control('GET', 'deliveries')).body).toHaveLength(2);
    expect((await control('GET', 'nothing-here')).status).toBe(404);
    expect((await control('POST', 'reset')).status).toBe(204);
    expect(sb.state()).toEqual({ gyms: [], classes: [], slots: [], bookings: [], validations: [] });
    expect(sb.settings().decisionDeadlineMs).toBe(15 * 60_000);
  });
});

describe('EGYM Wellpass sandbox with a fixed list of gyms', () => {
  it('answers 404 for any other gym', async () => {
    const sb = await startWellpassSandbox({ gyms: [GYM] });
    try {
      const get = (gym: string) => fetch(`${sb.url}/booking/v1/gyms/${gym}/classes`, { headers: { authorization: `Bearer ${sb.token}` } });
      expect((await get(GYM)).status).toBe(200);
      const other = await get(OTHER_GYM);
      expect(other.status).toBe(404);
      expect(await other.json()).toEqual({ errors: [{ message: expect.any(String), key: 'gym.not_found' }] });
      expect(sb.token).toBe('wellpass-sandbox-token');
      expect(sb.settings()).toMatchObject({ webhookUrl: null, webhookCopies: 2, decisionDeadlineMs: 900_000, rateLimit: { capacity: 50, refillPerSecond: 25 } });
    } finally {
      await sb.close();
    }
  });
});
