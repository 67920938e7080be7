import type { AppContext } from './context.js';
import { findIdentityTypeByName } from './identities/repository.js';
import { locationFieldValues } from './integrations/links.js';
import { createIntegration, listIntegrations, updateIntegration } from './integrations/service.js';
import { enqueueRun } from './jobs/runs.js';
import { listLocations } from './locations/repository.js';
import { updateLocation } from './locations/service.js';
import { startEgymIssuer } from './sandbox/egym/issuer.js';
import { startPerfectGymSandbox } from './sandbox/perfect-gym/server.js';

const DEMO_INTEGRATION = 'Perfect Gym (demo sandbox)';
const DEMO_EGYM = 'EGYM app (demo issuer)';

/**
 * Zero-config demo: a Perfect Gym sandbox in this process with a small chain, an active
 * integration pointing at it (re-pointed on every start, since the port changes), the seeded
 * locations mapped to its clubs, and an initial sync queued (syncs then run every minute); and an
 * EGYM token issuer with an egym_bma integration trusting it, so a printed token opens the app tiles.
 */
export async function startDemo(ctx: AppContext): Promise<{ lines: string[]; stop(): Promise<void> }> {
  const sandbox = await startPerfectGymSandbox({ members: 300, clubs: 2, seed: 42 });
  const identityType = await findIdentityTypeByName(ctx.db, 'Perfect Gym member');
  if (!identityType) throw new Error('The demo seed did not create the "Perfect Gym member" identity type');

  const clubs = sandbox.list('Clubs');
  const locations = await listLocations(ctx.db);
  const clubOf = await locationFieldValues(ctx, locations.map((l) => l.id));
  const unmapped = locations.filter((l) => clubOf.get(l.id)!.perfectGymClubId === null);
  const taken = new Set(locations.map((l) => clubOf.get(l.id)!.perfectGymClubId));
  for (const [i, club] of clubs.filter((c) => !taken.has(c.id)).entries()) {
    if (unmapped[i]) await updateLocation(ctx, unmapped[i]!.id, { perfectGymClubId: club.id });
  }

  const config = {
    baseUrl: sandbox.url, clientId: sandbox.clientId, identityTypeId: identityType.id,
    syncMembers: { enabled: true, everyMinutes: 1 }, syncSwipes: { enabled: true, everyMinutes: 1 },
  };
  const existing = (await listIntegrations(ctx)).find((i) => i.name === DEMO_INTEGRATION);
  const integration = existing
    ? await updateIntegration(ctx, existing.id, { active: true, config, secrets: { clientSecret: sandbox.clientSecret } })
    : await createIntegration(ctx, { type: 'perfect_gym', name: DEMO_INTEGRATION, active: true, config, secrets: { clientSecret: sandbox.clientSecret } });
  if (!existing) await enqueueRun(ctx, { integrationId: integration.id, kind: 'initial', scope: 'all', trigger: 'demo' });

  // EGYM app tiles: a stand-in issuer, an egym_bma integration trusting its JWKS, and a token for a demo member.
  const issuer = await startEgymIssuer();
  const bmaType = await findIdentityTypeByName(ctx.db, 'EGYM BMA User ID');
  const egymConfig = {
    verification: { kind: 'jwks', jwksUrl: issuer.jwksUrl }, issuer: issuer.issuer, audience: issuer.audience,
    membershipIdPrefix: 'demo-', bmaUserIdentityTypeId: bmaType!.id, memberIdentityTypeId: identityType.id,
  };
  const egym = (await listIntegrations(ctx)).find((i) => i.name === DEMO_EGYM);
  if (egym) await updateIntegration(ctx, egym.id, { active: true, config: egymConfig });
  else await createIntegration(ctx, { type: 'egym_bma', name: DEMO_EGYM, active: true, config: egymConfig, secrets: {} });
  const tileMember = sandbox.demoLogins[0]!;
  const egymToken = await issuer.sign({ sub: `bma-${tileMember.memberId}`, membershipId: `demo-${tileMember.memberId}`, email: tileMember.login }, { expiresInSeconds: 24 * 3600 });

  return {
    lines: [
      `Perfect Gym sandbox: ${sandbox.url} (control API under ${sandbox.url}/__sandbox/, e.g. PATCH /__sandbox/Members/1 {"lastName":"New"})`,
      // What "Connecting Perfect Gym" in the README asks for, to try it against the sandbox.
      `Perfect Gym sandbox credentials: baseUrl ${sandbox.url}, clientId ${sandbox.clientId}, clientSecret ${sandbox.clientSecret}`,
      `Perfect Gym integration ${integration.id}: initial sync ${existing ? 'done on first start' : 'queued'}, then members and visits every minute`,
      ...sandbox.demoLogins.map((l) => `Perfect Gym member sign-in (no clubcore password): ${l.login} / ${l.password}`),
      `EGYM app token for ${tileMember.login} (valid 24 h): POST /api/v1/auth/egym {"token":"${egymToken}"}`,
    ],
    stop: async () => {
      await issuer.close();
      await sandbox.close();
    },
  };
}
