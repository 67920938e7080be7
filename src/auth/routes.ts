import { Router } from 'express';
import { z } from 'zod';
import { getClient } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import { bearerToken } from '../http/auth.js';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { mapEgymMember } from '../integrations/egym/mapping.js';
import { verifyEgymToken, type EgymClaims } from '../integrations/egym/token.js';
import { registry } from '../integrations/registry.js';
import type { Integration } from '../integrations/types.js';
import { findLocationByEgymLocationId, getLocation } from '../locations/repository.js';
import { listActiveIntegrations } from '../integrations/service.js';
import { authenticateMember, localPassword, type CredentialsVerifier } from './member-login.js';
import { createSession, deleteSession } from './sessions.js';
import { throttled } from './throttle.js';

const egymBody = z.strictObject({ token: z.string().min(1).max(10_000) });

/** The first active egym_bma integration whose key verifies the token; else the first one's reason. */
async function verifyWithAnyEgymIntegration(ctx: AppContext, token: string): Promise<{ integration: Integration; claims: EgymClaims }> {
  const integrations = await listActiveIntegrations(ctx, 'egym_bma');
  if (!integrations.length) throw AppError.unavailable('EGYM sign-in is not configured: add an active egym_bma integration');
  let firstError: unknown;
  for (const integration of integrations) {
    try {
      return { integration, claims: await verifyEgymToken(integration, token) };
    } catch (err) {
      firstError ??= err;
    }
  }
  throw firstError;
}

const loginBody = z.strictObject({
  login: z.string().trim().min(1).max(255),
  password: z.string().min(1).max(1024),
});

/** Local password first, then each active integration that can check member credentials. */
async function passwordVerifiers(ctx: AppContext): Promise<[string, CredentialsVerifier][]> {
  const remote = (await listActiveIntegrations(ctx)).flatMap((i) => {
    const signIn = registry[i.type].signIn;
    return signIn ? [[`${i.type}:${i.id}`, signIn(i)] as [string, CredentialsVerifier]] : [];
  });
  return [['local', localPassword], ...remote];
}

export function authRouter(ctx: AppContext): Router {
  const router = Router();

  router.post('/api/v1/auth/login', async (req, res) => {
    const credentials = parse(loginBody, req.body);
    const member = await throttled(ctx, 'member', credentials.login, req.ip ?? 'unknown', async () =>
      authenticateMember(ctx, await passwordVerifiers(ctx), credentials, req, res),
    );
    const session = await createSession(ctx, { type: 'client', id: member.clientId }, member.method);
    res.json({ ...session, client: await getClient(ctx.db, member.clientId) });
  });

  router.post('/api/v1/auth/egym', async (req, res) => {
    const { token } = parse(egymBody, req.body);
    const { integration, claims } = await verifyWithAnyEgymIntegration(ctx, token);
    const clientId = await mapEgymMember(ctx, integration, claims);
    const client = await getClient(ctx.db, clientId);
    if (client?.status !== 'active') throw AppError.unauthorized('This member account is not active');
    // The class list defaults to the home location; a member without one gets the EGYM location they opened the app at.
    const homeLocation =
      (client.homeLocationId ? await getLocation(ctx.db, client.homeLocationId) : null) ??
      (claims.externalGymId ? await findLocationByEgymLocationId(ctx.db, claims.externalGymId) : null);
    const session = await createSession(ctx, { type: 'client', id: clientId }, 'egym');
    res.json({ ...session, client, homeLocation });
  });

  router.post('/api/v1/auth/logout', async (req, res) => {
    const token = bearerToken(req);
    if (token) await deleteSession(ctx.db, token);
    res.status(204).end();
  });
  return router;
}
