import { readDate, writeInFewShapes, type Db } from '../db/knex.js';

export interface DoorAccessEvent {
  id: number;
  doorId: number | null;
  locationId: number;
  clientId: number | null;
  occurredAt: Date;
  source: string;
  sourceRef: string;
  createdAt: Date;
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
    occurredAt: readDate(row.occurred_at),
    source: row.source,
    sourceRef: row.source_ref,
    createdAt: readDate(row.created_at),
  };
}

/** An entry through a door, as it is recorded; (source, sourceRef) names it for good. */
export interface NewDoorEvent {
  doorId: number;
  locationId: number;
  clientId: number;
  occurredAt: Date;
  source: string;
  sourceRef: string;
}

const keyOf = (source: string, sourceRef: string) => `${source}\n${sourceRef}`;

/** A stored event's id, and the type of its door (entrance | exit | internal). */
export type StoredDoorEvent = NewDoorEvent & { id: number; doorType: string | null };

/**
 * Stores each event once, however often it arrives (unique source + sourceRef): one query for
 * the ones stored already, one multi-row insert of the rest. Returns the events this call stored
 * (on MySQL, one a concurrent transaction stored first is among them only until that one
 * commits: read them back with storedDoorEvents in the same transaction to be exact).
 */
export async function insertEventsOnce(db: Db, events: NewDoorEvent[], now: Date): Promise<NewDoorEvent[]> {
  if (!events.length) return [];
  const stored = await db('door_access_events')
    .whereIn('source', [...new Set(events.map((e) => e.source))])
    .whereIn('source_ref', events.map((e) => e.sourceRef))
    .select('source', 'source_ref');
  const seen = new Set(stored.map((r: Row) => keyOf(r.source, r.source_ref)));
  const fresh = events.filter((e) => {
    const key = keyOf(e.source, e.sourceRef);
    if (seen.has(key)) return false;
    seen.add(key); // a batch repeating an event stores it once too
    return true;
  });
  await writeInFewShapes(db, fresh, fresh.length, (chunk) =>
    db('door_access_events')
      .insert(chunk.map((e) => ({
        door_id: e.doorId, location_id: e.locationId, client_id: e.clientId, occurred_at: e.occurredAt, source: e.source, source_ref: e.sourceRef, created_at: now,
      })))
      .onConflict(['source', 'source_ref'])
      .ignore(),
  );
  return fresh;
}

/**
 * The stored rows of these events, with their ids and door types, as this transaction sees them
 * (an event a concurrent MySQL transaction stored is not visible here, so it is left out).
 */
export async function storedDoorEvents(db: Db, events: NewDoorEvent[]): Promise<StoredDoorEvent[]> {
  if (!events.length) return [];
  const rows = await db('door_access_events as e')
    .leftJoin('doors as d', 'd.id', 'e.door_id')
    .whereIn('e.source', [...new Set(events.map((e) => e.source))])
    .whereIn('e.source_ref', events.map((e) => e.sourceRef))
    .select('e.id', 'e.source', 'e.source_ref', 'd.type');
  const byKey = new Map(rows.map((r: Row) => [keyOf(r.source, r.source_ref), { id: Number(r.id), doorType: (r.type as string | null) ?? null }]));
  return events.flatMap((e) => {
    const row = byKey.get(keyOf(e.source, e.sourceRef));
    return row ? [{ ...e, ...row }] : [];
  });
}

/** An event with the type of its door (null when it has none): an exit door makes it an exit. */
export async function getEventWithDoorType(db: Db, id: number): Promise<(DoorAccessEvent & { doorType: string | null }) | null> {
  const row = await db('door_access_events as e').leftJoin('doors as d', 'd.id', 'e.door_id').where('e.id', id).first('e.*', 'd.type as door_type');
  return row ? { ...toEvent(row), doorType: row.door_type ?? null } : null;
}

export async function findEvent(db: Db, source: string, sourceRef: string): Promise<DoorAccessEvent | null> {
  const row = await db('door_access_events').where({ source, source_ref: sourceRef }).first();
  return row ? toEvent(row) : null;
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
