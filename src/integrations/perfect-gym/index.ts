import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parse } from '../../http/validate.js';
import { enqueueRun } from '../../jobs/runs.js';
import type { IntegrationTypeDefinition } from '../definition.js';
import { getCatalog } from './catalog.js';
import { perfectGymConfigSchema, perfectGymSecretsSchema, type PerfectGymConfig } from './config.js';
import { perfectGymCredentials } from './credentials.js';
import { listSyncIssues } from './issues.js';
import { importMemberJustInTime, locationsByClub } from './members.js';
import { accessSyncJob, checkClubExists, clientsSyncJob, initialSyncJob, testPerfectGymConnection } from './sync.js';

const initialSyncBody = z.strictObject({ locationId: z.number().int().positive().optional() });
const PRESENCE_EVENTS = new Set(['UserPresenceChanged', 'UserCardScanned']);
const schedule = (of: (c: PerfectGymConfig) => { enabled: boolean; everyMinutes: number }) => (config: unknown) => {
  const s = of(config as PerfectGymConfig);
  return s.enabled ? s.everyMinutes : null;
};

/** Perfect Gym, the membership system: members, contracts, add-ons and visits in; member sign-in. */
export const perfectGym: IntegrationTypeDefinition = {
  type: 'perfect_gym',
  title: 'Perfect Gym',
  configSchema: perfectGymConfigSchema,
  secretsSchema: perfectGymSecretsSchema,
  identityTypeFields: ['identityTypeId'],
  remoteKey: (config) => (config as PerfectGymConfig).baseUrl.toLowerCase(),
  locationLink: {
    ownsMembers: true,
    externalIdSchema: z.number().int().positive().max(2 ** 53),
    locationField: { name: 'perfectGymClubId', show: Number },
    check: checkClubExists,
  },
  jobs: [
    { kind: 'initial', manual: false, run: initialSyncJob },
    { kind: 'clients', manual: true, everyMinutes: schedule((c) => c.syncMembers), run: clientsSyncJob },
    { kind: 'access', manual: true, everyMinutes: schedule((c) => c.syncSwipes), run: accessSyncJob },
  ],
  test: testPerfectGymConnection,
  // Perfect Gym webhooks are a doorbell: acknowledge at once, re-read through the API in a run.
  webhook: {
    path: 'perfect-gym',
    authentication: 'urlToken',
    async handle(ctx, integration, req) {
      const events = [req.body].flat() as { event?: string }[];
      const jobs = new Set(events.map((e) => (PRESENCE_EVENTS.has(String(e?.event)) ? 'access' : 'clients')));
      for (const kind of jobs) await enqueueRun(ctx, { integrationId: integration.id, kind, scope: 'all', trigger: 'webhook' });
      return { status: 200, body: { received: events.length } };
    },
  },
  adminActions: [
    {
      method: 'post',
      name: 'initial-sync',
      async handle(ctx, integration, req) {
        const { locationId } = parse(initialSyncBody, req.body);
        if (locationId !== undefined && ![...(await locationsByClub(ctx, integration.id)).values()].some((l) => l.id === locationId)) {
          throw AppError.badRequest(`Location ${locationId} is not linked to a Perfect Gym club of this integration: set its perfectGymClubId first`, [
            { path: 'locationId', message: 'not linked to a Perfect Gym club' },
          ]);
        }
        const scope = locationId === undefined ? 'all' : `location:${locationId}`;
        const { run } = await enqueueRun(ctx, { integrationId: integration.id, kind: 'initial', scope, trigger: 'manual' });
        return { status: 202, body: { run } };
      },
    },
    { method: 'get', name: 'catalog', handle: async (ctx, integration) => ({ status: 200, body: await getCatalog(ctx, integration) }) },
    { method: 'get', name: 'issues', handle: async (ctx, integration) => ({ status: 200, body: await listSyncIssues(ctx, integration.id) }) },
  ],
  memberSource: {
    identityTypeId: (config) => (config as PerfectGymConfig).identityTypeId,
    importMember: (ctx, integration, memberId) => (/^\d+$/.test(memberId) ? importMemberJustInTime(ctx, integration, Number(memberId)) : Promise.resolve(null)),
  },
  passwordSignIn: perfectGymCredentials,
};
