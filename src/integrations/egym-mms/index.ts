import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parse } from '../../http/validate.js';
import { enqueueRun } from '../../jobs/runs.js';
import type { IntegrationTypeDefinition } from '../definition.js';
import { issueActions, listOpenIssues } from '../issues.js';
import { setCredentialsStatus, updateIntegration, webhookUrlOf } from '../service.js';
import type { IntegrationRun } from '../types.js';
import { MmsError } from './client.js';
import { egymMmsConfigSchema, egymMmsLinkSecretsSchema, egymMmsSecretsSchema, type EgymMmsConfig } from './config.js';
import { mmsLocations } from './locations.js';
import { accountJob, pullJob } from './pull.js';
import { PUSH_ISSUE, pushClient, sendVisit } from './push.js';
import { ACCOUNT_JOB, handleMmsWebhook } from './webhook.js';

/** Pushes every client of each linked location (push mode): the start, and a full reconcile. */
async function pushAllJob(h: IntegrationRun): Promise<void> {
  if ((h.integration.config as unknown as EgymMmsConfig).mode !== 'push') throw new Error('push-all sends clubcore\'s members to EGYM: this integration pulls them (mode pull)');
  const scoped = /^location:(\d+)$/.exec(h.run.scope)?.[1];
  for (const loc of await mmsLocations(h.ctx, h.integration, h.signal)) {
    if (scoped && Number(scoped) !== loc.locationId) continue;
    let afterId = 0;
    for (;;) {
      const ids: number[] = await h.ctx.db('clients').where({ home_location_id: loc.locationId, status: 'active' }).where('id', '>', afterId).orderBy('id').limit(100).pluck('id');
      if (!ids.length) break;
      for (const id of ids) await pushClient(h.ctx, loc, id);
      afterId = ids[ids.length - 1]!;
      await h.commitPage(h.ctx.db, { clients: ids.length });
    }
  }
}

const registerBody = z.strictObject({ publicBaseUrl: z.url().max(500).optional() });

/** EGYM's MMS API v2: members and visits pushed to EGYM, or accounts pulled from it (EGYM.md section 3). */
export const egymMms: IntegrationTypeDefinition = {
  type: 'egym_mms',
  title: 'EGYM MMS',
  configSchema: egymMmsConfigSchema,
  secretsSchema: egymMmsSecretsSchema,
  identityTypeFields: ['accountIdentityTypeId', 'membershipId.identityTypeId'],
  locationLink: {
    ownsMembers: false,
    externalIdSchema: z.string().trim().min(1).max(100),
    secretsSchema: egymMmsLinkSecretsSchema,
  },
  jobs: [
    { kind: 'push-all', manual: true, run: pushAllJob },
    { kind: 'pull', manual: true, everyMinutes: (c) => ((c as EgymMmsConfig).mode === 'pull' ? (c as EgymMmsConfig).pull.everyMinutes : null), run: pullJob },
    { kind: ACCOUNT_JOB, manual: false, run: accountJob },
  ],
  async test(ctx, integration) {
    const locations = await mmsLocations(ctx, integration);
    if (!locations.length) return { ok: false, detail: 'No location has an EGYM API key yet: link a location (PUT /api/v1/admin/integrations/:id/locations/:locationId with secrets.apiKey)' };
    const results = await Promise.all(
      locations.map(async (loc) => {
        try {
          await loc.mms.ping();
          return { ok: true, line: `location ${loc.locationId}: key accepted` };
        } catch (err) {
          return { ok: false, line: `location ${loc.locationId}: ${err instanceof MmsError ? err.message : String(err)}` };
        }
      }),
    );
    return { ok: results.every((r) => r.ok), detail: results.map((r) => r.line).join('; ') };
  },
  webhook: { path: 'egym-mms', authentication: 'handler', handle: handleMmsWebhook },
  async outboxConsumers(ctx, integration) {
    const config = integration.config as unknown as EgymMmsConfig;
    const topics = [...(config.mode === 'push' ? (['client'] as const) : []), ...(config.checkIns ? (['door_event'] as const) : [])];
    if (!topics.length) return [];
    return (await mmsLocations(ctx, integration)).map((loc) => ({
      consumer: `egym_mms:${integration.id}:location:${loc.locationId}`,
      topics,
      locationId: loc.locationId,
      handle: (event) => (event.topic === 'client' ? pushClient(ctx, loc, event.subjectId) : sendVisit(ctx, loc, event.subjectId)),
      // The location's members from before its link: sent by a push-all run of that location.
      onRegistered: async () => {
        if (config.mode === 'push') await enqueueRun(ctx, { integrationId: integration.id, kind: 'push-all', scope: `location:${loc.locationId}`, trigger: 'schedule' });
      },
      onOutcome: (error) =>
        setCredentialsStatus(ctx, integration.id, error instanceof MmsError && (error.kind === 'unauthorized' || error.kind === 'forbidden') ? 'failing' : 'ok', error instanceof MmsError ? error.message : null),
    }));
  },
  adminActions: [
    {
      method: 'post',
      name: 'register-webhook',
      roles: ['admin'],
      // EGYM calls clubcore with a secret of clubcore's choosing: a new one each time, kept encrypted.
      async handle(ctx, integration, req) {
        const { publicBaseUrl } = parse(registerBody, req.body ?? {});
        if (!publicBaseUrl && !ctx.config.PUBLIC_BASE_URL) throw AppError.badRequest('EGYM needs clubcore\'s public address: set PUBLIC_BASE_URL or send publicBaseUrl', [{ path: 'publicBaseUrl', message: 'required without PUBLIC_BASE_URL' }]);
        const locations = await mmsLocations(ctx, integration);
        if (!locations.length) throw AppError.rule('noApiKey', 'No location has an EGYM API key yet: link one first');
        const url = webhookUrlOf(ctx, integration, publicBaseUrl);
        const secret = randomBytes(24).toString('base64url');
        // EGYM keeps webhooks per key (gym location): each location's members' events come through its own.
        const taken: number[] = [];
        for (const loc of locations) {
          try {
            await loc.mms.registerWebhook(url, secret);
          } catch (err) {
            if (!(err instanceof MmsError && err.errorCode === 'webhookUrlAlreadyRegistered')) throw err;
            taken.push(loc.locationId);
          }
        }
        // Kept once EGYM holds it: a registration refused everywhere leaves the working secret in place.
        if (taken.length < locations.length) await updateIntegration(ctx, integration.id, { secrets: { webhookSecret: secret } });
        if (taken.length) {
          throw AppError.conflict(
            `EGYM already has ${url} registered for location(s) ${taken.join(', ')}, with a secret clubcore no longer holds: remove that webhook at EGYM with those locations' keys, then register again`,
            'webhookUrlAlreadyRegistered',
          );
        }
        return { status: 201, body: { url, registered: locations.map((l) => l.locationId) } };
      },
    },
    ...issueActions,
    {
      method: 'post',
      name: 'retry-issues',
      // Pushes again every client with an open issue (after staff fixed the e-mail, or at EGYM).
      async handle(ctx, integration) {
        const clientIds = (await listOpenIssues(ctx.db, integration.id, [PUSH_ISSUE])).map((i) => Number(i.key.split(':')[1]));
        const locations = await mmsLocations(ctx, integration);
        for (const clientId of clientIds) for (const loc of locations) await pushClient(ctx, loc, clientId);
        return { status: 200, body: { retried: clientIds.length, open: (await listOpenIssues(ctx.db, integration.id, [PUSH_ISSUE])).length } };
      },
    },
  ],
};
