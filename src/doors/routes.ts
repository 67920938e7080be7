import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
import { DOOR_TYPES } from './repository.js';
import { createDoor, deleteDoor, getDoorOrThrow, listDoors, updateDoor } from './service.js';

const fields = z.strictObject({
  title: z.string().trim().min(1).max(200),
  doorCode: z.string().trim().min(1).max(100),
  locationId: z.number().int().positive(),
  type: z.enum(DOOR_TYPES),
  accessControl: z.boolean(),
  active: z.boolean(),
});
const createBody = fields.extend({
  accessControl: fields.shape.accessControl.default(false),
  active: fields.shape.active.default(true),
});
const listQuery = pageQuery.extend({ locationId: z.coerce.number().int().positive().optional() });

const PATH = '/api/v1/admin/doors';

export function doorsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);

  router.get(PATH, staff, endpoint('Doors, paged (of one location with locationId)', { query: listQuery }, async ({ query }, _req, res) => {
    const { locationId, ...page } = query;
    res.json(await listDoors(ctx, { locationId }, page));
  }));
  router.post(PATH, staff, endpoint('Create a door (door code unique)', { body: createBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createDoor(ctx, body));
  }));
  router.get(`${PATH}/:id`, staff, endpoint('One door', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getDoorOrThrow(ctx, params.id));
  }));
  router.patch(`${PATH}/:id`, staff, endpoint('Change a door (fields not sent are kept)', { params: idParams, body: fields.partial() }, async ({ params, body }, _req, res) => {
    res.json(await updateDoor(ctx, params.id, body));
  }));
  router.delete(`${PATH}/:id`, staff, endpoint('Delete a door without events', { params: idParams }, async ({ params }, _req, res) => {
    await deleteDoor(ctx, params.id);
    res.status(204).end();
  }));
  return router;
}
