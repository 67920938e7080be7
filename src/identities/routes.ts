import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
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

  router.get(PATH, staff, endpoint('Identity types, paged', { query: pageQuery }, async ({ query }, _req, res) => {
    res.json(await listIdentityTypes(ctx, query));
  }));
  router.post(PATH, staff, endpoint('Create an identity type', { body: createBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createIdentityType(ctx, body));
  }));
  router.get(`${PATH}/:id`, staff, endpoint('One identity type', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getIdentityTypeOrThrow(ctx, params.id));
  }));
  router.patch(`${PATH}/:id`, staff, endpoint('Change an identity type (fields not sent are kept)', { params: idParams, body: fields.partial() }, async ({ params, body }, _req, res) => {
    res.json(await updateIdentityType(ctx, params.id, body));
  }));
  router.delete(`${PATH}/:id`, staff, endpoint('Delete an unused identity type', { params: idParams }, async ({ params }, _req, res) => {
    await deleteIdentityType(ctx, params.id);
    res.status(204).end();
  }));
  return router;
}
