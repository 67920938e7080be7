import { randomUUID } from 'node:crypto';
import { readDate, type Db } from '../db/knex.js';

export interface DoorAccessEvent {
  id: number;
  doorId: number | null;
  locationId: number;
  clientId: number | null;
  occurredAt: string;
  source: string;
  sourceRef: string;
  createdAt: string;
}

export interface DoorEventFilter {
  clientId?: number;
  locationId?: number;
}

type Row = Record<string, any>;

function toEvent(row: Row): DoorAccessEvent {
  return {
    id: row.id,
    doorId: row.door_id,
    locationId: row.location_id,
    clientId: row.client_id,
    occurredAt: readDate(row.occurred_at).toISOString(),
    source: row.source,
    sourceRef: row.source_ref,
    createdAt: readDate(row.created_at).toISOString(),
  };
}

/**
 * Inserts the event unless one with the same (source, sourceRef) exists; either way returns
 * the stored event and whether this call created it, so recording twice changes nothing.
 */
export async function insertEventOnce(
  db: Db,
  input: { doorId: number | null; locationId: number; clientId: number | null; occurredAt: Date; source: string; sourceRef?: string },
  now: Date,
): Promise<{ event: DoorAccessEvent; created: boolean }> {
  const sourceRef = input.sourceRef ?? randomUUID();
  const before = await db('door_access_events').where({ source: input.source, source_ref: sourceRef }).first();
  if (before) return { event: toEvent(before), created: false };
  await db('door_access_events')
    .insert({
      door_id: input.doorId, location_id: input.locationId, client_id: input.clientId, occurred_at: input.occurredAt,
      source: input.source, source_ref: sourceRef, created_at: now,
    })
    .onConflict(['source', 'source_ref'])
    .ignore();
  const row = await db('door_access_events').where({ source: input.source, source_ref: sourceRef }).first();
  return { event: toEvent(row), created: true };
}

export async function listDoorEventsPage(db: Db, filter: DoorEventFilter, afterId: number, limit: number): Promise<DoorAccessEvent[]> {
  const q = db('door_access_events').where('id', '>', afterId).orderBy('id').limit(limit + 1);
  if (filter.clientId) q.where({ client_id: filter.clientId });
  if (filter.locationId) q.where({ location_id: filter.locationId });
  return (await q).map(toEvent);
}

/** Newest first. */
export async function listDoorEventsOfClient(db: Db, clientId: number, limit: number): Promise<DoorAccessEvent[]> {
  return (await db('door_access_events').where({ client_id: clientId }).orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit)).map(toEvent);
}
