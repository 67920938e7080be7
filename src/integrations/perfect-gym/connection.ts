import type { AppContext } from '../../context.js';
import { setCredentialsStatusRow } from '../repository.js';
import { secretsOf } from '../secrets.js';
import type { Integration } from '../types.js';
import { PerfectGymClient } from './client.js';
import type { PerfectGymConfig, PerfectGymSecrets } from './config.js';

/** A client for an integration's Perfect Gym; a 401 marks the integration's credentials failing. */
export function createPerfectGymClient(ctx: AppContext, integration: Integration, opts: { retries?: number } = {}): PerfectGymClient {
  const config = integration.config as unknown as PerfectGymConfig;
  const secrets = secretsOf(integration) as unknown as PerfectGymSecrets;
  return new PerfectGymClient({
    baseUrl: config.baseUrl,
    clientId: config.clientId,
    clientSecret: secrets.clientSecret,
    retries: opts.retries,
    onUnauthorized: () => void setCredentialsStatusRow(ctx.db, integration.id, 'failing', 'Perfect Gym refused the client id / client secret (HTTP 401)', ctx.now()),
  });
}
