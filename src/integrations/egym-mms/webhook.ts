import type { Request } from 'express';
import { z } from 'zod';
import { recordDoorEvents } from '../../access/service.js';
import { sameSecret } from '../../auth/same-secret.js';
import { getClient } from '../../clients/repository.js';
import type { AppContext } from '../../context.js';
import { inTransaction } from '../../db/transaction.js';
import { findDoorOfType } from '../../doors/repository.js';
import { AppError } from '../../errors.js';
import { clientIdByIdentity } from '../../identities/service.js';
import { enqueueRun } from '../../jobs/runs.js';
import { recordIssue } from '../issues.js';
import { linkedLocations } from '../links.js';
import { secretsOf } from '../secrets.js';
import { setCredentialsStatus } from '../service.js';
import type { Integration } from '../types.js';
import type { EgymMmsConfig, EgymMmsSecrets } from './config.js';
import { EGYM_SOURCE } from './push.js';

const delivery = z.object({
  accountId: z.string().min(1).max(100).nullable().optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  type: z.string().min(1).max(60),
});

export const ACCOUNT_JOB = 'account';
export const accountScope = (accountId: string) => `account:${accountId}`;

/**
 * A delivery from EGYM, authenticated by the secret registered with it (x-api-key, compared in
 * constant time). EGYM waits 5 s: only database writes happen here, and reading the account again
 * is queued as a run (`account`), which survives a crash. Check-ins and check-outs become door
 * events once (retried deliveries carry the same account, type and time); they are never sent back.
 */
export async function handleMmsWebhook(ctx: AppContext, integration: Integration, req: Request): Promise<{ status: number; body: unknown }> {
  const expected = secretsOf(integration as Integration<EgymMmsConfig, EgymMmsSecrets>).webhookSecret;
  const presented = req.header('x-api-key');
  if (!expected || !presented || !sameSecret(presented, expected)) {
    throw AppError.unauthorized('The x-api-key header is missing or wrong: register the webhook again (register-webhook) so EGYM holds the current secret');
  }
  const parsed = delivery.safeParse(req.body);
  if (!parsed.success) throw AppError.badRequest('Not an EGYM webhook delivery', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const { accountId, type } = parsed.data;
  const at = parsed.data.timestamp === undefined ? ctx.now() : new Date(typeof parsed.data.timestamp === 'number' ? parsed.data.timestamp : parsed.data.timestamp);
  const config = integration.config as unknown as EgymMmsConfig;

  if (type === 'TEST') {
    await setCredentialsStatus(ctx, integration.id, 'ok', `EGYM test delivery received ${ctx.now().toISOString()}`);
    return { status: 200, body: { received: type } };
  }
  if (!accountId || !['GYM_CHECKIN', 'GYM_CHECKOUT', 'MEMBERSHIP_DELETE'].includes(type)) {
    ctx.logger.info({ integrationId: integration.id, type }, 'EGYM webhook of a type clubcore does not use; ignored');
    return { status: 200, body: { ignored: type } };
  }
  const clientId = await clientIdByIdentity(ctx, config.accountIdentityTypeId, accountId);
  if (type === 'MEMBERSHIP_DELETE' || clientId === null) {
    // Read the account again in a run: a deleted membership, or an account clubcore does not know yet.
    await enqueueRun(ctx, { integrationId: integration.id, kind: ACCOUNT_JOB, scope: accountScope(accountId), trigger: 'webhook' });
    return { status: 200, body: { received: type, queued: ACCOUNT_JOB } };
  }
  if (Number.isNaN(at.getTime())) throw AppError.badRequest('timestamp is not a time', [{ path: 'timestamp', message: 'epoch milliseconds or ISO 8601' }]);
  const locations = await linkedLocations(ctx, integration.id);
  const home = (await getClient(ctx.db, clientId))?.homeLocationId;
  const location = [...locations.values()].find((l) => l.id === home) ?? [...locations.values()][0];
  if (!location) return { status: 200, body: { received: type, recorded: 0 } };
  const doorType = type === 'GYM_CHECKIN' ? 'entrance' : 'exit';
  const door = await findDoorOfType(ctx.db, location.id, doorType);
  if (!door) {
    await recordIssue(ctx.db, integration.id, 'noDoor', `location:${location.id}:${doorType}`, `Location ${location.name} (${location.id}) has no active ${doorType} door: EGYM ${type === 'GYM_CHECKIN' ? 'check-ins' : 'check-outs'} are not recorded until one exists`, 1, ctx.now());
    return { status: 200, body: { received: type, recorded: 0 } };
  }
  const { created } = await inTransaction(ctx.db, (trx) =>
    recordDoorEvents({ ...ctx, db: trx }, [
      { doorId: door.id, locationId: location.id, clientId, occurredAt: at, source: EGYM_SOURCE, sourceRef: `${type}:${accountId}:${at.getTime()}` },
    ]),
  );
  return { status: 200, body: { received: type, recorded: created } };
}
