import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
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

  router.get(PATH, staff, async (req, res) => {
    res.json(await listLocationsPaged(ctx, parse(pageQuery, req.query, 'query')));
  });
  router.post(PATH, staff, async (req, res) => {
    res.status(201).json(await createLocation(ctx, parse(createBody, req.body) as LocationFields & Record<string, unknown>));
  });
  router.get(`${PATH}/:id`, staff, async (req, res) => {
    res.json(await getLocationOrThrow(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${PATH}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateLocation(ctx, id, parse(patchBody, req.body)));
  });
  router.delete(`${PATH}/:id`, staff, async (req, res) => {
    await deleteLocation(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });
  return router;
}
