import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { requireStaff } from '../http/auth.js';
import { decodeCursor, pageQuery } from '../http/paging.js';
import { idParams, parse } from '../http/validate.js';
import { enqueueRun } from '../jobs/runs.js';
import { getLocation } from '../locations/repository.js';
import { getCatalog } from './perfect-gym/catalog.js';
import { listSyncIssues } from './perfect-gym/issues.js';
import {
  checkWebhookToken,
  createIntegration,
  deleteIntegration,
  getIntegrationOrThrow,
  getRunOrThrow,
  INTEGRATION_TYPES,
  listActiveIntegrations,
  listIntegrations,
  listRuns,
  testIntegration,
  toApi,
  updateIntegration,
} from './service.js';
import type { IntegrationType } from './types.js';

const fields = z.strictObject({
  type: z.enum(INTEGRATION_TYPES as [IntegrationType, ...IntegrationType[]]),
  name: z.string().trim().min(1).max(200),
  active: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.unknown()),
});
// Defaults belong to creation only: a PATCH changes just the fields it sends.
const body = fields.extend({ active: fields.shape.active.default(true), secrets: fields.shape.secrets.default({}) });
const patchBody = fields.omit({ type: true }).partial();
const initialSyncBody = z.strictObject({ locationId: z.number().int().positive().optional() });
const syncBody = z.strictObject({ job: z.enum(['clients', 'access']) });
const webhookQuery = z.object({ token: z.string().max(200).optional() });
const webhookParams = z.object({ integrationId: z.coerce.number().int().positive() });
const PRESENCE_EVENTS = new Set(['UserPresenceChanged', 'UserCardScanned']);

const PATH = '/api/v1/admin/integrations';

export function integrationsRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);
  const admin = requireStaff(ctx, 'admin');
  const integration = async (id: number) => {
    const found = await getIntegrationOrThrow(ctx, id);
    if (found.type !== 'perfect_gym') throw AppError.rule('notSupported', `Integration ${id} is ${found.type}; this needs a perfect_gym integration`);
    return found;
  };

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

  router.post(`${PATH}/:id/initial-sync`, staff, async (req, res) => {
    const found = await integration(parse(idParams, req.params).id);
    const { locationId } = parse(initialSyncBody, req.body);
    if (locationId !== undefined) {
      const location = await getLocation(ctx.db, locationId);
      if (!location) throw AppError.badRequest(`There is no location ${locationId}`, [{ path: 'locationId', message: 'unknown location' }]);
      if (!location.perfectGymClubId) {
        throw AppError.badRequest(`Location ${location.name} has no perfectGymClubId: map it to its Perfect Gym club first`, [{ path: 'locationId', message: 'not mapped to a Perfect Gym club' }]);
      }
    }
    const scope = locationId === undefined ? 'all' : `location:${locationId}`;
    const { run } = await enqueueRun(ctx, { integrationId: found.id, kind: 'initial', scope, trigger: 'manual' });
    res.status(202).json({ run });
  });
  router.post(`${PATH}/:id/sync`, staff, async (req, res) => {
    const found = await integration(parse(idParams, req.params).id);
    const { run } = await enqueueRun(ctx, { integrationId: found.id, kind: parse(syncBody, req.body).job, scope: 'all', trigger: 'manual' });
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
  router.get(`${PATH}/:id/issues`, staff, async (req, res) => {
    res.json(await listSyncIssues(ctx, (await getIntegrationOrThrow(ctx, parse(idParams, req.params).id)).id));
  });
  router.get(`${PATH}/:id/catalog`, staff, async (req, res) => {
    res.json(await getCatalog(ctx, await integration(parse(idParams, req.params).id)));
  });

  // Perfect Gym webhooks are a doorbell: acknowledge at once, re-read through the API in a run.
  router.post('/api/v1/webhooks/perfect-gym/:integrationId', async (req, res) => {
    const { integrationId } = parse(webhookParams, req.params);
    const found = (await listActiveIntegrations(ctx, 'perfect_gym')).find((i) => i.id === integrationId);
    if (!found) throw AppError.notFound(`There is no active Perfect Gym integration ${integrationId}`);
    checkWebhookToken(found, parse(webhookQuery, req.query, 'query').token);
    const events = [req.body].flat() as { event?: string }[];
    const jobs = new Set<'clients' | 'access'>(events.map((e) => (PRESENCE_EVENTS.has(String(e?.event)) ? 'access' : 'clients')));
    for (const job of jobs) await enqueueRun(ctx, { integrationId, kind: job, scope: 'all', trigger: 'webhook' });
    res.status(200).json({ received: events.length });
  });
  return router;
}
