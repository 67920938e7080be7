import { readDate, type Db } from '../db/knex.js';

export interface Location {
  id: number;
  name: string;
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

export interface LocationFields {
  name: string;
  timezone: string;
}

type Row = Record<string, any>;

function toLocation(row: Row): Location {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    createdAt: readDate(row.created_at).toISOString(),
    updatedAt: readDate(row.updated_at).toISOString(),
  };
}

function toRow(fields: Partial<LocationFields>): Row {
  const row: Row = {};
  if (fields.name !== undefined) row.name = fields.name;
  if (fields.timezone !== undefined) row.timezone = fields.timezone;
  return row;
}

export async function getLocation(db: Db, id: number): Promise<Location | null> {
  const row = await db('locations').where({ id }).first();
  return row ? toLocation(row) : null;
}

/** Every location, by id: for small internal uses (there are few locations per club). */
export async function listLocations(db: Db): Promise<Location[]> {
  return (await db('locations').orderBy('id')).map(toLocation);
}

/** One page for the admin list: `limit + 1` rows after `afterId` (see toPage). */
export async function listLocationsPage(db: Db, afterId: number, limit: number): Promise<Location[]> {
  return (await db('locations').where('id', '>', afterId).orderBy('id').limit(limit + 1)).map(toLocation);
}

export async function insertLocation(db: Db, fields: LocationFields, now: Date): Promise<number> {
  const [id] = await db('locations').insert({ ...toRow(fields), created_at: now, updated_at: now });
  return Number(id);
}

export async function updateLocationRow(db: Db, id: number, fields: Partial<LocationFields>, now: Date): Promise<void> {
  await db('locations').where({ id }).update({ ...toRow(fields), updated_at: now });
}

export async function deleteLocationRow(db: Db, id: number): Promise<void> {
  await db('locations').where({ id }).delete();
}

/** How many rows of each kind still point at a location (what blocks deleting it). */
export async function countLocationReferences(db: Db, id: number): Promise<Record<string, number>> {
  const count = async (table: string, column: string) =>
    Number((await db(table).where(column, id).count({ n: '*' }).first())?.n ?? 0);
  return {
    doors: await count('doors', 'location_id'),
    'class sessions': await count('class_sessions', 'location_id'),
    'clients (home location)': await count('clients', 'home_location_id'),
    'door access events': await count('door_access_events', 'location_id'),
    packages: await count('package_locations', 'location_id'),
  };
}
