import { createHmac } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import got, { HTTPError, RequestError, type Got, type Method } from 'got';
import { z } from 'zod';
import { sameSecret } from '../../auth/same-secret.js';

/*
 * The one adapter between clubcore's aggregator rules and the remote wire format: Wellhub's
 * Booking API (AGGREGATORS.md section 2), as the closest public contract to what Wellpass's
 * connected booking systems do. Replacing it with Wellpass's real contract touches this file only:
 * everything else speaks in the types below.
 */

/** A session as it is offered: absolute counts, so sending it again changes nothing. */
export interface SlotSpec {
  startsAt: Date;
  lengthMinutes: number;
  /** Seats offered to the aggregator (booked by it + still open to it). */
  capacity: number;
  /** Seats the aggregator's members hold. */
  booked: number;
  instructor: string | null;
  bookingClosesAt: Date;
  cancellableUntil: Date;
}

export interface ClassSpec {
  name: string;
  /** clubcore's own id of the class, kept by the remote side. */
  reference: string;
}

export type Decision =
  | { status: 'RESERVED' }
  | { status: 'REJECTED'; reason: RejectReason; text: string }
  | { status: 'CANCELLED_BY_GYM'; text: string };

/** Why a request was refused, in clubcore's words; mapped to the wire's reason categories below. */
export type RejectReason = 'full' | 'alreadyBooked' | 'cancelled' | 'notFound' | 'windowClosed' | 'technical';

const REASON_CATEGORY: Record<RejectReason, string> = {
  full: 'CLASS_IS_FULL',
  alreadyBooked: 'USER_IS_ALREADY_BOOKED',
  cancelled: 'CLASS_HAS_BEEN_CANCELED',
  notFound: 'CLASS_NOT_FOUND',
  windowClosed: 'CHECK_IN_AND_CANCELATION_WINDOWS_CLOSED',
  technical: 'TECHNICAL_ERROR',
};

export const reasonCategoryOf = (reason: RejectReason) => REASON_CATEGORY[reason];

/** A webhook delivery, verified and in clubcore's terms. */
export interface BookingEvent {
  eventId: string;
  type: 'requested' | 'cancelled' | 'lateCancelled' | 'checkedIn';
  bookingNumber: string;
  /** The venue (gym id) the slot belongs to. */
  venue: string;
  slotId: number;
  user: { token: string; name: string; email: string | null };
  at: Date;
}

export type WellpassErrorKind = 'unreachable' | 'unauthorized' | 'notFound' | 'conflict' | 'badRequest' | 'upstream';

export class WellpassError extends Error {
  constructor(readonly kind: WellpassErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = 'WellpassError';
  }
}

const SIGNATURE_HEADER = 'x-gympass-signature';

const EVENT_TYPES: Record<string, BookingEvent['type']> = {
  'booking-requested': 'requested',
  'booking-canceled': 'cancelled',
  'booking-late-canceled': 'lateCancelled',
  'checkin-booking-occurred': 'checkedIn',
};

const webhookBody = z.object({
  event_type: z.string().max(60),
  event_data: z.object({
    user: z.object({ unique_token: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(191)), name: z.string().max(300).default(''), email: z.string().max(300).nullish() }),
    slot: z.object({ id: z.number().int().positive(), gym_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(100)), booking_number: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(100)) }),
    timestamp: z.number().int().positive(),
    event_id: z.string().min(1).max(100),
  }),
});

/**
 * Checks the signature (HMAC-SHA1 of the raw body with the shared secret, hex; compared in constant
 * time) and reads the event. Returns null for an event type clubcore does not act on.
 * Throws 'unauthorized' for a bad signature and 'badRequest' for a body it cannot read.
 */
export function readWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, secret: string): BookingEvent | null {
  const given = headers[SIGNATURE_HEADER];
  const expected = createHmac('sha1', secret).update(rawBody).digest('hex').toUpperCase();
  if (typeof given !== 'string' || !sameSecret(given.toUpperCase(), expected)) throw new WellpassError('unauthorized', `The ${SIGNATURE_HEADER} header does not match the body signed with the webhook secret`);
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WellpassError('badRequest', 'The webhook body is not JSON');
  }
  const parsed = webhookBody.safeParse(json);
  if (!parsed.success) throw new WellpassError('badRequest', `The webhook body is not a booking event: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const type = EVENT_TYPES[parsed.data.event_type];
  if (!type) return null;
  const d = parsed.data.event_data;
  return { eventId: d.event_id, type, bookingNumber: d.slot.booking_number, venue: d.slot.gym_id, slotId: d.slot.id, user: { token: d.user.unique_token, name: d.user.name, email: d.user.email ?? null }, at: new Date(d.timestamp) };
}

/** Signs a body as the remote side does (the sandbox and tests use it). */
export function signWebhook(rawBody: string | Buffer, secret: string): Record<string, string> {
  return { 'content-type': 'application/json', [SIGNATURE_HEADER]: createHmac('sha1', secret).update(rawBody).digest('hex').toUpperCase() };
}

interface WireSlot {
  id: number;
  class_id: number;
  occur_date: string;
  status: number;
  length_in_minutes: number;
  total_capacity: number;
  total_booked: number;
  product_id: number;
  booking_window?: { opens_at?: string; closes_at?: string } | null;
  cancellable_until?: string | null;
  instructors?: { name: string; substitute: boolean }[] | null;
}

/** What a slot looks like remotely, reduced to what clubcore compares for drift. */
export interface RemoteSlot {
  id: number;
  classId: number;
  body: string;
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 16 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 16 }) };
const ATTEMPTS = 5;
/** Exponential backoff with jitter: 429s come without Retry-After. */
const backoff = (attempt: number) => Math.min(250 * 2 ** attempt, 8_000) * (0.75 + Math.random() / 2);

function errorOf(err: unknown, host: string): WellpassError {
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const body = err.response.body as { errors?: { message?: string; key?: string }[] } | undefined;
    const said = body?.errors?.length ? `: ${body.errors.map((e) => e.message ?? e.key).join('; ').slice(0, 300)}` : '';
    if (status === 401 || status === 403) return new WellpassError('unauthorized', `Wellpass refused the API token (HTTP ${status})${said}; check the token on the integration`, status);
    if (status === 404) return new WellpassError('notFound', `Wellpass has no such resource (HTTP 404)${said}`, status);
    if (status === 409) return new WellpassError('conflict', `Wellpass refused the change (HTTP 409)${said}`, status);
    if (status === 400 || status === 422) return new WellpassError('badRequest', `Wellpass did not accept the request (HTTP ${status})${said}`, status);
    return new WellpassError('upstream', `Wellpass answered HTTP ${status} and kept failing after retries`, status);
  }
  return new WellpassError('unreachable', `Cannot reach Wellpass at ${host}: ${err instanceof RequestError ? (err.code ?? err.message) : (err as Error).message}`);
}

/** The remote API with one integration's token. One instance per call site is cheap (shared agents). */
export class WellpassApi {
  private readonly http: Got;
  private readonly host: string;
  private readonly productId: number;

  constructor(opts: { baseUrl: string; apiToken: string; productId: number }) {
    this.productId = opts.productId;
    this.host = new URL(opts.baseUrl).host;
    this.http = got.extend({
      prefixUrl: opts.baseUrl.replace(/\/+$/, ''),
      headers: { authorization: `Bearer ${opts.apiToken}`, accept: 'application/json' },
      agent: agents,
      timeout: { request: 10_000 },
      retry: { limit: 0 },
      responseType: 'json',
    });
  }

  /**
   * 429 and 503 are retried for every method (not served); other 5xx and network failures only for
   * methods that are safe to repeat. A POST that may have been served is left to the caller.
   */
  private async call<T>(method: Method, path: string, options: { json?: unknown; searchParams?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.http(path, { method, ...options })).body as T;
      } catch (err) {
        const status = err instanceof HTTPError ? err.response.statusCode : undefined;
        const notServed = status === 429 || status === 503;
        const mayRepeat = method !== 'POST' && (status === undefined ? err instanceof RequestError : status >= 502);
        if (!(notServed || mayRepeat) || attempt + 1 >= ATTEMPTS) throw errorOf(err, this.host);
        await sleep(backoff(attempt));
      }
    }
  }

  private gym(venue: string) {
    return `booking/v1/gyms/${encodeURIComponent(venue)}`;
  }

  /** The class id of clubcore's class `reference` at the venue, if the remote side has it. */
  async findClass(venue: string, reference: string): Promise<number | null> {
    const { classes } = await this.call<{ classes: { id: number; reference?: string }[] }>('GET', `${this.gym(venue)}/classes`);
    return classes.find((c) => c.reference === reference)?.id ?? null;
  }

  async createClass(venue: string, spec: ClassSpec): Promise<number> {
    const { classes } = await this.call<{ classes: { id: number }[] }>('POST', `${this.gym(venue)}/classes`, { json: { classes: [this.classBody(spec, true)] } });
    return classes[0]!.id;
  }

  async updateClass(venue: string, classId: number, spec: ClassSpec, visible: boolean): Promise<void> {
    await this.call('PUT', `${this.gym(venue)}/classes/${classId}`, { json: this.classBody(spec, visible) });
  }

  private classBody(spec: ClassSpec, visible: boolean) {
    return { name: spec.name.slice(0, 255), description: spec.name, bookable: true, visible, product_id: this.productId, reference: spec.reference };
  }

  /** The body a slot is sent with; also what is compared to find drift (same text, same slot). */
  slotBody(spec: SlotSpec): string {
    return JSON.stringify({
      occur_date: spec.startsAt.toISOString(),
      status: 1,
      length_in_minutes: spec.lengthMinutes,
      total_capacity: spec.capacity,
      total_booked: spec.booked,
      product_id: this.productId,
      booking_window: { opens_at: new Date(0).toISOString(), closes_at: spec.bookingClosesAt.toISOString() },
      cancellable_until: spec.cancellableUntil.toISOString(),
      instructors: spec.instructor ? [{ name: spec.instructor, substitute: false }] : [],
    });
  }

  /** Reads a remote slot back into the body clubcore would send for it. */
  private remoteBody(s: WireSlot): string {
    return JSON.stringify({
      occur_date: new Date(s.occur_date).toISOString(),
      status: s.status,
      length_in_minutes: s.length_in_minutes,
      total_capacity: s.total_capacity,
      total_booked: s.total_booked,
      product_id: s.product_id,
      booking_window: { opens_at: new Date(s.booking_window?.opens_at ?? 0).toISOString(), closes_at: new Date(s.booking_window?.closes_at ?? 0).toISOString() },
      cancellable_until: new Date(s.cancellable_until ?? 0).toISOString(),
      instructors: (s.instructors ?? []).map((i) => ({ name: i.name, substitute: i.substitute })),
    });
  }

  async createSlot(venue: string, classId: number, body: string): Promise<number> {
    const answer = await this.call<{ results: { id: number }[] }>('POST', `${this.gym(venue)}/classes/${classId}/slots`, { json: JSON.parse(body) });
    return answer.results[0]!.id;
  }

  /** Full replace with absolute values: harmless to repeat. */
  async replaceSlot(venue: string, classId: number, slotId: number, body: string): Promise<void> {
    await this.call('PUT', `${this.gym(venue)}/classes/${classId}/slots/${slotId}`, { json: JSON.parse(body) });
  }

  /** Withdraws (cancels) a slot; one already gone is fine. */
  async deleteSlot(venue: string, classId: number, slotId: number): Promise<void> {
    try {
      await this.call('DELETE', `${this.gym(venue)}/classes/${classId}/slots/${slotId}`);
    } catch (err) {
      if (!(err instanceof WellpassError && err.kind === 'notFound')) throw err;
    }
  }

  async listSlots(venue: string, classId: number, from: Date, to: Date): Promise<RemoteSlot[]> {
    const { results } = await this.call<{ results: WireSlot[] }>('GET', `${this.gym(venue)}/classes/${classId}/slots`, { searchParams: { from: from.toISOString(), to: to.toISOString() } });
    return results.map((s) => ({ id: s.id, classId: s.class_id, body: this.remoteBody(s) }));
  }

  async sendDecision(venue: string, bookingNumber: string, decision: Decision): Promise<void> {
    const json =
      decision.status === 'RESERVED'
        ? { status: 'RESERVED' }
        : decision.status === 'REJECTED'
          ? { status: 'REJECTED', reason: decision.text, reason_category: REASON_CATEGORY[decision.reason] }
          : { status: 'CANCELLED_BY_GYM', reason: decision.text };
    await this.call('PATCH', `booking/v2/gyms/${encodeURIComponent(venue)}/bookings/${encodeURIComponent(bookingNumber)}`, { json });
  }

  /** A visit the venue is paid for. */
  async validateVisit(venue: string, memberToken: string): Promise<void> {
    await this.call('POST', 'access/v1/validate', { json: { gympass_id: memberToken }, headers: { 'x-gym-id': venue } });
  }
}
