import { Router } from 'express';
import { z } from 'zod';
import { throttled } from '../auth/throttle.js';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
import { createStaffUser, getStaffOrThrow, listStaffUsers, staffCreateSchema, staffFields, staffLogin, updateStaffUser } from './service.js';

const loginBody = z.strictObject({ email: z.string().max(191), password: z.string().max(200) });

const PATH = '/api/v1/admin/staff';

export function staffRouter(ctx: AppContext): Router {
  const router = Router();
  const admin = requireStaff(ctx, 'admin');

  router.post('/api/v1/staff/login', endpoint('Staff sign-in (throttled)', { body: loginBody }, async ({ body: { email, password } }, req, res) => {
    res.json(await throttled(ctx, 'staff', email, req.ip ?? 'unknown', () => staffLogin(ctx, email, password)));
  }));

  // Staff user management is for admins only.
  router.get(PATH, admin, endpoint('Staff users, paged', { query: pageQuery }, async ({ query }, _req, res) => {
    res.json(await listStaffUsers(ctx, query));
  }));
  router.post(PATH, admin, endpoint('Create a staff user', { body: staffCreateSchema }, async ({ body }, _req, res) => {
    res.status(201).json(await createStaffUser(ctx, body));
  }));
  router.get(`${PATH}/:id`, admin, endpoint('One staff user', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getStaffOrThrow(ctx, params.id));
  }));
  router.patch(`${PATH}/:id`, admin, endpoint('Change a staff user (fields not sent are kept)', { params: idParams, body: staffFields.partial() }, async ({ params, body }, _req, res) => {
    res.json(await updateStaffUser(ctx, params.id, body));
  }));
  return router;
}
