import { Router } from 'express';
import { z } from 'zod';
import { throttled } from '../auth/throttle.js';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
import { createStaffUser, getStaffOrThrow, listStaffUsers, staffCreateSchema, staffFields, staffLogin, updateStaffUser } from './service.js';

const loginBody = z.strictObject({ email: z.string().max(191), password: z.string().max(200) });

const PATH = '/api/v1/admin/staff';

export function staffRouter(ctx: AppContext): Router {
  const router = Router();
  const admin = requireStaff(ctx, 'admin');

  router.post('/api/v1/staff/login', async (req, res) => {
    const { email, password } = parse(loginBody, req.body);
    res.json(await throttled(ctx, 'staff', email, req.ip ?? 'unknown', () => staffLogin(ctx, email, password)));
  });

  // Staff user management is for admins only.
  router.get(PATH, admin, async (req, res) => {
    res.json(await listStaffUsers(ctx, parse(pageQuery, req.query, 'query')));
  });
  router.post(PATH, admin, async (req, res) => {
    res.status(201).json(await createStaffUser(ctx, parse(staffCreateSchema, req.body)));
  });
  router.get(`${PATH}/:id`, admin, async (req, res) => {
    res.json(await getStaffOrThrow(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${PATH}/:id`, admin, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateStaffUser(ctx, id, parse(staffFields.partial(), req.body)));
  });
  return router;
}
