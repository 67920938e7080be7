import { Router } from 'express';
import { z } from 'zod';
import { bookingsOfClient, bookSession, cancelBooking, joinWaitlist, leaveWaitlist, listClassesForClient } from '../bookings/service.js';
import { getClientOrThrow } from '../clients/service.js';
import type { AppContext } from '../context.js';
import { clientIdOf, memberOf, requireClient } from '../http/auth.js';
import { idParams, instant, parse } from '../http/validate.js';
import { classListJson } from './class-list-json.js';
import { identitiesOfClient } from '../identities/service.js';
import { getLocationOrThrow } from '../locations/service.js';
import { activePackagesOfClient } from '../packages/service.js';
import { locationsForMembers } from './service.js';

const classesQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  locationId: z.coerce.number().int().positive().optional(),
});
const bookingBody = z.strictObject({ sessionId: z.number().int().positive() });

export function meRouter(ctx: AppContext): Router {
  const router = Router();
  const member = requireClient(ctx);

  router.get('/api/v1/me', member, async (_req, res) => {
    const clientId = clientIdOf(res);
    const client = await getClientOrThrow(ctx, clientId);
    const [identities, packages, homeLocation] = await Promise.all([
      identitiesOfClient(ctx, clientId),
      activePackagesOfClient(ctx, clientId),
      client.homeLocationId ? getLocationOrThrow(ctx, client.homeLocationId) : null,
    ]);
    res.json({ client, identities, packages, homeLocation });
  });

  router.get('/api/v1/me/classes', member, async (req, res) => {
    const list = await listClassesForClient(ctx, memberOf(res), parse(classesQuery, req.query, 'query'));
    res.type('application/json').send(classListJson(list));
  });

  // The member app's location picker: /me/classes takes any of these as locationId.
  router.get('/api/v1/me/locations', member, async (_req, res) => {
    res.json({ items: await locationsForMembers(ctx) });
  });

  router.get('/api/v1/me/bookings', member, async (_req, res) => {
    res.json({ items: await bookingsOfClient(ctx, clientIdOf(res), 200) });
  });
  router.post('/api/v1/me/bookings', member, async (req, res) => {
    res.status(201).json(await bookSession(ctx, clientIdOf(res), parse(bookingBody, req.body).sessionId));
  });
  router.delete('/api/v1/me/bookings/:id', member, async (req, res) => {
    res.json(await cancelBooking(ctx, clientIdOf(res), parse(idParams, req.params).id));
  });
  router.post('/api/v1/me/waitlist', member, async (req, res) => {
    res.status(201).json(await joinWaitlist(ctx, clientIdOf(res), parse(bookingBody, req.body).sessionId));
  });
  router.delete('/api/v1/me/waitlist/:id', member, async (req, res) => {
    res.json(await leaveWaitlist(ctx, clientIdOf(res), parse(idParams, req.params).id));
  });
  return router;
}
