import type { AppContext } from './context.js';
import { inTransaction } from './db/transaction.js';
import { findIdentityTypeByName, insertIdentityChanges } from './identities/repository.js';
import { deleteIntegrationLink, locationFieldValues, setIntegrationLink } from './integrations/links.js';
import { listLinkRows } from './integrations/repository.js';
import { createIntegration, listIntegrations, updateIntegration } from './integrations/service.js';
import type { Integration } from './integrations/types.js';
import { enqueueRun } from './jobs/runs.js';
import { listLocations, type Location } from './locations/repository.js';
import { updateLocation } from './locations/service.js';
import { startEgymIssuer } from './sandbox/egym/issuer.js';
import { DEFAULT_KEYS, startEgymMmsSandbox, type ApiKeySpec } from './sandbox/egym-mms/server.js';
import { startPerfectGymSandbox } from './sandbox/perfect-gym/server.js';
import { startWellpassSandbox } from './sandbox/wellpass/server.js';
import { forgetPublished } from './integrations/wellpass/repository.js';
import { findActivityByName } from './classes/repository.js';
import { updateActivity } from './classes/service.js';

const DEMO_INTEGRATION = 'Perfect Gym (demo sandbox)';
const DEMO_EGYM = 'EGYM app (demo issuer)';
const DEMO_MMS = 'EGYM MMS (demo sandbox)';
const MMS_ACCOUNT_TYPE = 'EGYM account';
const DEMO_WELLPASS = 'EGYM Wellpass (demo sandbox)';
const WELLPASS_ACTIVITY = 'Spinning';
// Fixed, so what a manager would hand Wellpass support stays the same across restarts.
const DEMO_COMPANY_UUID = '7d3c1a52-4a8e-4c61-9b3e-2f7a1c0d9e11';
const DEMO_VENUE_UUID = '0b6f9a3e-8c2d-4f57-a1e4-5d9c3b7a2f60';

/**
 * Zero-config demo: a Perfect Gym sandbox in this process with a small chain, an active
 * integration pointing at it (re-pointed on every start, since the port changes), the seeded
 * locations mapped to its clubs, and an initial sync queued (syncs then run every minute); and an
 * EGYM token issuer with an egym_bma integration trusting it, so a printed token opens the app tiles;
 * and an EGYM MMS sandbox with an egym_mms integration in push mode, each location linked to a gym
 * key of it, so members and check-ins arrive there (at EGYM's 6 requests/s per key).
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
  const mms = await startDemoMms(ctx, locations);
  const wellpassDemo = await startDemoWellpass(ctx, locations);

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
      ...mms.lines,
      ...wellpassDemo.lines,
    ],
    stop: async () => {
      await wellpassDemo.close();
      await mms.close();
      await issuer.close();
      await sandbox.close();
    },
  };
}

/** Sandbox gym keys as the sandbox's defaults name them (mms-gym-<n>-key for gym-<n>), one per location. */
const gymKey = (n: number): ApiKeySpec => ({ key: `mms-gym-${n}-key`, gymId: `gym-${n}` });

/**
 * EGYM MMS in push mode: a sandbox in this process (its default keys, and one more gym key per
 * location past two), an active egym_mms integration pointing at it (re-pointed on every start),
 * and each location linked to gym-<n> in id order (a location linked to another egym_mms
 * integration is left alone). Linking a location queues a push-all of its members once the outbox
 * drainers take it up; the sandbox starts empty on every start, so on a restart what was pushed to
 * the last one is forgotten and a push-all is queued here.
 */
async function startDemoMms(ctx: AppContext, locations: Location[]): Promise<{ lines: string[]; close(): Promise<void> }> {
  const accountType = await findIdentityTypeByName(ctx.db, MMS_ACCOUNT_TYPE);
  if (!accountType) throw new Error(`The demo seed did not create the "${MMS_ACCOUNT_TYPE}" identity type`);
  const sorted = [...locations].sort((a, b) => a.id - b.id);
  const defaultGyms = DEFAULT_KEYS.filter((k) => !k.permissions).length; // gym-1 and gym-2 (and a read-only key for gym-1)
  const keys = [...DEFAULT_KEYS, ...Array.from({ length: Math.max(0, sorted.length - defaultGyms) }, (_, i) => gymKey(defaultGyms + i + 1))];
  const sandbox = await startEgymMmsSandbox({ keys });
  try {
    const config = { baseUrl: sandbox.url, mode: 'push', accountIdentityTypeId: accountType.id, membershipId: { source: 'clientId' }, checkIns: true };
    const existing = (await listIntegrations(ctx)).find((i) => i.name === DEMO_MMS);
    const integration = existing
      ? await updateIntegration(ctx, existing.id, { active: true, config })
      : await createIntegration(ctx, { type: 'egym_mms', name: DEMO_MMS, active: true, config, secrets: {} });

    // location i (by id) -> gym-<i+1>; links of this integration to another gym go first, so no gym is linked twice
    const wanted = new Map(sorted.map((l, i) => [l.id, gymKey(i + 1)]));
    const links = await listLinkRows(ctx.db, { integrationType: 'egym_mms', locationIds: sorted.map((l) => l.id) });
    const elsewhere = new Set(links.filter((l) => l.integrationId !== null && l.integrationId !== integration.id).map((l) => l.locationId));
    for (const link of links) {
      if (link.integrationId === integration.id && link.externalId !== wanted.get(link.locationId)!.gymId) await deleteIntegrationLink(ctx, integration, link.locationId);
    }
    const linked: { location: Location; gymId: string }[] = [];
    for (const location of sorted) {
      if (elsewhere.has(location.id)) continue;
      const key = wanted.get(location.id)!;
      await setIntegrationLink(ctx, integration, location.id, { externalId: key.gymId, secrets: { apiKey: key.key } });
      linked.push({ location, gymId: key.gymId });
    }
    if (existing) await forgetLastSandbox(ctx, integration, accountType.id);

    const url = sandbox.url;
    return {
      lines: [
        `EGYM MMS sandbox at ${url}: members and check-ins arrive there; list them with curl ${url}/_sandbox/accounts and curl ${url}/_sandbox/visits (every request EGYM received: ${url}/_sandbox/requests)`,
        `EGYM MMS integration ${integration.id} (push): ${linked.map((l) => `${l.location.name} -> ${l.gymId}`).join(', ') || 'no location linked'}; every member is sent at start (3 requests each at EGYM's 6 requests/s per key: a few minutes), then each change, and each door event (POST /api/v1/admin/door-access-events) as a check-in within a second; refused members: GET /api/v1/admin/integrations/${integration.id}/issues`,
      ],
      close: () => sandbox.close(),
    };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}

/**
 * EGYM Wellpass: a sandbox in this process calling clubcore's webhook, a wellpass integration
 * pointing at it (re-pointed on every start), the first location linked to a demo venue, and one
 * activity (Spinning) open to aggregator bookings with a cap of 3 seats per class. The sandbox starts
 * empty on every start: what clubcore published to the last one is forgotten and republished by a
 * reconcile.
 */
async function startDemoWellpass(ctx: AppContext, locations: Location[]): Promise<{ lines: string[]; close(): Promise<void> }> {
  const identityType = await findIdentityTypeByName(ctx.db, 'Wellpass id');
  const activity = await findActivityByName(ctx.db, WELLPASS_ACTIVITY);
  const [first] = [...locations].sort((a, b) => a.id - b.id);
  if (!identityType || !activity || !first) throw new Error('The demo seed did not create the "Wellpass id" identity type, the Spinning activity or a location');
  const webhookSecret = 'demo-wellpass-webhook-secret';
  const sandbox = await startWellpassSandbox({ webhookSecret });
  try {
    const config = { baseUrl: sandbox.url, companyUuid: DEMO_COMPANY_UUID, identityTypeId: identityType.id, productId: 1 };
    const secrets = { apiToken: sandbox.token, webhookSecret };
    const existing = (await listIntegrations(ctx)).find((i) => i.name === DEMO_WELLPASS);
    const integration = existing
      ? await updateIntegration(ctx, existing.id, { active: true, config, secrets })
      : await createIntegration(ctx, { type: 'wellpass', name: DEMO_WELLPASS, active: true, config, secrets });
    const base = ctx.config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${ctx.config.PORT}`;
    sandbox.configure({ webhookUrl: `${base.replace(/\/+$/, '')}/api/v1/webhooks/wellpass/${integration.id}` });
    await setIntegrationLink(ctx, integration, first.id, { externalId: DEMO_VENUE_UUID });
    if (!activity.aggregatorBookings.enabled) await updateActivity(ctx, activity.id, { aggregatorBookings: { enabled: true, seatCap: 3 } });
    if (existing) {
      await forgetPublished(ctx.db, integration.id);
      await enqueueRun(ctx, { integrationId: integration.id, kind: 'reconcile', scope: 'all', trigger: 'demo' });
    }
    const url = sandbox.url;
    return {
      lines: [
        `EGYM Wellpass sandbox at ${url}: ${WELLPASS_ACTIVITY} classes at ${first.name} are published there (curl ${url}/_sandbox/state); a Wellpass member books one with curl -X POST ${url}/_sandbox/gyms/${DEMO_VENUE_UUID}/bookings -H 'content-type: application/json' -d '{"slot_id":<slot id>,"user":{"unique_token":"wp-1","name":"Wanda Wellpass","email":"wanda@corp.example"}}'`,
        `EGYM Wellpass integration ${integration.id}: company ${DEMO_COMPANY_UUID}, venue ${DEMO_VENUE_UUID} (${first.name}); ids to copy: GET /api/v1/admin/integrations/${integration.id}/wellpass-ids`,
      ],
      close: () => sandbox.close(),
    };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}

/**
 * On a restart the sandbox is empty: clubcore's record of what it pushed (the push records and each
 * client's EGYM account id, the removals audited) is dropped, and every linked location pushed again.
 */
async function forgetLastSandbox(ctx: AppContext, integration: Integration, accountTypeId: number): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const held: { client_id: number; value: string }[] = await trx('client_identities').where({ identity_type_id: accountTypeId }).select('client_id', 'value');
    await trx('client_identities').where({ identity_type_id: accountTypeId }).delete();
    for (let i = 0; i < held.length; i += 500) {
      const changes = held.slice(i, i + 500).map((r) => ({ clientId: r.client_id, identityTypeId: accountTypeId, oldValue: r.value, newValue: null, actor: `integration:${integration.id}` }));
      await insertIdentityChanges(trx, changes, ctx.now());
    }
    await trx('egym_mms_pushed').where({ integration_id: integration.id }).delete();
  });
  await enqueueRun(ctx, { integrationId: integration.id, kind: 'push-all', scope: 'all', trigger: 'demo' });
}
