import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { principalOf, requireStaff } from '../http/auth.js';
import { decodeCursor, pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
import { enqueueRun } from '../jobs/runs.js';
import type { AdminAction } from './definition.js';
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
 * and what each type declares (admin actions under /:id/<name>, webhooks under /api/v1/webhooks/<path>).
 */
export function integrationsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);
  const admin = requireStaff(ctx, 'admin');

  // Any staff: managers set location links too, and the link's schema says what a remote id looks like.
  router.get('/api/v1/admin/integration-types', staff, (_req, res) => {
    res.json({ items: describeIntegrationTypes(), nextCursor: null });
  });
  router.get(PATH, staff, async (_req, res) => {
    res.json({ items: (await listIntegrations(ctx)).map((i) => toApi(ctx, i)), nextCursor: null });
  });
  router.post(PATH, admin, async (req, res) => {
    res.status(201).json(toApi(ctx, await createIntegration(ctx, parse(body, req.body))));
  });
  router.get(`${PATH}/:id`, staff, async (req, res) => {
    res.json(toApi(ctx, await getIntegrationOrThrow(ctx, parse(idParams, req.params).id)));
  });
  router.patch(`${PATH}/:id`, admin, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(toApi(ctx, await updateIntegration(ctx, id, parse(patchBody, req.body))));
  });
  router.delete(`${PATH}/:id`, admin, async (req, res) => {
    await deleteIntegration(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });
  router.post(`${PATH}/:id/test`, staff, async (req, res) => {
    res.json(await testIntegration(ctx, parse(idParams, req.params).id));
  });
  router.post(`${PATH}/:id/sync`, staff, async (req, res) => {
    const integration = await getIntegrationOrThrow(ctx, parse(idParams, req.params).id);
    const { job } = parse(syncBody, req.body);
    const manual = definitionOf(integration.type).jobs.filter((j) => j.manual).map((j) => j.kind);
    if (!manual.includes(job)) {
      throw AppError.badRequest(`A ${integration.type} integration has no job ${job} to start by hand`, [{ path: 'job', message: manual.length ? `one of ${manual.join(', ')}` : 'this type has none' }]);
    }
    const { run } = await enqueueRun(ctx, { integrationId: integration.id, kind: job, scope: 'all', trigger: 'manual' });
    res.status(202).json({ run });
  });
  router.get(`${PATH}/:id/runs`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    const page = parse(pageQuery, req.query, 'query');
    res.json(await listRuns(ctx, id, decodeCursor(page.cursor), page.limit));
  });
  router.get('/api/v1/admin/sync-runs/:id', staff, async (req, res) => {
    res.json(await getRunOrThrow(ctx, parse(idParams, req.params).id));
  });

  router.get(`${PATH}/:id/locations/:locationId`, staff, async (req, res) => {
    const { id, locationId } = parse(linkParams, req.params);
    res.json(await getIntegrationLink(ctx, await getIntegrationOrThrow(ctx, id), locationId));
  });
  router.put(`${PATH}/:id/locations/:locationId`, staff, async (req, res) => {
    const { id, locationId } = parse(linkParams, req.params);
    res.json(await setIntegrationLink(ctx, await getIntegrationOrThrow(ctx, id), locationId, parse(linkBody, req.body)));
  });
  router.delete(`${PATH}/:id/locations/:locationId`, staff, async (req, res) => {
    const { id, locationId } = parse(linkParams, req.params);
    await deleteIntegrationLink(ctx, await getIntegrationOrThrow(ctx, id), locationId);
    res.status(204).end();
  });

  // What each type declares for itself, dispatched on the integration's type.
  const action = (method: AdminAction['method']) => async (req: Request, res: Response) => {
    const { id, action: name } = parse(actionParams, req.params);
    const integration = await getIntegrationOrThrow(ctx, id);
    const found = definitionOf(integration.type).adminActions?.find((a) => a.method === method && a.name === name);
    if (!found) throw AppError.notFound(`A ${integration.type} integration has no ${method.toUpperCase()} ${name}`);
    const principal = principalOf(res);
    if (found.roles && principal.kind === 'staff' && !found.roles.includes(principal.role)) throw AppError.forbidden(`This action needs the ${found.roles.join(' or ')} role`);
    const { status, body: answer } = await found.handle(ctx, integration, req);
    res.status(status).json(answer);
  };
  router.get(`${PATH}/:id/:action`, staff, action('get'));
  router.post(`${PATH}/:id/:action`, staff, action('post'));

  router.post('/api/v1/webhooks/:path/:integrationId', async (req, res) => {
    const { path, integrationId } = parse(webhookParams, req.params);
    const definition = integrationTypes().find((d) => d.webhook?.path === path);
    const integration = definition ? await getIntegrationOrThrow(ctx, integrationId).catch(() => null) : null;
    if (!definition?.webhook || !integration?.active || integration.type !== definition.type) {
      throw AppError.notFound(`There is no active integration ${integrationId} receiving ${path} webhooks`);
    }
    if (definition.webhook.authentication === 'urlToken') checkWebhookToken(integration, parse(webhookQuery, req.query, 'query').token);
    const { status, body: answer } = await definition.webhook.handle(ctx, integration, req);
    res.status(status).json(answer);
  });
  return router;
}
