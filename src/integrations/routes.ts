import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { principalOf, requireStaff } from '../http/auth.js';
import { decodeCursor, pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams } from '../http/validate.js';
import { enqueueRun } from '../jobs/runs.js';
import type { AdminAction } from './definition.js';
import { activeIntegrationKept } from './kept.js';
import { deleteIntegrationLink, getIntegrationLink, setIntegrationLink } from './links.js';
import { definitionOf, integrationTypes } from './registry.js';
import {
  checkWebhookToken,
  createIntegration,
  deleteIntegration,
  describeIntegrationTypes,
  getIntegrationOrThrow,
  getRunOrThrow,
  listIntegrations,
  listRuns,
  testIntegration,
  toApi,
  withNextRun,
  updateIntegration,
} from './service.js';

const fields = z.strictObject({
  type: z.string().refine((type) => integrationTypes().some((d) => d.type === type), {
    error: () => `must be one of ${integrationTypes().map((d) => d.type).join(', ')}`,
  }),
  name: z.string().trim().min(1).max(200),
  active: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.unknown()),
});
// Defaults belong to creation only: a PATCH changes just the fields it sends.
const body = fields.extend({ active: fields.shape.active.default(true), secrets: fields.shape.secrets.default({}) });
const patchBody = fields.omit({ type: true }).partial();
const syncBody = z.strictObject({ job: z.string().min(1).max(40) });
const linkParams = z.object({ id: z.coerce.number().int().positive(), locationId: z.coerce.number().int().positive() });
const linkBody = z.strictObject({ externalId: z.union([z.string(), z.number()]), secrets: z.record(z.string(), z.unknown()).optional() });
const actionParams = z.object({ id: z.coerce.number().int().positive(), action: z.string().max(60) });
const webhookParams = z.object({ path: z.string().max(60), integrationId: z.coerce.number().int().positive() });
const webhookQuery = z.object({ token: z.string().max(200).optional() });

const PATH = '/api/v1/admin/integrations';

/**
 * The integrations API for every registered type: CRUD, test, manual syncs, runs, location links,
 * and the admin actions each type declares (under /:id/<name>).
 */
export function integrationsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);
  const admin = requireStaff(ctx, 'admin');

  // Any staff: managers set location links too, and the link's schema says what a remote id looks like.
  router.get('/api/v1/admin/integration-types', staff, endpoint('Registered integration types with their config, secrets and location-link schemas (JSON Schema)', {}, (_input, _req, res) => {
    res.json({ items: describeIntegrationTypes(), nextCursor: null });
  }));
  router.get(PATH, staff, endpoint('Integrations with their status (secrets shown as "set")', {}, async (_input, _req, res) => {
    res.json({ items: await withNextRun(ctx, await listIntegrations(ctx)), nextCursor: null });
  }));
  router.post(PATH, admin, endpoint('Create an integration of a registered type (config checked by the type\'s schema)', { body }, async ({ body: input }, _req, res) => {
    res.status(201).json(toApi(ctx, await createIntegration(ctx, input)));
  }));
  router.get(`${PATH}/:id`, staff, endpoint('One integration', { params: idParams }, async ({ params }, _req, res) => {
    res.json((await withNextRun(ctx, [await getIntegrationOrThrow(ctx, params.id)]))[0]);
  }));
  router.patch(`${PATH}/:id`, admin, endpoint('Change an integration (secrets sent replace those kept)', { params: idParams, body: patchBody }, async ({ params, body: input }, _req, res) => {
    res.json(toApi(ctx, await updateIntegration(ctx, params.id, input)));
  }));
  router.delete(`${PATH}/:id`, admin, endpoint('Delete an integration', { params: idParams }, async ({ params }, _req, res) => {
    await deleteIntegration(ctx, params.id);
    res.status(204).end();
  }));
  router.post(`${PATH}/:id/test`, staff, endpoint('Test the connection: a real call to the remote side, answered in words', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await testIntegration(ctx, params.id));
  }));
  router.post(`${PATH}/:id/sync`, staff, endpoint('Start one of the type\'s manual jobs (202 with the run; 409 while one runs)', { params: idParams, body: syncBody }, async ({ params, body: { job } }, _req, res) => {
    const integration = await getIntegrationOrThrow(ctx, params.id);
    const manual = definitionOf(integration.type).jobs.filter((j) => j.manual).map((j) => j.kind);
    if (!manual.includes(job)) {
      throw AppError.badRequest(`A ${integration.type} integration has no job ${job} to start by hand`, [{ path: 'job', message: manual.length ? `one of ${manual.join(', ')}` : 'this type has none' }]);
    }
    const { run } = await enqueueRun(ctx, { integrationId: integration.id, kind: job, scope: 'all', trigger: 'manual' });
    res.status(202).json({ run });
  }));
  router.get(`${PATH}/:id/runs`, staff, endpoint('The integration\'s runs, newest first, paged', { params: idParams, query: pageQuery }, async ({ params, query }, _req, res) => {
    res.json(await listRuns(ctx, params.id, decodeCursor(query.cursor), query.limit));
  }));
  router.get('/api/v1/admin/sync-runs/:id', staff, endpoint('One run: status, progress counters, error', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getRunOrThrow(ctx, params.id));
  }));

  router.get(`${PATH}/:id/locations/:locationId`, staff, endpoint('A location\'s link to this integration (its remote id)', { params: linkParams }, async ({ params }, _req, res) => {
    res.json(await getIntegrationLink(ctx, await getIntegrationOrThrow(ctx, params.id), params.locationId));
  }));
  router.put(`${PATH}/:id/locations/:locationId`, staff, endpoint('Link a location (remote id checked by the type; per-location secrets encrypted)', { params: linkParams, body: linkBody }, async ({ params, body: input }, _req, res) => {
    res.json(await setIntegrationLink(ctx, await getIntegrationOrThrow(ctx, params.id), params.locationId, input));
  }));
  router.delete(`${PATH}/:id/locations/:locationId`, staff, endpoint('Unlink a location', { params: linkParams }, async ({ params }, _req, res) => {
    await deleteIntegrationLink(ctx, await getIntegrationOrThrow(ctx, params.id), params.locationId);
    res.status(204).end();
  }));

  // What each type declares for itself, dispatched on the integration's type (each action reads its own body).
  const action = (method: AdminAction['method']) =>
    endpoint(`A type's own ${method.toUpperCase()} action (e.g. catalog, issues, register-webhook, wellpass-ids)`, { params: actionParams }, async ({ params }, req, res) => {
      const integration = await getIntegrationOrThrow(ctx, params.id);
      const found = definitionOf(integration.type).adminActions?.find((a) => a.method === method && a.name === params.action);
      if (!found) throw AppError.notFound(`A ${integration.type} integration has no ${method.toUpperCase()} ${params.action}`);
      const principal = principalOf(res);
      if (found.roles && principal.kind === 'staff' && !found.roles.includes(principal.role)) throw AppError.forbidden(`This action needs the ${found.roles.join(' or ')} role`);
      const { status, body: answer } = await found.handle(ctx, integration, req);
      res.status(status).json(answer);
    });
  router.get(`${PATH}/:id/:action`, staff, action('get'));
  router.post(`${PATH}/:id/:action`, staff, action('post'));
  return router;
}

/**
 * Calls from remote systems, one per booking or member change: mounted ahead of the other API
 * routers, so a delivery is not matched against every route of the API first.
 */
export function webhooksRouter(ctx: AppContext): Router {
  const router = Router();
  // Each type's handler reads (and authenticates) the body in the remote system's own shape.
  router.post('/api/v1/webhooks/:path/:integrationId', endpoint('Calls from a remote system to one integration', { params: webhookParams, query: webhookQuery }, async ({ params, query }, req, res) => {
    const definition = integrationTypes().find((d) => d.webhook?.path === params.path);
    // Deliveries come one per booking or member change: the integration is the kept copy (kept.ts).
    const integration = definition ? (await activeIntegrationKept(ctx, definition.type, params.integrationId))?.integration : undefined;
    if (!definition?.webhook || !integration) {
      throw AppError.notFound(`There is no active integration ${params.integrationId} receiving ${params.path} webhooks`);
    }
    if (definition.webhook.authentication === 'urlToken') checkWebhookToken(integration, query.token);
    const { status, body: answer } = await definition.webhook.handle(ctx, integration, req);
    res.status(status).json(answer);
  }));
  return router;
}
