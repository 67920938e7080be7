import { Router } from 'express';
import { z } from 'zod';
import { bookingsOfClient, bookSession, cancelBooking, joinWaitlist, leaveWaitlist, listClassesForClient } from '../bookings/service.js';
import type { AppContext } from '../context.js';
import { clientIdOf, memberOf, requireClient } from '../http/auth.js';
import { endpoint } from '../http/endpoint.js';
import { idParams, instant } from '../http/validate.js';
import { classListJson } from './class-list-json.js';
import { locationsForMembers, memberProfile } from './service.js';

const classesQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  locationId: z.coerce.number().int().positive().optional(),
});
const bookingBody = z.strictObject({ sessionId: z.number().int().positive() });

export function meRouter(ctx: AppContext): Router {
  const router = Router();
  const member = requireClient(ctx);

  router.get('/api/v1/me', member, endpoint('The signed-in member: client, identities, active packages, home location', {}, async (_input, _req, res) => {
    res.json(await memberProfile(ctx, clientIdOf(res)));
  }));

  router.get('/api/v1/me/classes', member, endpoint('Classes at a location (default: home, next 7 days) with bookable and why not, and the waitlist', { query: classesQuery }, async ({ query }, _req, res) => {
    const list = await listClassesForClient(ctx, memberOf(res), query);
    res.type('application/json').send(classListJson(list));
  }));

  // The member app's location picker: /me/classes takes any of these as locationId.
  router.get('/api/v1/me/locations', member, endpoint('The club\'s locations (id, name, time zone)', {}, async (_input, _req, res) => {
    res.json({ items: await locationsForMembers(ctx) });
  }));

  router.get('/api/v1/me/bookings', member, endpoint('The member\'s bookings, newest class first', {}, async (_input, _req, res) => {
    res.json({ items: await bookingsOfClient(ctx, clientIdOf(res), 200) });
  }));
  router.post('/api/v1/me/bookings', member, endpoint('Book a class (422 with code when not allowed)', { body: bookingBody }, async ({ body }, _req, res) => {
    res.status(201).json(await bookSession(ctx, clientIdOf(res), body.sessionId));
  }));
  router.delete('/api/v1/me/bookings/:id', member, endpoint('Cancel a booking (the seat goes to the waitlist)', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await cancelBooking(ctx, clientIdOf(res), params.id));
  }));
  router.post('/api/v1/me/waitlist', member, endpoint('Join the waitlist of a full class', { body: bookingBody }, async ({ body }, _req, res) => {
    res.status(201).json(await joinWaitlist(ctx, clientIdOf(res), body.sessionId));
  }));
  router.delete('/api/v1/me/waitlist/:id', member, endpoint('Leave a waitlist', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await leaveWaitlist(ctx, clientIdOf(res), params.id));
  }));
  return router;
}
