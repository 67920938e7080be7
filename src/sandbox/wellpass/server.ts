/**
 * A stand-in EGYM Wellpass, modelled on Wellhub's (Gympass) Booking and Access APIs (see
 * shared/design/AGGREGATORS.md section 2), for the demo, tests and benchmarks, behaving at its
 * worst where the model allows: every webhook event delivered twice, retries at once after 1 s, a
 * tight rate limit answered without Retry-After, a decision deadline that rejects for the partner,
 * injected faults. The testing host's helpers (`/helper/...`), the control API under /_sandbox/
 * (which the real service does not have) and the returned object's methods play the aggregator's
 * members and the test.
 */
import type { Server } from 'node:http';
import { exchangeLog, type Exchange, type ExchangeRequest } from '../exchanges.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { RateLimiter } from '../egym-mms/rate-limit.js';
import { apiRouter, helperRouter, type Validation } from './api.js';
import { Bookings, type Booking } from './bookings.js';
import { Catalog, type ClassDto, type SandboxSlot } from './catalog.js';
import { controlRouter } from './control.js';
import type { BookingRequest } from './dto.js';
import { Faults, type FaultSpec } from './faults.js';
import { changed, DEFAULT_SETTINGS, type SandboxSettings } from './settings.js';
import { Simulator, type Simulated } from './simulate.js';
import { Webhooks, type Delivery } from './webhooks.js';

export type { Validation } from './api.js';
export type { Exchange, ExchangeRequest } from '../exchanges.js';
export type { Booking, BookingStatus } from './bookings.js';
export type { ClassDto, SandboxSlot, SlotDto } from './catalog.js';
export type { BookingRequest, DecisionStatus, ReasonCategory, WellpassUser } from './dto.js';
export type { ErrorBody, ErrorItem } from './errors.js';
export type { FaultSpec, FaultStep } from './faults.js';
export type { SandboxSettings } from './settings.js';
export type { Attempt, Delivery, EventType, WebhookEvent } from './webhooks.js';
export { REASON_CATEGORIES } from './dto.js';
export { WellpassError } from './errors.js';
export { DEFAULT_RATE_LIMIT, DEFAULT_SETTINGS } from './settings.js';
export { signature } from './webhooks.js';

export const DEFAULT_TOKEN = 'wellpass-sandbox-token';

export interface WellpassSandboxOptions extends Partial<SandboxSettings> {
  port?: number;
  host?: string;
  /** The Bearer token every API call needs (default DEFAULT_TOKEN). */
  token?: string;
  /** Only these gym ids exist (others answer 404); default: any gym id, created on first use. */
  gyms?: string[];
  /** Faults from the start (and after reset). */
  faults?: FaultSpec[];
  /** How long a delivery attempt waits for the receiver (default 1000 ms, as Wellhub does). */
  webhookTimeoutMs?: number;
  /** Called with every request the partner API received and what it answered. */
  onExchange?: (exchange: Exchange) => void;
  /** How long an idle keep-alive connection stays open (default 120 s, so clients always close first). */
  keepAliveTimeoutMs?: number;
}

/** A partner API request as the log keeps it: headers without the token. */
export interface RecordedRequest extends ExchangeRequest {
  status: number;
  at: number;
}

/** The booking as it stands once its webhook deliveries are done (the partner may have decided meanwhile). */
export interface SimulationResult {
  booking: Booking;
  deliveries: Delivery[];
}

export interface SandboxState {
  gyms: string[];
  classes: ClassDto[];
  slots: SandboxSlot[];
  bookings: Booking[];
  validations: Validation[];
}

export interface WellpassSandbox {
  /** Base URL: the API lives under `${url}/booking/...` and `${url}/access/...`. */
  url: string;
  token: string;
  configure(settings: Partial<SandboxSettings>): SandboxSettings;
  settings(): SandboxSettings;
  /** Published classes (of one gym, or all). */
  classes(gymId?: string): ClassDto[];
  /** Published slots, cancelled (deleted) ones included with `cancelled: true`. */
  slots(gymId?: string): SandboxSlot[];
  booking(bookingNumber: string): Booking | undefined;
  bookings(): Booking[];
  validations(): Validation[];
  state(): SandboxState;
  /** A member requests a slot: a PENDING booking, `booking-requested` sent. */
  requestBooking(gymId: string, request: BookingRequest): Promise<SimulationResult>;
  /** The member cancels: `booking-canceled`, or `booking-late-canceled` with `late`. */
  cancelBooking(bookingNumber: string, opts?: { late?: boolean }): Promise<SimulationResult>;
  /** The member checks in for a RESERVED booking: `checkin-booking-occurred`. */
  checkInBooking(bookingNumber: string): Promise<SimulationResult>;
  deliveries(): Delivery[];
  /** Resolves once every webhook delivery begun so far is done. */
  webhooksSettled(): Promise<void>;
  requests(): RecordedRequest[];
  clearRequests(): void;
  faults(): FaultSpec[];
  /** Replaces every fault. */
  setFaults(specs: FaultSpec[]): void;
  clearFaults(): void;
  /** Back to the start: no classes, slots, bookings, validations, requests or deliveries; the options' settings and faults. */
  reset(): void;
  close(): Promise<void>;
}

export async function startWellpassSandbox(opts: WellpassSandboxOptions = {}): Promise<WellpassSandbox> {
  const token = opts.token ?? DEFAULT_TOKEN;
  const initial = changed(DEFAULT_SETTINGS, opts);
  let settings = initial;
  let limiter = limiterFor(settings);

  const catalog = new Catalog(opts.gyms ?? null);
  const bookings = new Bookings(() => settings.decisionDeadlineMs);
  const webhooks = new Webhooks(() => ({ url: settings.webhookUrl, secret: settings.webhookSecret, copies: settings.webhookCopies }), opts.webhookTimeoutMs ?? 1000);
  const simulator = new Simulator(catalog, bookings, webhooks);
  const faults = new Faults();
  const validations: Validation[] = [];
  const requests: RecordedRequest[] = [];
  if (opts.faults) faults.set(opts.faults);

  const settle = async ({ booking, deliveries }: Simulated): Promise<SimulationResult> => {
    const done = await deliveries;
    return { booking: bookings.get(booking.booking_number) ?? booking, deliveries: done };
  };

  const sandbox: Omit<WellpassSandbox, 'url' | 'token' | 'close'> = {
    configure: (patch) => {
      const next = changed(settings, patch);
      if (next.rateLimit !== settings.rateLimit) limiter = limiterFor(next);
      settings = next;
      bookings.sweep(); // a shorter deadline may have passed already
      return { ...settings };
    },
    settings: () => ({ ...settings }),
    classes: (gymId) => catalog.listClasses(gymId),
    slots: (gymId) => catalog.allSlots(gymId),
    booking: (bookingNumber) => bookings.get(bookingNumber),
    bookings: () => bookings.all(),
    validations: () => validations.map((v) => ({ ...v })),
    state: () => ({ gyms: catalog.gyms(), classes: catalog.listClasses(), slots: catalog.allSlots(), bookings: bookings.all(), validations: sandbox.validations() }),
    requestBooking: async (gymId, request) => settle(simulator.request(gymId, request)),
    cancelBooking: async (bookingNumber, o = {}) => settle(simulator.cancel(bookingNumber, o.late ?? false)),
    checkInBooking: async (bookingNumber) => settle(simulator.checkIn(bookingNumber)),
    deliveries: () => webhooks.deliveries(),
    webhooksSettled: () => webhooks.settled(),
    requests: () => [...requests],
    clearRequests: () => void (requests.length = 0),
    faults: () => faults.list(),
    setFaults: (specs) => faults.set(specs),
    clearFaults: () => faults.clear(),
    reset: () => {
      settings = initial;
      limiter = limiterFor(settings);
      catalog.clear();
      bookings.clear();
      webhooks.clear();
      faults.clear();
      if (opts.faults) faults.set(opts.faults);
      validations.length = 0;
      requests.length = 0;
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.use('/_sandbox', controlRouter(sandbox));
  app.use('/helper', helperRouter({ token, catalog, simulator }));
  // Records each partner API request once answered (faulted ones too), headers without the token.
  app.use(
    exchangeLog(Date.now, (exchange, at) => {
      const { authorization: _token, ...headers } = exchange.request.headers;
      requests.push({ ...exchange.request, headers, status: exchange.response.status, at });
      opts.onExchange?.(exchange);
    }),
  );
  app.use(apiRouter({ token, catalog, bookings, simulator, faults, limiter: () => limiter, validations }));

  const server: Server = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 120_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));

  return {
    ...sandbox,
    url: `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function limiterFor(settings: SandboxSettings): RateLimiter | null {
  return settings.rateLimit && new RateLimiter(settings.rateLimit, Date.now);
}

