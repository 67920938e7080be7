import type { CredentialsVerifier } from '../../auth/member-login.js';
import { getClientOrThrow } from '../../clients/service.js';
import { AppError } from '../../errors.js';
import { clientIdByIdentity } from '../../identities/service.js';
import type { Integration } from '../types.js';
import { PerfectGymError } from './client.js';
import type { PerfectGymConfig } from './config.js';
import { createPerfectGymClient } from './connection.js';
import { importMemberJustInTime } from './members.js';

/**
 * Member sign-in with Perfect Gym credentials (MemberAuth/VerifyCredentials; login = e-mail or
 * member number). The password goes to Perfect Gym only. A member not synced yet is fetched and
 * created just in time. Any non-Success status is a plain miss, so callers cannot tell why.
 */
export function perfectGymCredentials(integration: Integration): CredentialsVerifier {
  return async (ctx, { login, password }) => {
    const config = integration.config as unknown as PerfectGymConfig;
    if (integration.secrets === null) {
      // The operator's fix (key or PATCH) is logged when the integration is opened; the member gets what they can act on.
      throw AppError.unavailable('Signing in with your Perfect Gym password is not possible right now: the club must reconnect its membership system. Please tell the club staff');
    }
    let result;
    try {
      result = await createPerfectGymClient(ctx, integration, { retries: 1 }).verifyCredentials(login, password);
    } catch (err) {
      if (err instanceof PerfectGymError) {
        ctx.logger.warn({ integrationId: integration.id, kind: err.kind }, 'Perfect Gym credential check failed');
        throw AppError.unavailable('The membership system (Perfect Gym) cannot be reached right now; try again in a few minutes');
      }
      throw err;
    }
    if (result.status !== 'Success' || result.memberId === null) return null;
    const clientId =
      (await clientIdByIdentity(ctx, config.identityTypeId, String(result.memberId))) ??
      (await importMemberJustInTime(ctx, integration, result.memberId));
    if (clientId === null) return null;
    const client = await getClientOrThrow(ctx, clientId);
    return client.status === 'active' ? { clientId, method: 'perfect_gym' } : null;
  };
}
