import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { actorOf, requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
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

  router.get(PATH, staff, endpoint('Clients, paged; q searches names, e-mail and member number', { query: listQuery }, async ({ query }, _req, res) => {
    const { q, locationId, status, ...page } = query;
    res.json(await listClients(ctx, { q, locationId, status }, page));
  }));
  router.post(PATH, staff, endpoint('Create a client', { body: createBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createClient(ctx, body));
  }));
  router.get(`${PATH}/:id`, staff, endpoint('One client with identities (and their changes), packages, bookings and door events', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getClientDetail(ctx, params.id));
  }));
  router.patch(`${PATH}/:id`, staff, endpoint('Change a client (fields not sent are kept)', { params: idParams, body: patchBody }, async ({ params, body }, _req, res) => {
    res.json(await updateClient(ctx, params.id, body));
  }));
  router.post(`${PATH}/:id/identities`, staff, endpoint('Give a client an identity (201; 200 when the client has it already)', { params: idParams, body: identityBody }, async ({ params, body }, _req, res) => {
    const { identity, created } = await addIdentity(ctx, params.id, body, actorOf(res));
    res.status(created ? 201 : 200).json(identity);
  }));
  router.delete(`${PATH}/:id/identities/:identityId`, staff, endpoint('Remove an identity of a client', { params: identityParams }, async ({ params }, _req, res) => {
    await removeIdentity(ctx, params.id, params.identityId, actorOf(res));
    res.status(204).end();
  }));
  return router;
}
