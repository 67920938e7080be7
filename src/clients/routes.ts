import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { actorOf, requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
import { addIdentity, removeIdentity } from '../identities/service.js';
import { CLIENT_STATUSES, GENDERS } from './repository.js';
import { createClient, getClientDetail, listClients, updateClient } from './service.js';

const fields = z.strictObject({
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  email: z.email().max(255).nullable(),
  phone: z.string().trim().max(50).nullable(),
  birthDate: z.iso.date().nullable(),
  gender: z.enum(GENDERS).nullable(),
  homeLocationId: z.number().int().positive().nullable(),
  memberNumber: z.string().trim().min(1).max(50).nullable(),
  status: z.enum(CLIENT_STATUSES),
  password: z.string().min(8).max(200).nullable(),
});
const patchBody = fields.partial();
const createBody = patchBody.extend({ firstName: fields.shape.firstName, lastName: fields.shape.lastName });
const identityBody = z.strictObject({
  identityTypeId: z.number().int().positive(),
  value: z.string().trim().min(1).max(191),
});
const listQuery = pageQuery.extend({
  q: z.string().max(200).optional(),
  locationId: z.coerce.number().int().positive().optional(),
  status: z.enum(CLIENT_STATUSES).optional(),
});
const identityParams = idParams.extend({ identityId: z.coerce.number().int().positive() });

const PATH = '/api/v1/admin/clients';

export function clientsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);

  router.get(PATH, staff, async (req, res) => {
    const { q, locationId, status, ...page } = parse(listQuery, req.query, 'query');
    res.json(await listClients(ctx, { q, locationId, status }, page));
  });
  router.post(PATH, staff, async (req, res) => {
    res.status(201).json(await createClient(ctx, parse(createBody, req.body)));
  });
  router.get(`${PATH}/:id`, staff, async (req, res) => {
    res.json(await getClientDetail(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${PATH}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateClient(ctx, id, parse(patchBody, req.body)));
  });
  router.post(`${PATH}/:id/identities`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    const { identity, created } = await addIdentity(ctx, id, parse(identityBody, req.body), actorOf(res));
    res.status(created ? 201 : 200).json(identity);
  });
  router.delete(`${PATH}/:id/identities/:identityId`, staff, async (req, res) => {
    const { id, identityId } = parse(identityParams, req.params);
    await removeIdentity(ctx, id, identityId, actorOf(res));
    res.status(204).end();
  });
  return router;
}
