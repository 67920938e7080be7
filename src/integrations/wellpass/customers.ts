import type { Knex } from 'knex';
import { createClientWithIdentity } from '../../clients/service.js';
import type { Db } from '../../db/knex.js';
import { clientOfIdentityQuery } from '../../identities/repository.js';
import type { Wellpass } from './side.js';
import type { BookingEvent } from './wire.js';

export const WELLPASS_SOURCE = 'wellpass';

function splitName(name: string): { firstName: string; lastName: string } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: 'Wellpass', lastName: 'member' };
  if (parts.length === 1) return { firstName: parts[0]!.slice(0, 100), lastName: '-' };
  return { firstName: parts.slice(0, -1).join(' ').slice(0, 100), lastName: parts[parts.length - 1]!.slice(0, 100) };
}

/** Who holds this Wellpass id (staff may have added it to an existing client): a subquery, read with the session a request names. */
export function knownClientQuery(db: Db, w: Wellpass, user: BookingEvent['user']): Knex.QueryBuilder {
  return clientOfIdentityQuery(db, w.config.identityTypeId, user.token);
}

/**
 * A client created from the event, with the Wellpass id, in the transaction that takes the member's
 * seat: a request refused or repeated leaves no client behind. When a request of the same new member
 * created one meanwhile, the transaction fails on the id's unique key (isUniqueViolation).
 */
export function createClientFor(trx: Db, w: Wellpass, user: BookingEvent['user'], homeLocationId: number, now: Date): Promise<number> {
  return createClientWithIdentity(trx, { ...splitName(user.name), email: user.email, homeLocationId, source: WELLPASS_SOURCE },
    { identityTypeId: w.config.identityTypeId, value: user.token }, `integration:${w.integration.id}`, now);
}
