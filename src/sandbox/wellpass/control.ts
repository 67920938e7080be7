/**
 * The control API under /_sandbox/ (the real service has none): the in-process methods over HTTP,
 * for the demo, benchmarks and tests in other processes. No auth; refusals in Wellhub's error body.
 */
import express, { Router } from 'express';
import { sharedControlRoutes } from '../control.js';
import { notFound, renderErrors } from './api.js';
import { parseBookingRequest, parseCancellation } from './dto.js';
import type { WellpassSandbox } from './server.js';

type Control = Omit<WellpassSandbox, 'url' | 'token' | 'close'>;

export function controlRouter(sandbox: Control): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  const number = (params: Record<string, string>) => String(params.booking_number);

  router.get('/state', (_req, res) => void res.json(sandbox.state()));
  router.get('/bookings', (_req, res) => void res.json(sandbox.bookings()));
  router.get('/validations', (_req, res) => void res.json(sandbox.validations()));

  // the simulate helpers, answered once the webhook deliveries are done
  router.post('/gyms/:gym_id/bookings', async (req, res) => void res.status(201).json(await sandbox.requestBooking(String(req.params.gym_id), parseBookingRequest(req.body))));
  router.post('/bookings/:booking_number/cancel', async (req, res) => void res.json(await sandbox.cancelBooking(number(req.params), { late: parseCancellation(req.body).late ?? false })));
  router.post('/bookings/:booking_number/checkin', async (req, res) => void res.json(await sandbox.checkInBooking(number(req.params))));

  sharedControlRoutes(router, sandbox);
  // ends here: an unknown control path must not fall through to the partner API (401, logged)
  router.use(notFound);
  router.use(renderErrors);
  return router;
}
