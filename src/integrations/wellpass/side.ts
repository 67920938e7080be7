import type { AppContext } from '../../context.js';
import type { Location } from '../../locations/repository.js';
import { linkedLocations } from '../links.js';
import { secretsOf } from '../secrets.js';
import type { Integration } from '../types.js';
import type { WellpassConfig, WellpassSecrets } from './config.js';
import { WellpassApi } from './wire.js';

/** One wellpass integration, ready to talk: its config, secrets and API client. */
export interface Wellpass {
  integration: Integration;
  config: WellpassConfig;
  secrets: WellpassSecrets;
  api: WellpassApi;
}

/** A location offered through Wellpass: its venue UUID (the gym id in the API's paths). */
export interface Venue {
  uuid: string;
  location: Location;
}

/** Per integration, until it changes: every webhook and outbox event needs one, and a client is not free to build. */
const built = new Map<number, Wellpass>();

export function wellpassOf(integration: Integration): Wellpass {
  const kept = built.get(integration.id);
  if (kept && kept.integration.updatedAt === integration.updatedAt) return kept;
  const config = integration.config as unknown as WellpassConfig;
  const secrets = secretsOf(integration) as unknown as WellpassSecrets;
  const w = { integration, config, secrets, api: new WellpassApi({ baseUrl: config.baseUrl, apiToken: secrets.apiToken, productId: config.productId }) };
  built.set(integration.id, w);
  return w;
}

export async function venuesOf(ctx: AppContext, integrationId: number): Promise<Venue[]> {
  return [...(await linkedLocations(ctx, integrationId))].map(([uuid, location]) => ({ uuid, location }));
}

export async function venueAt(ctx: AppContext, integrationId: number, locationId: number): Promise<Venue | null> {
  return (await venuesOf(ctx, integrationId)).find((v) => v.location.id === locationId) ?? null;
}
