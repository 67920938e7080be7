import { getClientOrThrow } from '../clients/service.js';
import type { Client } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import type { ClientIdentity } from '../identities/repository.js';
import { identitiesOfClient } from '../identities/service.js';
import { getLocation, listLocations, type Location } from '../locations/repository.js';
import type { ClientPackage } from '../packages/repository.js';
import { activePackagesOfClient } from '../packages/service.js';

/** What a member sees of a location: enough to pick one and read class times in its time zone (no integration links). */
export interface LocationForMember {
  id: number;
  name: string;
  timezone: string;
}

export function locationForMember({ id, name, timezone }: Location): LocationForMember {
  return { id, name, timezone };
}

/** Every location of the club, by id, for the member app's location picker (a club has few). */
export async function locationsForMembers(ctx: AppContext): Promise<LocationForMember[]> {
  return (await listLocations(ctx.db)).map(locationForMember);
}

/** The signed-in member: client, identities, active packages and home location (as members see locations). */
export async function memberProfile(ctx: AppContext, clientId: number): Promise<{ client: Client; identities: ClientIdentity[]; packages: ClientPackage[]; homeLocation: LocationForMember | null }> {
  const client = await getClientOrThrow(ctx, clientId);
  const [identities, packages, home] = await Promise.all([
    identitiesOfClient(ctx, clientId),
    activePackagesOfClient(ctx, clientId),
    client.homeLocationId ? getLocation(ctx.db, client.homeLocationId) : null,
  ]);
  return { client, identities, packages, homeLocation: home && locationForMember(home) };
}
