import { Router } from 'express';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { idParams, parse } from '../http/validate.js';
import { cancelBookingByStaff } from './service.js';

/** Staff acting on members' bookings. */
export function bookingsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);
  // Answers the booking, cancelled; 422 `aggregatorBooking` for one an aggregator made (cancel the session instead).
  router.delete('/api/v1/admin/bookings/:id', staff, async (req, res) => {
    res.json(await cancelBookingByStaff(ctx, parse(idParams, req.params).id));
  });
  return router;
}
