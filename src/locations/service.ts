import type { AppContext } from '../context.js';
import { inTransaction } from '../db/transaction.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { locationFieldValues, setLocationFields } from '../integrations/links.js';
import {
  countLocationReferences,
  deleteLocationRow,
  getLocation,
  insertLocation,
  listLocationsPage,
  updateLocationRow,
  type Location,
  type LocationFields,
} from './repository.js';

/** A location with the per-integration-type fields its links give it (perfectGymClubId, egymLocationId, ...). */
export type LocationWithLinks = Location & Record<string, unknown>;

/** The canonical spelling of an IANA zone Intl knows ('europe/warsaw' -> 'Europe/Warsaw'), else null. */
export function canonicalTimezone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

async function withLinks(ctx: AppContext, locations: Location[]): Promise<LocationWithLinks[]> {
  const values = await locationFieldValues(ctx, locations.map((l) => l.id));
  return locations.map((l) => ({ ...l, ...values.get(l.id) }));
}

export async function getLocationOrThrow(ctx: AppContext, id: number): Promise<LocationWithLinks> {
  const location = await getLocation(ctx.db, id);
  if (!location) throw AppError.notFound(`There is no location ${id}`);
  return (await withLinks(ctx, [location]))[0]!;
}

export async function listLocationsPaged(ctx: AppContext, page: PageQuery): Promise<Page<LocationWithLinks>> {
  const { items, nextCursor } = toPage(await listLocationsPage(ctx.db, decodeCursor(page.cursor), page.limit), page.limit);
  return { items: await withLinks(ctx, items), nextCursor };
}

/** Creates a location with its links in one transaction: a refused link (409) leaves no location behind. */
export async function createLocation(ctx: AppContext, input: LocationFields & Record<string, unknown>): Promise<LocationWithLinks> {
  const { name, timezone, ...links } = input;
  const id = await inTransaction(ctx.db, async (trx) => {
    const id = await insertLocation(trx, { name, timezone }, ctx.now());
    await setLocationFields({ ...ctx, db: trx }, id, links);
    return id;
  });
  return getLocationOrThrow(ctx, id);
}

export async function updateLocation(ctx: AppContext, id: number, patch: Partial<LocationFields> & Record<string, unknown>): Promise<LocationWithLinks> {
  await getLocationOrThrow(ctx, id);
  const { name, timezone, ...links } = patch;
  await inTransaction(ctx.db, async (trx) => {
    await updateLocationRow(trx, id, { name, timezone }, ctx.now());
    await setLocationFields({ ...ctx, db: trx }, id, links);
  });
  return getLocationOrThrow(ctx, id);
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
