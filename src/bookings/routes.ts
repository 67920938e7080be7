import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
import { bookSessionByStaff, cancelBookingByStaff, rosterOfSession } from './service.js';

const staffBookingBody = z.strictObject({
  sessionId: z.number().int().positive(),
  clientId: z.number().int().positive(),
});

/** Staff acting on members' bookings. */
export function bookingsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);
  // A session's roster: who booked, attended, did not show or cancelled (its waitlist is on GET /sessions/:id).
  router.get('/api/v1/admin/sessions/:id/bookings', staff, endpoint('A session\'s roster: booked, attended, no-show and cancelled, paged', { params: idParams, query: pageQuery }, async ({ params, query }, _req, res) => {
    res.json(await rosterOfSession(ctx, params.id, query));
  }));
  // Books a member into a class at the desk: 201 with the booking, or 422 with the member rule's `code`.
  router.post('/api/v1/admin/bookings', staff, endpoint('Book a member into a class at the desk (the member\'s rules; 422 with code)', { body: staffBookingBody }, async ({ body }, _req, res) => {
    res.status(201).json(await bookSessionByStaff(ctx, body.clientId, body.sessionId));
  }));
  // Answers the booking, cancelled; 422 `aggregatorBooking` for one an aggregator made (cancel the session instead).
  router.delete('/api/v1/admin/bookings/:id', staff, endpoint('Cancel a member\'s booking (422 aggregatorBooking for one an aggregator made)', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await cancelBookingByStaff(ctx, params.id));
  }));
  return router;
}
