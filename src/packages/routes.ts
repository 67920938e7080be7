import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, instant, parse } from '../http/validate.js';
import { assignPackage, createPackage, deletePackage, getPackageOrThrow, listPackages, updatePackage } from './service.js';

const ids = z.array(z.number().int().positive()).max(500).transform((a) => [...new Set(a)]);
const fields = z.strictObject({
  name: z.string().trim().min(1).max(200),
  // payment_plan_<PaymentPlanId> or product_<ProductId> for Perfect Gym; free text otherwise
  altId: z.string().trim().min(1).max(191).nullable(),
  activityIds: ids,
  locationIds: ids,
});
const createBody = fields.extend({ altId: fields.shape.altId.default(null), locationIds: fields.shape.locationIds.default([]) });
const assignBody = z.strictObject({
  packageId: z.number().int().positive(),
  startsAt: instant.nullable().default(null),
  endsAt: instant.nullable().default(null),
});

const PATH = '/api/v1/admin/packages';

export function packagesRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);

  router.get(PATH, staff, async (req, res) => {
    res.json(await listPackages(ctx, parse(pageQuery, req.query, 'query')));
  });
  router.post(PATH, staff, async (req, res) => {
    res.status(201).json(await createPackage(ctx, parse(createBody, req.body)));
  });
  router.get(`${PATH}/:id`, staff, async (req, res) => {
    res.json(await getPackageOrThrow(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${PATH}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updatePackage(ctx, id, parse(fields.partial(), req.body)));
  });
  router.delete(`${PATH}/:id`, staff, async (req, res) => {
    await deletePackage(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });
  router.post('/api/v1/admin/clients/:id/packages', staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.status(201).json(await assignPackage(ctx, id, parse(assignBody, req.body)));
  });
  return router;
}
