import type { AppContext } from '../context.js';
import { listSessionsAt, type ClassSession } from './repository.js';

/*
 * A club's class list is the same for every member, and at opening hours thousands of members ask
 * for it within the same second. One database read serves them all for SCHEDULE_TTL_MS. Changes
 * made through this instance (bookings, session and activity edits) drop the kept lists at once;
 * changes made through another instance show within the TTL. Seats shown may lag by that much:
 * booking always checks seats in the database.
 */
const SCHEDULE_TTL_MS = 1_000;
const LISTS_KEPT_PER_LOCATION = 50;
// A large club runs 100 classes a day: a week's list must fit.
const SESSIONS_PER_LIST = 5_000;

interface KeptList {
  until: number;
  sessions: Promise<ClassSession[]>;
}

// Per database handle, so apps that share a process (tests) never see each other's classes.
const byDatabase = new WeakMap<object, Map<number, Map<string, KeptList>>>();

function listsOf(ctx: AppContext, locationId: number): Map<string, KeptList> {
  let locations = byDatabase.get(ctx.db);
  if (!locations) byDatabase.set(ctx.db, (locations = new Map()));
  let lists = locations.get(locationId);
  if (!lists) locations.set(locationId, (lists = new Map()));
  return lists;
}

/** Sessions of a location starting in [from, to), in start order (at most SESSIONS_PER_LIST). */
export function scheduleAt(ctx: AppContext, locationId: number, from: Date, to: Date): Promise<ClassSession[]> {
  const lists = listsOf(ctx, locationId);
  const key = `${from.getTime()}|${to.getTime()}`;
  const now = ctx.now().getTime();
  const kept = lists.get(key);
  if (kept && kept.until > now) return kept.sessions;
  // Concurrent requests share the one read in flight; a failed read is not kept.
  const sessions = listSessionsAt(ctx.db, locationId, from, to, SESSIONS_PER_LIST);
  sessions.catch(() => lists.delete(key));
  lists.delete(key);
  if (lists.size >= LISTS_KEPT_PER_LOCATION) lists.delete(lists.keys().next().value!);
  lists.set(key, { until: now + SCHEDULE_TTL_MS, sessions });
  return sessions;
}

/** Drops the kept class lists of a location (or of every location) after a change made here. */
export function forgetSchedules(ctx: AppContext, locationId?: number): void {
  if (locationId === undefined) byDatabase.get(ctx.db)?.clear();
  else byDatabase.get(ctx.db)?.get(locationId)?.clear();
}
