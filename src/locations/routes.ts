import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
import { locationFieldShape } from '../integrations/links.js';
import type { LocationFields } from './repository.js';
import { canonicalTimezone, createLocation, deleteLocation, getLocationOrThrow, listLocationsPaged, updateLocation } from './service.js';

const ownFields = {
  name: z.string().trim().min(1).max(200),
  timezone: z
    .string()
    .max(64)
    .transform((zone, c) => {
      const canonical = canonicalTimezone(zone);
      if (!canonical) c.addIssue({ code: 'custom', message: 'must be an IANA time zone, e.g. Europe/Warsaw' });
      return canonical ?? zone;
    }),
};

const PATH = '/api/v1/admin/locations';

export function locationsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);
  // Each integration type with a location field (perfectGymClubId, egymLocationId, ...) adds it, optional.
  const linkFields = z.strictObject(locationFieldShape()).partial();
  const createBody = linkFields.extend(ownFields);
  const patchBody = linkFields.extend(ownFields).partial();

  router.get(PATH, staff, endpoint('Locations, paged', { query: pageQuery }, async ({ query }, _req, res) => {
    res.json(await listLocationsPaged(ctx, query));
  }));
  router.post(PATH, staff, endpoint('Create a location (with any integration type\'s location field)', { body: createBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createLocation(ctx, body as LocationFields & Record<string, unknown>));
  }));
  router.get(`${PATH}/:id`, staff, endpoint('One location', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getLocationOrThrow(ctx, params.id));
  }));
  router.patch(`${PATH}/:id`, staff, endpoint('Change a location (fields not sent are kept)', { params: idParams, body: patchBody }, async ({ params, body }, _req, res) => {
    res.json(await updateLocation(ctx, params.id, body));
  }));
  router.delete(`${PATH}/:id`, staff, endpoint('Delete a location nothing refers to', { params: idParams }, async ({ params }, _req, res) => {
    await deleteLocation(ctx, params.id);
    res.status(204).end();
  }));
  return router;
}
