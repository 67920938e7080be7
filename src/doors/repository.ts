import { readBool, readDate, type Db } from '../db/knex.js';

export const DOOR_TYPES = ['entrance', 'exit', 'internal'] as const;
export type DoorType = (typeof DOOR_TYPES)[number];

export interface Door {
  id: number;
  locationId: number;
  title: string;
  doorCode: string;
  type: DoorType;
  accessControl: boolean;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface DoorFields {
  locationId: number;
  title: string;
  doorCode: string;
  type: DoorType;
  accessControl: boolean;
  active: boolean;
}

type Row = Record<string, any>;

function toDoor(row: Row): Door {
  return {
    id: row.id,
    locationId: row.location_id,
    title: row.title,
    doorCode: row.door_code,
    type: row.type,
    accessControl: readBool(row.access_control),
    active: readBool(row.active),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

function toRow(fields: Partial<DoorFields>): Row {
  const row: Row = {};
  if (fields.locationId !== undefined) row.location_id = fields.locationId;
  if (fields.title !== undefined) row.title = fields.title;
  if (fields.doorCode !== undefined) row.door_code = fields.doorCode;
  if (fields.type !== undefined) row.type = fields.type;
  if (fields.accessControl !== undefined) row.access_control = fields.accessControl;
  if (fields.active !== undefined) row.active = fields.active;
  return row;
}

export async function getDoor(db: Db, id: number): Promise<Door | null> {
  const row = await db('doors').where({ id }).first();
  return row ? toDoor(row) : null;
}

/** Door codes are unique in the whole club, so a code alone names a door. */
export async function findDoorByCode(db: Db, code: string): Promise<Door | null> {
  const row = await db('doors').where({ door_code: code }).first();
  return row ? toDoor(row) : null;
}

/** The location's active door of a type with the lowest id: where visits reported by a remote system are recorded. */
export async function findDoorOfType(db: Db, locationId: number, type: DoorType): Promise<Door | null> {
  const row = await db('doors').where({ location_id: locationId, type, active: true }).orderBy('id').first();
  return row ? toDoor(row) : null;
}

export function findEntranceDoor(db: Db, locationId: number): Promise<Door | null> {
  return findDoorOfType(db, locationId, 'entrance');
}

export async function listDoorsPage(
  db: Db,
  filter: { locationId?: number },
  afterId: number,
  limit: number,
): Promise<Door[]> {
  const query = db('doors').where('id', '>', afterId).orderBy('id').limit(limit + 1);
  if (filter.locationId !== undefined) query.where({ location_id: filter.locationId });
  return (await query).map(toDoor);
}

export async function insertDoor(db: Db, fields: DoorFields, now: Date): Promise<number> {
  const [id] = await db('doors').insert({ ...toRow(fields), created_at: now, updated_at: now });
  return Number(id);
}

export async function updateDoorRow(db: Db, id: number, fields: Partial<DoorFields>, now: Date): Promise<void> {
  await db('doors').where({ id }).update({ ...toRow(fields), updated_at: now });
}

export async function deleteDoorRow(db: Db, id: number): Promise<void> {
  await db('doors').where({ id }).delete();
}

export async function countDoorEvents(db: Db, id: number): Promise<number> {
  return Number((await db('door_access_events').where({ door_id: id }).count({ n: '*' }).first())?.n ?? 0);
}
