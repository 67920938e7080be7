import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { linkedLocations } from '../../links.js';
import type { Integration } from '../../types.js';
import type { EgymBmaConfig, EgymBmaSecrets } from '../config.js';
import { GROUPX_BASE_PATH } from './routes.js';

/**
 * What a club hands to EGYM to have its classes shown and booked in EGYM's apps: the base URL,
 * the contract's meta option values for clubcore, the headers EGYM must send with their values
 * (the secret only as where to find it: it is write-only), and the EGYM location ids clubcore knows.
 */
export function groupxMeta(ctx: AppContext, integration: Integration) {
  return (async () => {
    const groupx = (integration.config as unknown as EgymBmaConfig).groupx;
    if (!groupx) throw AppError.rule('groupxNotConfigured', 'This EGYM app integration does not serve the GroupX classes API: set config.groupx {clientId} and secrets.groupxClientSecret');
    const secretSet = Boolean((integration.secrets as EgymBmaSecrets | null)?.groupxClientSecret);
    const base = (ctx.config.PUBLIC_BASE_URL ?? '').replace(/\/+$/, '');
    const locations = [...(await linkedLocations(ctx, integration.id))].map(([egymLocationId, l]) => ({ egymLocationId, locationId: l.id, name: l.name }));
    return {
      baseUrl: `${base}${GROUPX_BASE_PATH}`,
      ...(base ? {} : { warning: 'PUBLIC_BASE_URL is not set: prefix baseUrl with the address EGYM reaches clubcore at' }),
      metaOptions: {
        bookingEnabled: true,
        spotBookingEnabled: false,
        includeClientData: true,
        includeChainData: false,
        includeLocationData: groupx.locationHeader,
        includeLocationGroupData: false,
        includeUserData: false,
        includeLocalizationData: false,
      },
      headers: {
        'X-Client-ID': groupx.clientId,
        'X-Client-Secret': secretSet ? 'the secret you set (secrets.groupxClientSecret; clubcore never shows it)' : 'NOT SET: set secrets.groupxClientSecret first',
        ...(groupx.locationHeader ? { 'X-Location-ID': 'the EGYM location id of the location asked about (see locations)' } : {}),
      },
      locations,
    };
  })();
}
