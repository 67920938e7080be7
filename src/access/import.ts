import { markAttendanceForEntries } from '../bookings/repository.js';
import type { Db } from '../db/knex.js';

export interface ImportedDoorEvent {
  doorId: number;
  locationId: number;
  clientId: number;
  occurredAt: Date;
  source: string;
  sourceRef: string;
}

/**
 * Records a batch of entries, each once however often it is read (unique source + sourceRef),
 * and marks the bookings they attend. Returns how many were new and which bookings were marked.
 */
export async function importDoorEvents(
  db: Db,
  events: ImportedDoorEvent[],
  windowBeforeMinutes: number,
  now: Date,
): Promise<{ created: number; markedAttended: number[] }> {
  if (!events.length) return { created: 0, markedAttended: [] };
  const known = new Set<string>(
    await db('door_access_events').where({ source: events[0]!.source }).whereIn('source_ref', events.map((e) => e.sourceRef)).pluck('source_ref'),
  );
  const fresh = events.filter((e) => !known.has(e.sourceRef));
  if (!fresh.length) return { created: 0, markedAttended: [] };
  await db('door_access_events')
    .insert(fresh.map((e) => ({ door_id: e.doorId, location_id: e.locationId, client_id: e.clientId, occurred_at: e.occurredAt, source: e.source, source_ref: e.sourceRef, created_at: now })))
    .onConflict(['source', 'source_ref'])
    .ignore();
  return { created: fresh.length, markedAttended: await markAttendanceForEntries(db, fresh, windowBeforeMinutes, now) };
}
