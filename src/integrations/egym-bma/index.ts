import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { IntegrationTypeDefinition } from '../definition.js';
import { findLinkedLocation } from '../links.js';
import { secretsOf } from '../secrets.js';
import { egymBmaConfigSchema, egymBmaSecretsSchema, type EgymBmaConfig, type EgymBmaSecrets } from './config.js';
import { groupxMeta } from './groupx/meta.js';
import { GROUPX_BASE_PATH, groupxRouter } from './groupx/routes.js';
import { mapEgymMember } from './mapping.js';
import { verifyEgymToken } from './token.js';

/** The EGYM Branded Member App: its tile token signs members in (EGYM.md section 1). */
export const egymBma: IntegrationTypeDefinition = {
  type: 'egym_bma',
  title: 'EGYM app',
  configSchema: egymBmaConfigSchema,
  secretsSchema: egymBmaSecretsSchema,
  identityTypeFields: ['bmaUserIdentityTypeId', 'memberIdentityTypeId'],
  locationLink: {
    ownsMembers: false,
    externalIdSchema: z.string().trim().min(1).max(100),
    locationField: { name: 'egymLocationId', show: String },
  },
  jobs: [],
  async test(_ctx, integration) {
    const v = (integration.config as unknown as EgymBmaConfig).verification;
    const hasSecret = Boolean((secretsOf(integration) as EgymBmaSecrets).hs256Secret);
    if (v.kind === 'hs256' && !hasSecret) return { ok: false, detail: 'verification.kind is hs256 but secrets.hs256Secret is not set' };
    const groupx = (integration.config as unknown as EgymBmaConfig).groupx;
    if (groupx && !(secretsOf(integration) as EgymBmaSecrets).groupxClientSecret) return { ok: false, detail: 'config.groupx is set but secrets.groupxClientSecret is not: EGYM cannot call the GroupX classes API' };
    return { ok: true, detail: `Tokens are verified with ${v.kind}${groupx ? `; the GroupX classes API is served at ${GROUPX_BASE_PATH} for client id ${groupx.clientId}` : ''}` };
  },
  // EGYM's canonical GroupX classes API: EGYM's platform shows and books this club's classes (EGYM.md section 2).
  publicApi: { basePath: GROUPX_BASE_PATH, router: groupxRouter, servedBy: (config) => Boolean((config as EgymBmaConfig).groupx) },
  adminActions: [
    { method: 'get', name: 'groupx-meta', handle: async (ctx, integration) => ({ status: 200, body: await groupxMeta(ctx, integration) }) },
  ],
  tokenSignIn: {
    path: 'egym',
    /** The first integration whose key verifies the token maps it; else the first one's reason. */
    async signIn(ctx, integrations, token) {
      if (!integrations.length) throw AppError.unavailable('EGYM sign-in is not configured: add an active egym_bma integration');
      let firstError: unknown;
      for (const integration of integrations) {
        let claims;
        try {
          claims = await verifyEgymToken(integration, token);
        } catch (err) {
          firstError ??= err;
          continue;
        }
        const clientId = await mapEgymMember(ctx, integration, claims);
        // A member without a home location gets the EGYM location they opened the app at.
        const opened = claims.externalGymId ? await findLinkedLocation(ctx, integration, claims.externalGymId) : null;
        return { clientId, locationId: opened?.id ?? null };
      }
      throw firstError;
    },
  },
};
