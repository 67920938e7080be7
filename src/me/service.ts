import type { AppContext } from '../context.js';
import { listLocations } from '../locations/repository.js';

/** What a member sees of a location: enough to pick one and read class times in its time zone (no integration links). */
export interface LocationForMember {
  id: number;
  name: string;
  timezone: string;
}

/** Every location of the club, by id, for the member app's location picker (a club has few). */
export async function locationsForMembers(ctx: AppContext): Promise<LocationForMember[]> {
  return (await listLocations(ctx.db)).map(({ id, name, timezone }) => ({ id, name, timezone }));
}
