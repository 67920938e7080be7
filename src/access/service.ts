import { randomUUID } from 'node:crypto';
import { markAttendance } from '../bookings/service.js';
import { getClient } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import { findDoorByCode, getDoor } from '../doors/repository.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { findClientIdByIdentity } from '../identities/repository.js';
import { recordOutboxEvents } from '../outbox/service.js';
import {
  findEvent,
  insertEventsOnce,
  listDoorEventsOfClient,
  listDoorEventsPage,
  storedDoorEvents,
  type DoorAccessEvent,
  type DoorEventFilter,
  type NewDoorEvent,
} from './repository.js';
import { inTransaction } from '../db/transaction.js';

export interface DoorAccessInput {
  door: { id: number } | { code: string };
  client: { id: number } | { identityTypeId: number; value: string };
  occurredAt: Date;
  source?: string;
  sourceRef?: string;
}

async function resolveDoor(ctx: AppContext, door: DoorAccessInput['door']) {
  const found = 'id' in door ? await getDoor(ctx.db, door.id) : await findDoorByCode(ctx.db, door.code);
  if (!found) {
    const [path, what] = 'id' in door ? ['doorId', `door ${door.id}`] : ['doorCode', `door with code ${door.code}`];
    throw AppError.badRequest(`There is no ${what}`, [{ path, message: `unknown ${what}` }]);
  }
  return found;
}

async function resolveClientId(ctx: AppContext, client: DoorAccessInput['client']): Promise<number> {
  if ('id' in client) {
    if (!(await getClient(ctx.db, client.id))) throw AppError.badRequest(`There is no client ${client.id}`, [{ path: 'clientId', message: `unknown client ${client.id}` }]);
    return client.id;
  }
  const id = await findClientIdByIdentity(ctx.db, client.identityTypeId, client.value);
  if (id === null) {
    throw AppError.badRequest(`No client has identity ${client.value} of type ${client.identityTypeId}`, [
      { path: 'identity.value', message: 'no client has this identity' },
    ]);
  }
  return id;
}

/**
 * The one write path of door events: stores each once by (source, sourceRef), however often it
 * arrives, records an outbox event for each new one (entered, or exited through an exit door),
 * and marks the bookings the new ones attend (bookings' attendance rule). A single door event and
 * a sync's page of visits both come through here, inside their transaction.
 */
export async function recordDoorEvents(ctx: AppContext, events: NewDoorEvent[]): Promise<{ created: number; markedAttended: number[] }> {
  const now = ctx.now();
  const created = await insertEventsOnce(ctx.db, events, now);
  await recordOutboxEvents(ctx.db, 'door_event', async () =>
    (await storedDoorEvents(ctx.db, created)).map((e) => ({ subjectId: e.id, locationId: e.locationId, kind: e.doorType === 'exit' ? 'exited' : 'entered' })),
  now);
  return { created: created.length, markedAttended: await markAttendance(ctx, created) };
}

/**
 * Records an entry through a door and marks the client's bookings at that location attended
 * (ATTENDANCE_WINDOW_BEFORE_MINUTES before start until the end). Idempotent per (source, sourceRef).
 */
export async function recordDoorAccess(ctx: AppContext, input: DoorAccessInput): Promise<{ event: DoorAccessEvent; markedAttended: number[] }> {
  const door = await resolveDoor(ctx, input.door);
  const clientId = await resolveClientId(ctx, input.client);
  const event: NewDoorEvent = {
    doorId: door.id, locationId: door.locationId, clientId, occurredAt: input.occurredAt,
    source: input.source ?? 'manual', sourceRef: input.sourceRef ?? randomUUID(),
  };
  return inTransaction(ctx.db, async (trx) => {
    const { markedAttended } = await recordDoorEvents({ ...ctx, db: trx }, [event]);
    const stored = (await findEvent(trx, event.source, event.sourceRef))!;
    // A repeated externalId is a retry: it must describe the same entry, or it would be silently dropped.
    if (stored.doorId !== event.doorId || stored.clientId !== event.clientId || new Date(stored.occurredAt).getTime() !== event.occurredAt.getTime()) {
      throw AppError.conflict(`externalId ${event.sourceRef} was already recorded as event ${stored.id} for another door, client or time; send a new externalId for a new entry`, 'externalIdReused');
    }
    return { event: stored, markedAttended };
  });
}

export async function listDoorEvents(ctx: AppContext, filter: DoorEventFilter, page: PageQuery): Promise<Page<DoorAccessEvent>> {
  return toPage(await listDoorEventsPage(ctx.db, filter, decodeCursor(page.cursor), page.limit), page.limit);
}

/** The client's most recent entries, newest first. */
export function doorEventsOfClient(ctx: AppContext, clientId: number, limit: number): Promise<DoorAccessEvent[]> {
  return listDoorEventsOfClient(ctx.db, clientId, limit);
}
