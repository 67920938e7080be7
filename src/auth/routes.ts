import { Router } from 'express';
import { z } from 'zod';
import { getClient } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { bearerToken } from '../http/auth.js';
import { endpoint } from '../http/endpoint.js';
import { remotePasswordVerifiers, tokenSignIns } from '../integrations/sign-in.js';
import { getLocation } from '../locations/repository.js';
import { locationForMember } from '../me/service.js';
import { authenticateMember, localPassword, type CredentialsVerifier } from './member-login.js';
import { createSession, deleteSession } from './sessions.js';
import { throttled } from './throttle.js';

const tokenBody = z.strictObject({ token: z.string().min(1).max(10_000) });

const loginBody = z.strictObject({
  login: z.string().trim().min(1).max(255),
  password: z.string().min(1).max(1024),
});

/** Local password first, then each active integration that can check member credentials. */
async function passwordVerifiers(ctx: AppContext): Promise<[string, CredentialsVerifier][]> {
  return [['local', localPassword], ...(await remotePasswordVerifiers(ctx))];
}

export function authRouter(ctx: AppContext): Router {
  const router = Router();

  router.post('/api/v1/auth/login', endpoint('Member sign-in with e-mail or member number and password (local, else Perfect Gym)', { body: loginBody }, async ({ body: credentials }, req, res) => {
    const member = await throttled(ctx, 'member', credentials.login, req.ip ?? 'unknown', async () =>
      authenticateMember(ctx, await passwordVerifiers(ctx), credentials, req, res),
    );
    const session = await createSession(ctx, { type: 'client', id: member.clientId }, member.method);
    res.json({ ...session, client: await getClient(ctx.db, member.clientId) });
  }));

  // Tokens a remote app issued for its signed-in member (the EGYM app's tile token, ...).
  for (const method of tokenSignIns()) {
    router.post(`/api/v1/auth/${method.path}`, endpoint(`Member sign-in with a token the remote app issued (${method.path})`, { body: tokenBody }, async ({ body: { token } }, _req, res) => {
      const { clientId, locationId } = await method.signIn(ctx, token);
      const client = await getClient(ctx.db, clientId);
      if (client?.status !== 'active') throw AppError.unauthorized('This member account is not active', 'memberInactive');
      // The class list defaults to the home location; a member without one gets the location they opened the app at.
      const homeLocationId = client.homeLocationId ?? locationId;
      const home = homeLocationId ? await getLocation(ctx.db, homeLocationId) : null;
      const session = await createSession(ctx, { type: 'client', id: clientId }, method.path);
      res.json({ ...session, client, homeLocation: home && locationForMember(home) });
    }));
  }

  router.post('/api/v1/auth/logout', endpoint('End the session of the bearer token', {}, async (_input, req, res) => {
    const token = bearerToken(req);
    if (token) await deleteSession(ctx.db, token);
    res.status(204).end();
  }));
  return router;
}
