import type { AppContext } from '../../context.js';
import { offeredSeats } from '../../bookings/rules.js';
import { getSessionForAggregator, listSessionsForAggregatorPage, type AggregatorBookings, type ClassSession, type SessionForAggregator } from '../../classes/repository.js';
import type { IntegrationRun } from '../types.js';
import { cancelByGym } from './bookings.js';
import { findPublishedClass, findPublishedSlot, forgetPublished, listPublishedClasses, listPublishedSlots, savePublishedClass, savePublishedSlot, type PublishedSlot } from './repository.js';
import { venuesOf, wellpassOf, type Venue, type Wellpass } from './side.js';
import { WellpassError, type RemoteSlot, type SlotSpec } from './wire.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Sessions read per query in a reconcile (a venue may hold any number in the horizon). */
export const RECONCILE_PAGE = 500;

function slotSpec(w: Wellpass, session: ClassSession): Omit<SlotSpec, 'capacity' | 'booked'> {
  const startsAt = new Date(session.startsAt);
  return {
    startsAt,
    lengthMinutes: Math.max(1, Math.round((new Date(session.endsAt).getTime() - startsAt.getTime()) / MINUTE)),
    instructor: session.instructor,
    bookingClosesAt: startsAt,
    cancellableUntil: new Date(startsAt.getTime() - w.config.cancellableUntilMinutes * MINUTE),
  };
}

/** Whether the session is offered now: an enabled activity, scheduled, at this venue, not over, within the horizon. */
function isOffered(w: Wellpass, venue: Venue, session: ClassSession | null, settings: AggregatorBookings | null, now: Date): session is ClassSession {
  return (
    session !== null && settings !== null && settings.enabled && session.status === 'scheduled' && session.locationId === venue.location.id &&
    new Date(session.endsAt).getTime() > now.getTime() && new Date(session.startsAt).getTime() < now.getTime() + w.config.publishDays * DAY
  );
}

/** A venue's published classes, by activity id: read once per reconcile, once per session otherwise. */
type KnownClasses = Map<number, number>;

async function ensureClass(ctx: AppContext, w: Wellpass, venue: Venue, session: ClassSession, known: KnownClasses | null): Promise<number> {
  const kept = known ? (known.get(session.activityId) ?? null) : await findPublishedClass(ctx.db, w.integration.id, venue.location.id, session.activityId);
  if (kept !== null) return kept;
  const spec = { name: session.activityName, reference: `activity:${session.activityId}` };
  // A class created by an earlier attempt whose answer was lost is found by its reference.
  const id = (await w.api.findClass(venue.uuid, spec.reference)) ?? (await w.api.createClass(venue.uuid, spec));
  await savePublishedClass(ctx.db, w.integration.id, venue.location.id, session.activityId, id, ctx.now());
  known?.set(session.activityId, id);
  return id;
}

export type PublishOutcome = 'created' | 'updated' | 'unchanged' | 'withdrawn' | 'notOffered';

/**
 * Brings one session's slot at a venue in line with the session as it is now (the outbox's
 * change of one session). See bringSlot.
 */
export async function publishSession(ctx: AppContext, w: Wellpass, venue: Venue, sessionId: number): Promise<PublishOutcome> {
  const [found, published] = await Promise.all([getSessionForAggregator(ctx.db, sessionId), findPublishedSlot(ctx.db, w.integration.id, sessionId)]);
  return bringSlot(ctx, w, venue, sessionId, found, published, null);
}

/**
 * A session's slot made to match the session read (`found`, null when it is gone): created,
 * replaced with absolute counts (when the body differs from what was last sent, or from `remote`
 * in a reconcile: undefined there when nothing was published, null when the slot is missing
 * remotely), or withdrawn when the session is no longer offered. A session the club cancelled also
 * tells the aggregator about each of its bookings in it (CANCELLED_BY_GYM). Safe to repeat.
 */
async function bringSlot(ctx: AppContext, w: Wellpass, venue: Venue, sessionId: number, found: SessionForAggregator | null, published: PublishedSlot | null, known: KnownClasses | null, remote?: RemoteSlot | null): Promise<PublishOutcome> {
  const session = found?.session ?? null;
  const now = ctx.now();
  if (session?.status === 'cancelled') await cancelByGym(ctx, w, sessionId);
  if (!isOffered(w, venue, session, found?.aggregatorBookings ?? null, now)) {
    if (published?.remoteSlotId == null) return 'notOffered';
    await w.api.deleteSlot(venue.uuid, published.remoteClassId, published.remoteSlotId);
    await savePublishedSlot(ctx.db, w.integration.id, { ...published, remoteSlotId: null, sentBody: null }, now);
    return 'withdrawn';
  }
  const classId = await ensureClass(ctx, w, venue, session, known);
  const body = w.api.slotBody({ ...slotSpec(w, session), ...offeredSeats(session, found!.aggregatorBookings.seatCap) });
  const live = published?.remoteSlotId != null && published.remoteClassId === classId && remote !== null;
  if (!live) {
    if (published?.remoteSlotId != null && published.remoteClassId !== classId) await w.api.deleteSlot(venue.uuid, published.remoteClassId, published.remoteSlotId);
    const slotId = await w.api.createSlot(venue.uuid, classId, body);
    await savePublishedSlot(ctx.db, w.integration.id, { sessionId, remoteClassId: classId, remoteSlotId: slotId, sentBody: body }, now);
    return 'created';
  }
  if (body === (remote ? remote.body : published!.sentBody)) return 'unchanged';
  await w.api.replaceSlot(venue.uuid, classId, published!.remoteSlotId!, body);
  await savePublishedSlot(ctx.db, w.integration.id, { ...published!, sentBody: body }, now);
  return 'updated';
}

/**
 * What the aggregator holds of a venue's classes in [from, to), by slot id. A class gone there is
 * forgotten here (with its slots), so its sessions are published again from scratch.
 */
async function remoteSlots(h: IntegrationRun, w: Wellpass, venue: Venue, classes: KnownClasses, from: Date, to: Date): Promise<Map<number, RemoteSlot>> {
  const bySlot = new Map<number, RemoteSlot>();
  for (const [activityId, classId] of classes) {
    try {
      for (const slot of await w.api.listSlots(venue.uuid, classId, from, to)) bySlot.set(slot.id, slot);
    } catch (err) {
      if (!(err instanceof WellpassError && err.kind === 'notFound')) throw err;
      await forgetPublished(h.ctx.db, h.integration.id, classId);
      classes.delete(activityId);
    }
  }
  return bySlot;
}

/**
 * The full reconcile (every reconcileEveryMinutes, and on demand): every session of each venue in
 * the horizon, compared with what the aggregator holds (its slot listing, not what clubcore
 * believes it sent), so drift on either side is repaired: missing slots created, differing ones
 * replaced, slots of sessions no longer offered withdrawn. Sessions are read a page at a time with
 * what was published for them, so a session that needs nothing costs no query of its own.
 */
export async function reconcileJob(h: IntegrationRun): Promise<void> {
  const w = wellpassOf(h.integration);
  const now = h.ctx.now();
  // Sessions that started up to a day ago may still run: their counts still matter.
  const from = new Date(now.getTime() - DAY);
  const to = new Date(now.getTime() + w.config.publishDays * DAY);
  for (const venue of await venuesOf(h.ctx, h.integration.id)) {
    const classes = await listPublishedClasses(h.ctx.db, h.integration.id, venue.location.id);
    const remote = await remoteSlots(h, w, venue, classes, from, to);
    for (let afterId = 0; ; ) {
      const page = await listSessionsForAggregatorPage(h.ctx.db, { locationId: venue.location.id, from, to }, afterId, RECONCILE_PAGE);
      const published = new Map((await listPublishedSlots(h.ctx.db, h.integration.id, page.map((f) => f.session.id))).map((p) => [p.sessionId, p]));
      const counts: Record<string, number> = {};
      for (const found of page) {
        const slot = published.get(found.session.id) ?? null;
        const seen = slot?.remoteSlotId == null ? undefined : (remote.get(slot.remoteSlotId) ?? null);
        const outcome = await bringSlot(h.ctx, w, venue, found.session.id, found, slot, classes, seen);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
      await h.commitPage(h.ctx.db, { sessionsChecked: page.length, slotsCreated: counts.created ?? 0, slotsUpdated: counts.updated ?? 0, slotsWithdrawn: counts.withdrawn ?? 0 });
      if (page.length < RECONCILE_PAGE) break;
      afterId = page[page.length - 1]!.session.id;
    }
  }
}
