import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { instant } from '../http/validate.js';
import { listDoorEvents, recordDoorAccess } from './service.js';

const eventBody = z
  .strictObject({
    doorId: z.number().int().positive().optional(),
    doorCode: z.string().trim().min(1).max(100).optional(),
    clientId: z.number().int().positive().optional(),
    identity: z.strictObject({ typeId: z.number().int().positive(), value: z.string().trim().min(1).max(191) }).optional(),
    occurredAt: instant,
    // The door system's own id for this entry: sending the same one twice records it once.
    externalId: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine((b, c) => {
    if ((b.doorId === undefined) === (b.doorCode === undefined)) c.addIssue({ code: 'custom', path: ['doorId'], message: 'give exactly one of doorId and doorCode' });
    if ((b.clientId === undefined) === (b.identity === undefined)) c.addIssue({ code: 'custom', path: ['clientId'], message: 'give exactly one of clientId and identity' });
  });
const listQuery = pageQuery.extend({
  clientId: z.coerce.number().int().positive().optional(),
  locationId: z.coerce.number().int().positive().optional(),
});

const PATH = '/api/v1/admin/door-access-events';

export function accessRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);

  router.get(PATH, staff, endpoint('Door access events, paged (of a client or location)', { query: listQuery }, async ({ query }, _req, res) => {
    const { clientId, locationId, ...page } = query;
    res.json(await listDoorEvents(ctx, { clientId, locationId }, page));
  }));
  router.post(PATH, staff, endpoint('Record an entry through a door: marks the client\'s bookings there attended (idempotent per externalId)', { body: eventBody }, async ({ body: b }, _req, res) => {
    const result = await recordDoorAccess(ctx, {
      door: b.doorId !== undefined ? { id: b.doorId } : { code: b.doorCode! },
      client: b.clientId !== undefined ? { id: b.clientId } : { identityTypeId: b.identity!.typeId, value: b.identity!.value },
      occurredAt: b.occurredAt,
      sourceRef: b.externalId,
    });
    res.status(201).json(result);
  }));
  return router;
}
