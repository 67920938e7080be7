import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams, instant } from '../http/validate.js';
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

  router.get(PATH, staff, endpoint('Packages, paged', { query: pageQuery }, async ({ query }, _req, res) => {
    res.json(await listPackages(ctx, query));
  }));
  router.post(PATH, staff, endpoint('Create a package (alt id maps a membership system\'s plan or product)', { body: createBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createPackage(ctx, body));
  }));
  router.get(`${PATH}/:id`, staff, endpoint('One package', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getPackageOrThrow(ctx, params.id));
  }));
  router.patch(`${PATH}/:id`, staff, endpoint('Change a package (fields not sent are kept)', { params: idParams, body: fields.partial() }, async ({ params, body }, _req, res) => {
    res.json(await updatePackage(ctx, params.id, body));
  }));
  router.delete(`${PATH}/:id`, staff, endpoint('Delete a package nobody holds', { params: idParams }, async ({ params }, _req, res) => {
    await deletePackage(ctx, params.id);
    res.status(204).end();
  }));
  router.post('/api/v1/admin/clients/:id/packages', staff, endpoint('Give a client a package', { params: idParams, body: assignBody }, async ({ params, body }, _req, res) => {
    res.status(201).json(await assignPackage(ctx, params.id, body));
  }));
  return router;
}
