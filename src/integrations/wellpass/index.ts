import { z } from 'zod';
import { enqueueRun } from '../../jobs/runs.js';
import { pageQuery } from '../../http/paging.js';
import { parse } from '../../http/validate.js';
import type { IntegrationTypeDefinition } from '../definition.js';
import { issueActions } from '../issues.js';
import { setCredentialsStatus, webhookUrlOf } from '../service.js';
import { decisionsJob, handleWellpassWebhook, listRequests } from './bookings.js';
import { wellpassConfigSchema, wellpassSecretsSchema, type WellpassConfig } from './config.js';
import { publishSession, reconcileJob } from './publish.js';
import { venuesOf, wellpassOf } from './side.js';
import { validateVisit } from './visits.js';
import { WellpassError } from './wire.js';

/**
 * EGYM Wellpass (AGGREGATORS.md): the schedule of activities open to aggregators published as
 * classes and slots (every change within seconds through the outbox, and a full reconcile),
 * bookings decided inside the webhook request, visits validated once per member and day.
 */
export const wellpass: IntegrationTypeDefinition = {
  type: 'wellpass',
  title: 'EGYM Wellpass',
  configSchema: wellpassConfigSchema,
  secretsSchema: wellpassSecretsSchema,
  identityTypeFields: ['identityTypeId'],
  remoteKey: (config) => (config as WellpassConfig).companyUuid.toLowerCase(),
  // A location's venue UUID: the gym id in the API's paths (one venue per location).
  locationLink: { ownsMembers: false, externalIdSchema: z.uuid().transform((v) => v.toLowerCase()) },
  // The guide's step 3: Wellpass support switches the interface on with these two ids.
  sharedIds: (c) => [{ label: 'Company UUID', value: (c as WellpassConfig).companyUuid, hint: 'Give it to Wellpass support with each location’s venue UUID (Locations > Integrations)' }],
  jobs: [
    { kind: 'reconcile', manual: true, everyMinutes: (c) => (c as WellpassConfig).reconcileEveryMinutes, run: reconcileJob },
    // Sends decisions the aggregator does not have yet, well before its 15-minute auto-reject.
    { kind: 'decisions', manual: true, everyMinutes: () => 1, run: decisionsJob },
  ],
  async test(ctx, integration) {
    const venues = await venuesOf(ctx, integration.id);
    if (!venues.length) return { ok: false, detail: 'No location has a Wellpass venue UUID yet: link a location (PUT /api/v1/admin/integrations/:id/locations/:locationId {externalId: <venue UUID>})' };
    const w = wellpassOf(integration);
    const lines = await Promise.all(
      venues.map(async (v) => {
        try {
          await w.api.findClass(v.uuid, '');
          return { ok: true, line: `${v.location.name}: venue ${v.uuid} answers` };
        } catch (err) {
          return { ok: false, line: `${v.location.name}: ${err instanceof WellpassError ? err.message : String(err)}` };
        }
      }),
    );
    return { ok: lines.every((l) => l.ok), detail: lines.map((l) => l.line).join('; ') };
  },
  webhook: { path: 'wellpass', authentication: 'handler', handle: handleWellpassWebhook },
  async outboxConsumers(ctx, integration) {
    const w = wellpassOf(integration);
    return (await venuesOf(ctx, integration.id)).map((venue) => ({
      consumer: `wellpass:${integration.id}:location:${venue.location.id}`,
      topics: ['class_session', 'door_event'] as const,
      locationId: venue.location.id,
      // A slot is sent whole, as the session is now: a class filling up needs one send per pass, not one per booking.
      coalesce: true,
      handle: async (event) => {
        if (event.topic === 'class_session') await publishSession(ctx, w, venue, event.subjectId);
        else if (event.kind === 'entered') await validateVisit(ctx, w, venue, event.subjectId);
      },
      // What was scheduled before the venue was linked: published by a reconcile.
      onRegistered: async () => {
        await enqueueRun(ctx, { integrationId: integration.id, kind: 'reconcile', scope: 'all', trigger: 'schedule' });
      },
      onOutcome: (error) =>
        setCredentialsStatus(ctx, integration.id, error instanceof WellpassError && error.kind === 'unauthorized' ? 'failing' : 'ok', error instanceof WellpassError ? error.message : null),
    }));
  },
  adminActions: [
    // Issues: requests rejected as technical errors, with who made them, until staff dismiss them.
    ...issueActions,
    {
      method: 'get',
      name: 'requests',
      // The requests log (?limit, ?cursor): who asked for which class, the decision, whether Wellpass has it.
      handle: async (ctx, integration, req) => ({ status: 200, body: await listRequests(ctx, integration.id, parse(pageQuery, req.query, 'query')) }),
    },
    {
      method: 'get',
      name: 'wellpass-ids',
      // What Wellpass support needs to switch the interface on (the guide's step 3), ready to copy.
      async handle(ctx, integration) {
        const config = integration.config as unknown as WellpassConfig;
        const venues = await venuesOf(ctx, integration.id);
        return {
          status: 200,
          body: {
            companyUuid: config.companyUuid,
            venues: venues.map((v) => ({ locationId: v.location.id, locationName: v.location.name, venueUuid: v.uuid })),
            webhookUrl: webhookUrlOf(ctx, integration),
          },
        };
      },
    },
  ],
};
