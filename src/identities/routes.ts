import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
import { IDENTITY_KINDS } from './repository.js';
import { createIdentityType, deleteIdentityType, getIdentityTypeOrThrow, listIdentityTypes, updateIdentityType } from './service.js';

const fields = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(IDENTITY_KINDS),
  maxPerClient: z.number().int().min(1).max(100),
  minDaysBetweenChanges: z.number().int().min(0).max(3650),
  active: z.boolean(),
});
const createBody = fields.extend({
  maxPerClient: fields.shape.maxPerClient.default(1),
  minDaysBetweenChanges: fields.shape.minDaysBetweenChanges.default(0),
  active: fields.shape.active.default(true),
});

const PATH = '/api/v1/admin/identity-types';

export function identityTypesRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);

  router.get(PATH, staff, async (req, res) => {
    res.json(await listIdentityTypes(ctx, parse(pageQuery, req.query, 'query')));
  });
  router.post(PATH, staff, async (req, res) => {
    res.status(201).json(await createIdentityType(ctx, parse(createBody, req.body)));
  });
  router.get(`${PATH}/:id`, staff, async (req, res) => {
    res.json(await getIdentityTypeOrThrow(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${PATH}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateIdentityType(ctx, id, parse(fields.partial(), req.body)));
  });
  router.delete(`${PATH}/:id`, staff, async (req, res) => {
    await deleteIdentityType(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });
  return router;
}
