import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import {
  countLocationReferences,
  deleteLocationRow,
  findLocationByEgymLocationId,
  findLocationByPerfectGymClubId,
  getLocation,
  insertLocation,
  listLocationsPage,
  updateLocationRow,
  type Location,
  type LocationFields,
} from './repository.js';

/** The canonical spelling of an IANA zone Intl knows ('europe/warsaw' -> 'Europe/Warsaw'), else null. */
export function canonicalTimezone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** A Perfect Gym club or EGYM location maps to one location only. */
async function assertExternalIdsFree(ctx: AppContext, fields: Partial<LocationFields>, exceptId?: number) {
  if (fields.perfectGymClubId != null) {
    const clash = await findLocationByPerfectGymClubId(ctx.db, fields.perfectGymClubId);
    if (clash && clash.id !== exceptId) {
      throw AppError.conflict(`perfectGymClubId ${fields.perfectGymClubId} is already used by location ${clash.id} (${clash.name})`);
    }
  }
  if (fields.egymLocationId != null) {
    const clash = await findLocationByEgymLocationId(ctx.db, fields.egymLocationId);
    if (clash && clash.id !== exceptId) {
      throw AppError.conflict(`egymLocationId ${fields.egymLocationId} is already used by location ${clash.id} (${clash.name})`);
    }
  }
}

export async function getLocationOrThrow(ctx: AppContext, id: number): Promise<Location> {
  const location = await getLocation(ctx.db, id);
  if (!location) throw AppError.notFound(`There is no location ${id}`);
  return location;
}

export async function listLocationsPaged(ctx: AppContext, page: PageQuery): Promise<Page<Location>> {
  return toPage(await listLocationsPage(ctx.db, decodeCursor(page.cursor), page.limit), page.limit);
}

export async function createLocation(
  ctx: AppContext,
  input: Omit<LocationFields, 'perfectGymClubId' | 'egymLocationId'> & Partial<LocationFields>,
): Promise<Location> {
  const fields: LocationFields = { perfectGymClubId: null, egymLocationId: null, ...input };
  await assertExternalIdsFree(ctx, fields);
  const id = await insertLocation(ctx.db, fields, ctx.now());
  return (await getLocation(ctx.db, id))!;
}

export async function updateLocation(ctx: AppContext, id: number, patch: Partial<LocationFields>): Promise<Location> {
  await getLocationOrThrow(ctx, id);
  await assertExternalIdsFree(ctx, patch, id);
  await updateLocationRow(ctx.db, id, patch, ctx.now());
  return (await getLocation(ctx.db, id))!;
}

/** Only a location nothing points at may go: doors, sessions, clients, events and packages keep it. */
export async function deleteLocation(ctx: AppContext, id: number): Promise<void> {
  const location = await getLocationOrThrow(ctx, id);
  const blockers = Object.entries(await countLocationReferences(ctx.db, id)).filter(([, n]) => n > 0);
  if (blockers.length) {
    throw AppError.conflict(
      `Location ${id} (${location.name}) is still used by ${blockers.map(([what, n]) => `${n} ${what}`).join(', ')}; move or delete those first`,
    );
  }
  await deleteLocationRow(ctx.db, id);
}
