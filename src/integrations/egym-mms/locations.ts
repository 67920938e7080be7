import type { AppContext } from '../../context.js';
import { linksWithSecrets } from '../links.js';
import type { Integration } from '../types.js';
import { MmsClient } from './client.js';
import type { EgymMmsConfig, EgymMmsLinkSecrets } from './config.js';

/** One gym location's side of an egym_mms integration: its key's client. */
export interface MmsLocation {
  integration: Integration;
  config: EgymMmsConfig;
  locationId: number;
  mms: MmsClient;
}

/** Each linked location that has its API key, with a client for that key. */
export async function mmsLocations(ctx: AppContext, integration: Integration, signal?: AbortSignal): Promise<MmsLocation[]> {
  const config = integration.config as unknown as EgymMmsConfig;
  return (await linksWithSecrets(ctx, integration.id)).flatMap((link) => {
    const apiKey = (link.secrets as Partial<EgymMmsLinkSecrets>).apiKey;
    return apiKey ? [{ integration, config, locationId: link.locationId, mms: new MmsClient({ db: ctx.db, baseUrl: config.baseUrl, apiKey, signal }) }] : [];
  });
}
