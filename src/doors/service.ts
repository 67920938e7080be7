import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { getLocation } from '../locations/repository.js';
import {
  countDoorEvents,
  deleteDoorRow,
  findDoorByCode,
  getDoor,
  insertDoor,
  listDoorsPage,
  updateDoorRow,
  type Door,
  type DoorFields,
} from './repository.js';

async function assertLocationExists(ctx: AppContext, locationId: number) {
  if (!(await getLocation(ctx.db, locationId))) {
    throw AppError.badRequest(`There is no location ${locationId}`, [{ path: 'locationId', message: `unknown location ${locationId}` }]);
  }
}

/** Door codes are unique across the club (all locations). */
async function assertCodeFree(ctx: AppContext, doorCode: string, exceptId?: number) {
  const clash = await findDoorByCode(ctx.db, doorCode);
  if (clash && clash.id !== exceptId) {
    throw AppError.conflict(`doorCode ${doorCode} is already used by door ${clash.id} (${clash.title}) at location ${clash.locationId}`);
  }
}

export async function getDoorOrThrow(ctx: AppContext, id: number): Promise<Door> {
  const door = await getDoor(ctx.db, id);
  if (!door) throw AppError.notFound(`There is no door ${id}`);
  return door;
}

export async function listDoors(ctx: AppContext, filter: { locationId?: number }, page: PageQuery): Promise<Page<Door>> {
  return toPage(await listDoorsPage(ctx.db, filter, decodeCursor(page.cursor), page.limit), page.limit);
}

export async function createDoor(
  ctx: AppContext,
  input: Omit<DoorFields, 'accessControl' | 'active'> & Partial<DoorFields>,
): Promise<Door> {
  const fields: DoorFields = { accessControl: false, active: true, ...input };
  await assertLocationExists(ctx, fields.locationId);
  await assertCodeFree(ctx, fields.doorCode);
  const id = await insertDoor(ctx.db, fields, ctx.now());
  return (await getDoor(ctx.db, id))!;
}

export async function updateDoor(ctx: AppContext, id: number, patch: Partial<DoorFields>): Promise<Door> {
  await getDoorOrThrow(ctx, id);
  if (patch.locationId !== undefined) await assertLocationExists(ctx, patch.locationId);
  if (patch.doorCode !== undefined) await assertCodeFree(ctx, patch.doorCode, id);
  await updateDoorRow(ctx.db, id, patch, ctx.now());
  return (await getDoor(ctx.db, id))!;
}

/** A door with recorded entries stays (history points at it); deactivate it instead. */
export async function deleteDoor(ctx: AppContext, id: number): Promise<void> {
  const door = await getDoorOrThrow(ctx, id);
  const events = await countDoorEvents(ctx.db, id);
  if (events) {
    throw AppError.conflict(`Door ${id} (${door.title}) has ${events} recorded access events; set active=false instead of deleting it`);
  }
  await deleteDoorRow(ctx.db, id);
}
