import type { z } from 'zod';
import type { CredentialsVerifier } from '../auth/member-login.js';
import type { AppContext } from '../context.js';
import { egymBmaConfigSchema, egymBmaSecretsSchema } from './egym/config.js';
import { perfectGymConfigSchema, perfectGymSecretsSchema, type PerfectGymConfig } from './perfect-gym/config.js';
import { perfectGymCredentials } from './perfect-gym/credentials.js';
import { accessSyncJob, clientsSyncJob, initialSyncJob, testPerfectGymConnection } from './perfect-gym/sync.js';
import { secretsOf } from './secrets.js';
import type { Integration, IntegrationType, JobHandler, RunKind } from './types.js';

export type ScheduledJob = Extract<RunKind, 'clients' | 'access'>;

/** Everything clubcore knows about one integration type; a new type is one more entry here. */
export interface IntegrationTypeDefinition {
  configSchema: z.ZodType;
  secretsSchema: z.ZodType;
  /** Config fields that must name an existing identity type. */
  identityTypeFields: string[];
  jobs: Partial<Record<RunKind, JobHandler>>;
  /** Which scheduled jobs are on, and how often. */
  schedules(integration: Integration): { job: ScheduledJob; everyMinutes: number }[];
  /** A real call to the remote side, reported in words a manager can act on. */
  test(ctx: AppContext, integration: Integration): Promise<{ ok: boolean; detail: string }>;
  /** Member sign-in with this integration's credentials (password chain). */
  signIn?: (integration: Integration) => CredentialsVerifier;
}

export const registry: Record<IntegrationType, IntegrationTypeDefinition> = {
  perfect_gym: {
    configSchema: perfectGymConfigSchema,
    secretsSchema: perfectGymSecretsSchema,
    identityTypeFields: ['identityTypeId'],
    jobs: { initial: initialSyncJob, clients: clientsSyncJob, access: accessSyncJob },
    schedules(integration) {
      const config = integration.config as unknown as PerfectGymConfig;
      return [
        ...(config.syncMembers.enabled ? [{ job: 'clients' as const, everyMinutes: config.syncMembers.everyMinutes }] : []),
        ...(config.syncSwipes.enabled ? [{ job: 'access' as const, everyMinutes: config.syncSwipes.everyMinutes }] : []),
      ];
    },
    test: testPerfectGymConnection,
    signIn: perfectGymCredentials,
  },
  egym_bma: {
    configSchema: egymBmaConfigSchema,
    secretsSchema: egymBmaSecretsSchema,
    identityTypeFields: ['bmaUserIdentityTypeId', 'memberIdentityTypeId'],
    jobs: {},
    schedules: () => [],
    test: async (_ctx, integration) => {
      const v = (integration.config as { verification: { kind: string } }).verification;
      const hasSecret = Boolean((secretsOf(integration) as { hs256Secret?: string }).hs256Secret);
      if (v.kind === 'hs256' && !hasSecret) return { ok: false, detail: 'verification.kind is hs256 but secrets.hs256Secret is not set' };
      return { ok: true, detail: `Tokens are verified with ${v.kind}` };
    },
  },
};

export const INTEGRATION_TYPES = Object.keys(registry) as IntegrationType[];
