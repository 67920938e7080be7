import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
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

  router.get(PATH, staff, async (req, res) => {
    const { locationId, ...page } = parse(listQuery, req.query, 'query');
    res.json(await listDoors(ctx, { locationId }, page));
  });
  router.post(PATH, staff, async (req, res) => {
    res.status(201).json(await createDoor(ctx, parse(createBody, req.body)));
  });
  router.get(`${PATH}/:id`, staff, async (req, res) => {
    res.json(await getDoorOrThrow(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${PATH}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateDoor(ctx, id, parse(fields.partial(), req.body)));
  });
  router.delete(`${PATH}/:id`, staff, async (req, res) => {
    await deleteDoor(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });
  return router;
}
