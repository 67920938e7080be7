import type { AppContext } from '../../context.js';
import { importClients } from '../../clients/service.js';
import { inTransaction } from '../../db/transaction.js';
import { clientIdByIdentity } from '../../identities/service.js';
import type { Wellpass } from './side.js';
import type { BookingEvent } from './wire.js';

export const WELLPASS_SOURCE = 'wellpass';

function splitName(name: string): { firstName: string; lastName: string } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: 'Wellpass', lastName: 'member' };
  if (parts.length === 1) return { firstName: parts[0]!.slice(0, 100), lastName: '-' };
  return { firstName: parts.slice(0, -1).join(' ').slice(0, 100), lastName: parts[parts.length - 1]!.slice(0, 100) };
}

/** The client holding this Wellpass id (staff may have added it to an existing client), if any. */
export function knownClientOf(ctx: AppContext, w: Wellpass, user: BookingEvent['user']): Promise<number | null> {
  return clientIdByIdentity(ctx, w.config.identityTypeId, user.token);
}

/**
 * A client created from the event for a member no client holds the Wellpass id of yet, with that
 * id. Creation goes through the sync write path keyed on the id, so two requests for the same new
 * member at once end with one client.
 */
export async function createClientFor(ctx: AppContext, w: Wellpass, user: BookingEvent['user'], homeLocationId: number): Promise<number> {
  const { identityTypeId } = w.config;
  const externalKey = `${w.integration.id}:wellpass:${user.token}`;
  const { ids } = await inTransaction(ctx.db, (trx) =>
    importClients({ ...ctx, db: trx }, { identityTypeId, source: WELLPASS_SOURCE, actor: `integration:${w.integration.id}` }, [{
      externalKey, identityValue: user.token, ...splitName(user.name), email: user.email, phone: null, birthDate: null, gender: null,
      homeLocationId, memberNumber: null, status: 'active', sourceVersion: 0,
    }]),
  );
  return ids.get(externalKey)!;
}
