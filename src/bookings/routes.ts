import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
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
  router.get('/api/v1/admin/sessions/:id/bookings', staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await rosterOfSession(ctx, id, parse(pageQuery, req.query, 'query')));
  });
  // Books a member into a class at the desk: 201 with the booking, or 422 with the member rule's `code`.
  router.post('/api/v1/admin/bookings', staff, async (req, res) => {
    const { sessionId, clientId } = parse(staffBookingBody, req.body);
    res.status(201).json(await bookSessionByStaff(ctx, clientId, sessionId));
  });
  // Answers the booking, cancelled; 422 `aggregatorBooking` for one an aggregator made (cancel the session instead).
  router.delete('/api/v1/admin/bookings/:id', staff, async (req, res) => {
    res.json(await cancelBookingByStaff(ctx, parse(idParams, req.params).id));
  });
  return router;
}
