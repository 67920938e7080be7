/**
 * The partner API (`/booking/...`, `/access/...`) in the order a gateway and server apply it:
 * injected faults, the Bearer token (401), the token's rate limit (429, no Retry-After), then the
 * operation; any other path is a 404 in Wellhub's error body. And the testing host's helpers (`/helper/...`): the token, no faults or rate limit,
 * since they play the aggregator's members rather than a partner's calls.
 */
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { RateLimiter } from '../egym-mms/rate-limit.js';
import type { Bookings } from './bookings.js';
import type { Catalog } from './catalog.js';
import { parseBookingRequest, parseCancellation, parseClass, parseClasses, parseDecision, parseSlot, parseSlotPatch, parseSlotRange, parseValidation } from './dto.js';
import { asWellpassError, WellpassError, type Entity } from './errors.js';
import type { Faults } from './faults.js';
import type { Simulator } from './simulate.js';

export interface Validation {
  gym_id: string;
  gympass_id: string;
  custom_code: string | null;
  /** ISO 8601 (UTC). */
  validated_at: string;
}

export interface ApiState {
  token: string;
  catalog: Catalog;
  bookings: Bookings;
  simulator: Simulator;
  faults: Faults;
  /** The limiter of the current settings (null: no limit). */
  limiter: () => RateLimiter | null;
  validations: Validation[];
}

const unauthorized = { errors: [{ message: 'unauthorized' }] };

export function apiRouter(state: ApiState): Router {
  const { catalog, bookings } = state;
  const router = Router();
  router.use(state.faults.middleware());
  router.use(bearer(state.token));
  router.use((_req, res, next) => {
    const limiter = state.limiter();
    if (limiter && !limiter.take(state.token).allowed) return void res.status(429).json({ errors: [{ message: 'too many requests', key: 'rate_limit.exceeded' }] });
    next();
  });
  router.use(express.json({ limit: '1mb' }));

  const gym = (req: Request) => catalog.gym(String(req.params.gym_id));
  const classId = (req: Request) => idParam(req.params.class_id, 'class');
  const slotId = (req: Request) => idParam(req.params.slot_id, 'slot');

  // --- classes ---
  const classes = '/booking/v1/gyms/:gym_id/classes';
  router.post(classes, (req, res) => {
    const gymId = gym(req);
    res.status(201).json({ classes: catalog.addClasses(gymId, parseClasses(req.body)) });
  });
  router.get(classes, (req, res) => void res.json({ classes: catalog.listClasses(gym(req)) }));
  router.get(`${classes}/:class_id`, (req, res) => void res.json(catalog.class(gym(req), classId(req))));
  router.put(`${classes}/:class_id`, (req, res) => {
    const gymId = gym(req);
    res.json(catalog.replaceClass(gymId, classId(req), parseClass(req.body)));
  });

  // --- slots, one per call ---
  const slots = `${classes}/:class_id/slots`;
  router.post(slots, (req, res) => {
    const gymId = gym(req);
    const slot = catalog.addSlot(gymId, classId(req), parseSlot(req.body));
    res.status(201).json({ metadata: { total: 1, errors: 0 }, results: [{ id: slot.id, class_id: slot.class_id }] });
  });
  router.get(slots, (req, res) => {
    const gymId = gym(req);
    const { from, to } = parseSlotRange(req.query);
    const results = catalog.listSlots(gymId, classId(req), from, to);
    res.json({ metadata: { total: results.length }, results });
  });
  router.get(`${slots}/:slot_id`, (req, res) => void res.json(catalog.slot(gym(req), classId(req), slotId(req))));
  router.put(`${slots}/:slot_id`, (req, res) => {
    const gymId = gym(req);
    res.json(catalog.replaceSlot(gymId, classId(req), slotId(req), parseSlot(req.body)));
  });
  router.patch(`${slots}/:slot_id`, (req, res) => {
    const gymId = gym(req);
    res.json(catalog.patchSlot(gymId, classId(req), slotId(req), parseSlotPatch(req.body)));
  });
  router.delete(`${slots}/:slot_id`, (req, res) => {
    const id = slotId(req);
    catalog.cancelSlot(gym(req), classId(req), id);
    bookings.cancelSlot(id);
    res.status(204).end();
  });

  // --- booking decisions ---
  router.patch('/booking/v2/gyms/:gym_id/bookings/:booking_number', (req, res) => {
    const gymId = gym(req);
    res.json(bookings.decide(gymId, String(req.params.booking_number), parseDecision(req.body)));
  });

  // --- visits: every validation is recorded, booked or not ---
  router.post('/access/v1/validate', (req, res) => {
    const header = req.get('x-gym-id');
    if (!header) throw WellpassError.field('X-Gym-Id', 'header is required');
    const gymId = catalog.gym(header);
    const { gympass_id, custom_code } = parseValidation(req.body);
    const validation: Validation = { gym_id: gymId, gympass_id, custom_code: custom_code ?? null, validated_at: new Date().toISOString() };
    state.validations.push(validation);
    res.json({ metadata: { total: 1 }, results: { user: { gympass_id }, validated_at: validation.validated_at } });
  });

  router.use(notFound);
  router.use(renderErrors);
  return router;
}

/** The testing host's booking helpers; the booking is answered at once, its webhook follows. */
export function helperRouter(state: Pick<ApiState, 'token' | 'catalog' | 'simulator'>): Router {
  const router = Router();
  router.use(bearer(state.token));
  router.use(express.json({ limit: '1mb' }));
  const bookings = '/v1/gyms/:gym_id/simulate/bookings';
  router.post(bookings, (req, res) => {
    const gymId = state.catalog.gym(String(req.params.gym_id));
    res.status(201).json(state.simulator.request(gymId, parseBookingRequest(req.body)).booking);
  });
  router.post(`${bookings}/:booking_number/cancel`, (req, res) => {
    const gymId = state.catalog.gym(String(req.params.gym_id));
    const { late } = parseCancellation(req.body);
    res.json(state.simulator.cancel(String(req.params.booking_number), late ?? false, gymId).booking);
  });
  router.post(`${bookings}/:booking_number/checkin`, (req, res) => {
    const gymId = state.catalog.gym(String(req.params.gym_id));
    res.json(state.simulator.checkIn(String(req.params.booking_number), gymId).booking);
  });
  router.use(notFound);
  router.use(renderErrors);
  return router;
}

function bearer(token: string): RequestHandler {
  const expected = `Bearer ${token}`;
  return (req, res, next) => {
    if (req.get('authorization') !== expected) return void res.status(401).json(unauthorized);
    next();
  };
}

/** Ids in paths are integers; anything else names nothing. */
function idParam(value: unknown, entity: Entity): number {
  const text = String(value);
  if (!/^\d{1,15}$/.test(text)) throw WellpassError.notFound(entity, text);
  return Number(text);
}

export const notFound: RequestHandler = (req) => {
  throw new WellpassError(404, [{ message: `no operation ${req.method} ${req.originalUrl.split('?')[0]} in the sandbox`, key: 'route.not_found' }]);
};

export const renderErrors: ErrorRequestHandler = (err, _req, res, _next) => {
  const error = asWellpassError(err);
  res.status(error.status).json(error.body());
};
