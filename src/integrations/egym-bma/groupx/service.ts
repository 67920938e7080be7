import {
  bookSession,
  cancelBooking,
  joinWaitlist,
  leaveWaitlistOfSession,
  listClassesForClient,
  whyNotCancellable,
  type ClassForMember,
  type NotBookableReason,
  type NotJoinableReason,
} from '../../../bookings/service.js';
import { getBooking } from '../../../bookings/repository.js';
import { waitingPlacesOf } from '../../../bookings/waitlist-repository.js';
import { bookingsOfClient } from '../../../bookings/service.js';
import { getClient } from '../../../clients/repository.js';
import { getSession, listSessionsPage, type ClassSession } from '../../../classes/repository.js';
import { scheduleAt } from '../../../classes/schedule.js';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import type { Location } from '../../../locations/repository.js';
import { findLinkedLocation, linkedLocations } from '../../links.js';
import type { Integration } from '../../types.js';
import { resolveEgymExerciser } from '../mapping.js';
import { GroupxError } from './errors.js';

/**
 * EGYM's canonical GroupX classes API over clubcore's classes and bookings (EGYM.md section 2).
 * Every rule is clubcore's own (bookings/service.ts: packages, capacity, start, double booking):
 * this module only finds who and what is meant, and says it in the contract's words.
 */

/** Who is calling: the egym_bma integration whose GroupX client id matched, and the X-Location-ID location, if sent. */
export interface GroupxCaller {
  integration: Integration;
  /** The location X-Location-ID names, with the EGYM id it was sent as (when the integration asks for the header). */
  location: (Location & { egymLocationId: string }) | null;
}

/** `yyyy-MM-dd'T'HH:mm:ss'Z'`: the contract's only date format (UTC, no fraction). */
export function toUtc(at: string | Date): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const UTC_FORMAT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** A date parameter as the contract takes it; a real calendar date (no 2030-02-31) in 1900-2999. */
export function parseUtc(value: unknown): Date | 'missing' | 'wrongFormat' {
  if (value === undefined || value === '') return 'missing';
  if (typeof value !== 'string' || !UTC_FORMAT.test(value)) return 'wrongFormat';
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || toUtc(at) !== value || at.getUTCFullYear() < 1900 || at.getUTCFullYear() > 2999) return 'wrongFormat';
  return at;
}

/** A date range of query parameters, or a 400 naming every problem with the contract's reasons. */
export function parseRange(query: Record<string, unknown>, extra: Record<string, string> = {}): { from: Date; to: Date } {
  const errors: Record<string, string> = { ...extra };
  const from = parseUtc(query.startDateTime);
  const to = parseUtc(query.endDateTime);
  if (!(from instanceof Date)) errors.startDateTime = from;
  if (!(to instanceof Date)) errors.endDateTime = to;
  if (from instanceof Date && to instanceof Date && from.getTime() > to.getTime()) {
    errors.startDateTime = 'greaterThanEndDateTime';
    errors.endDateTime = 'lessThanStartDateTime';
  }
  if (Object.keys(errors).length) throw GroupxError.badRequest(errors);
  return { from: from as Date, to: to as Date };
}

/** The EGYM location id of each clubcore location linked to this integration. */
async function egymIdsOf(ctx: AppContext, integration: Integration): Promise<Map<number, string>> {
  return new Map([...(await linkedLocations(ctx, integration.id))].map(([externalId, location]) => [location.id, externalId]));
}

async function sessionOr404(ctx: AppContext, classId: string): Promise<ClassSession> {
  const id = /^[1-9]\d{0,9}$/.test(classId) ? Number(classId) : null;
  const session = id !== null && id <= 2 ** 31 - 1 ? await getSession(ctx.db, id) : null;
  if (!session) throw GroupxError.entityNotFound(`Class '${classId}' is not found`, 'classId');
  return session;
}

/** The client the exerciser id names (EGYM.md section 1's mapping), an active one, or the contract's 404. */
async function exerciserOr404(ctx: AppContext, caller: GroupxCaller, exerciserId: string): Promise<number> {
  const clientId = exerciserId.trim() ? await resolveEgymExerciser(ctx, caller.integration, exerciserId) : null;
  const client = clientId === null ? null : await getClient(ctx.db, clientId);
  if (!client || client.status !== 'active') {
    throw GroupxError.entityNotFound(
      `Exerciser '${exerciserId}' is not found: no active member carries this EGYM user id${caller.integration.config.membershipIdPrefix ? ' or membership id' : ''} yet (the membership sync may not have delivered them)`,
      'exerciserId',
    );
  }
  return client.id;
}

/** What clubcore's rules say about one class for one member: the same answer /me/classes gives. */
async function classForMember(ctx: AppContext, clientId: number, session: ClassSession): Promise<ClassForMember> {
  const from = new Date(session.startsAt);
  const list = await listClassesForClient(ctx, { clientId, homeLocationId: session.locationId }, { locationId: session.locationId, from, to: new Date(from.getTime() + 1) });
  const item = list.items.find((i) => i.session.id === session.id);
  if (!item) throw GroupxError.entityNotFound(`Class '${session.id}' is not found`, 'classId');
  return item;
}

const NOT_BOOKABLE: Record<NotBookableReason, string> = {
  noPackage: 'No active package of this member includes this class at this location',
  full: 'The class is full',
  started: 'The class has already started',
  alreadyBooked: 'Booked already',
  sessionCancelled: 'The class has been cancelled',
};

const NOT_JOINABLE: Record<NotJoinableReason, string> = {
  ...NOT_BOOKABLE,
  notFull: 'The class has free spots: book it instead',
  waitlistFull: 'The waitlist is full',
  alreadyOnWaitlist: 'On the waitlist already',
  waitlistClosed: 'The waitlist is closed this close to the start',
};

function brief(session: ClassSession, egymLocationId: string | undefined, now: Date, waitlisted?: boolean) {
  const cancelled = session.status === 'cancelled';
  return {
    id: String(session.id),
    name: session.activityName,
    startDateTime: toUtc(session.startsAt),
    endDateTime: toUtc(session.endsAt),
    ...(egymLocationId !== undefined ? { locationId: egymLocationId } : {}),
    // Classes are paid by packages (memberships, class packs), never one by one.
    free: true,
    ...(waitlisted !== undefined ? { waitlisted } : {}),
    reservable: !cancelled && new Date(session.startsAt).getTime() > now.getTime(),
    instructor: { fullName: session.instructor ?? '' },
    activity: { name: session.activityName },
    ...(cancelled ? { customInfo: [{ key: 'status', value: 'cancelled' }] } : {}),
  };
}

function bookingDetails(session: ClassSession) {
  return { capacity: session.capacity, booked: session.bookedCount, waitlistCapacity: session.waitlistCapacity, waitlistBooked: session.waitlistCount };
}

/** Eligibility as clubcore's rules have it, with the reason when not (the contract's example carries one). */
async function attendeeDetails(ctx: AppContext, exerciserId: string, item: ClassForMember) {
  const now = ctx.now();
  const startsAt = new Date(item.session.startsAt);
  const booking = item.bookingId !== null ? await getBooking(ctx.db, item.bookingId) : null;
  const notCancellable = booking ? whyNotCancellable(booking.status, startsAt, now) : 'notBooked';
  const onWaitlist = item.waitlist.position !== null;
  const waitlistRefusal = item.waitlistReason && (item.waitlistReason === 'waitlistFull' && item.waitlist.capacity === 0 ? 'This class has no waitlist' : NOT_JOINABLE[item.waitlistReason]);
  return {
    exerciserId,
    booked: booking !== null,
    waitlistBooked: onWaitlist,
    waitlistPosition: item.waitlist.position ?? 0,
    eligibility: {
      addToClassEligibility: item.bookable ? { eligible: true } : { eligible: false, lackOfProduct: item.reason === 'noPackage', reason: NOT_BOOKABLE[item.reason!] },
      removeFromClassEligibility:
        notCancellable === null ? { eligible: true }
        : { eligible: false, reason: notCancellable === 'started' ? NOT_BOOKABLE.started : booking ? `The booking is ${booking.status}` : 'Not booked' },
      addToWaitlistEligibility: item.canJoinWaitlist ? { eligible: true } : { eligible: false, lackOfProduct: item.waitlistReason === 'noPackage', reason: waitlistRefusal },
      removeFromWaitlistEligibility: onWaitlist ? { eligible: true } : { eligible: false, reason: 'Not on the waitlist' },
    },
  };
}

/** One class with every section, for an exerciser when one is named. */
async function classView(ctx: AppContext, caller: GroupxCaller, session: ClassSession, exerciser?: { id: string; clientId: number }) {
  const egymIds = await egymIdsOf(ctx, caller.integration);
  const item = exerciser ? await classForMember(ctx, exerciser.clientId, session) : null;
  const fresh = item?.session ?? session;
  return {
    brief: brief(fresh, egymIds.get(fresh.locationId), ctx.now(), item ? item.waitlist.position !== null : undefined),
    bookingDetails: bookingDetails(fresh),
    details: {},
    ...(item && exerciser ? { attendeeBookingDetails: await attendeeDetails(ctx, exerciser.id, item) } : {}),
  };
}

/*
 * GET /classes answers every EGYM user of a location alike: the body is kept with the location's
 * shared schedule list it was made from (a new list, after its TTL or a change, makes a new body),
 * until the next listed class starts (its `reservable` turns false then).
 */
const keptBodies = new WeakMap<ClassSession[], Map<string, { json: Buffer; until: number }>>();

/** GET /classes: the JSON body (UTF-8, kept as bytes: a week is ~240 kB) listing the classes of a linked EGYM location starting in [startDateTime, endDateTime). */
export async function searchClassesJson(ctx: AppContext, caller: GroupxCaller, egymLocationId: string, from: Date, to: Date): Promise<Buffer> {
  const location = caller.location?.egymLocationId === egymLocationId ? caller.location : await findLinkedLocation(ctx, caller.integration, egymLocationId);
  if (!location) throw GroupxError.entityNotFound(`Location '${egymLocationId}' is not found: no clubcore location is linked to this EGYM location id`, 'locationId');
  if (caller.location && caller.location.id !== location.id) {
    throw GroupxError.unauthorized(`X-Location-ID names another location than locationId '${egymLocationId}': send the same EGYM location id in both`, 'location');
  }
  // The location's shared schedule, as the club app's class list reads it (one read per TTL for every caller).
  const sessions = await scheduleAt(ctx, location.id, from, to);
  const now = ctx.now();
  let bodies = keptBodies.get(sessions);
  if (!bodies) keptBodies.set(sessions, (bodies = new Map()));
  const kept = bodies.get(egymLocationId);
  if (kept && kept.until > now.getTime()) return kept.json;
  const json = Buffer.from(JSON.stringify(sessions.map((s) => ({ brief: brief(s, egymLocationId, now), bookingDetails: bookingDetails(s), details: {} }))));
  const nextStart = Math.min(...sessions.map((s) => Date.parse(s.startsAt)).filter((t) => t > now.getTime()));
  bodies.set(egymLocationId, { json, until: nextStart });
  return json;
}

/** GET /classes/{classId}?exerciserId. */
export async function classDetails(ctx: AppContext, caller: GroupxCaller, classId: string, exerciserId: string | undefined) {
  const session = await sessionOr404(ctx, classId);
  if (exerciserId === undefined) return classView(ctx, caller, session);
  return classView(ctx, caller, session, { id: exerciserId, clientId: await exerciserOr404(ctx, caller, exerciserId) });
}

type Cause = 'bookingFailed' | 'unbookingFailed' | 'addToWaitlistFailed' | 'removeFromWaitlistFailed';

/** clubcore's refusal codes in each operation's own reasons (anything else: `unknown`, the message says what). */
const REASONS: Record<Cause, Record<string, string>> = {
  bookingFailed: {
    noPackage: 'lackOfProduct', full: 'noFreeSpots', alreadyBooked: 'userAlreadyAttendee', alreadyOnWaitlist: 'userAlreadyInWaitlist',
    started: 'partnerRestriction', sessionCancelled: 'partnerRestriction',
  },
  unbookingFailed: { notBooked: 'userNotAttendee' },
  addToWaitlistFailed: {
    noPackage: 'lackOfProduct', waitlistFull: 'noFreeSpots', alreadyOnWaitlist: 'userAlreadyInWaitlist', alreadyBooked: 'userAlreadyAttendee',
    started: 'partnerRestriction', sessionCancelled: 'partnerRestriction', waitlistClosed: 'partnerRestriction',
  },
  removeFromWaitlistFailed: { notOnWaitlist: 'userNotInWaitlist' },
};

const DOING: Record<Cause, string> = {
  bookingFailed: 'cannot be booked by',
  unbookingFailed: 'cannot be cancelled for',
  addToWaitlistFailed: 'cannot take on its waitlist',
  removeFromWaitlistFailed: 'cannot take off its waitlist',
};

/** A business-rule refusal (AppError 422) as the operation's 422; anything else passes through. */
function refusal(cause: Cause, err: unknown, session: ClassSession, exerciserId: string): unknown {
  if (!(err instanceof AppError) || err.status !== 422) return err;
  const code = err.extra.code ?? '';
  return GroupxError.failed(cause, REASONS[cause][code] ?? 'unknown', `Class '${session.activityName}' at ${toUtc(session.startsAt)} ${DOING[cause]} exerciser '${exerciserId}': ${err.detail} (${code})`);
}

/**
 * One operation of the contract on an exerciser and a class: clubcore's service call, a refusal
 * answered with the operation's cause and reason, and the class as it is afterwards.
 */
async function operate(
  ctx: AppContext,
  caller: GroupxCaller,
  ids: { classId: string; exerciserId: string },
  cause: Cause,
  call: (clientId: number, session: ClassSession) => Promise<unknown>,
) {
  const session = await sessionOr404(ctx, ids.classId);
  const clientId = await exerciserOr404(ctx, caller, ids.exerciserId);
  try {
    await call(clientId, session);
  } catch (err) {
    throw refusal(cause, err, session, ids.exerciserId);
  }
  return classView(ctx, caller, (await getSession(ctx.db, session.id))!, { id: ids.exerciserId, clientId });
}

/** POST /classes/{classId}/attendees/{exerciserId}: clubcore's bookSession, source egym. */
export function addAttendee(ctx: AppContext, caller: GroupxCaller, classId: string, exerciserId: string) {
  return operate(ctx, caller, { classId, exerciserId }, 'bookingFailed', (clientId, session) => bookSession(ctx, clientId, session.id, 'egym'));
}

/** DELETE /classes/{classId}/attendees/{exerciserId}: clubcore's cancelBooking of the exerciser's booking of that class. */
export function removeAttendee(ctx: AppContext, caller: GroupxCaller, classId: string, exerciserId: string) {
  return operate(ctx, caller, { classId, exerciserId }, 'unbookingFailed', async (clientId, session) => {
    const { bookingId } = await classForMember(ctx, clientId, session);
    if (bookingId === null) throw AppError.rule('notBooked', 'This member has not booked this class');
    try {
      const booking = await cancelBooking(ctx, clientId, bookingId);
      if (booking.status !== 'cancelled') throw AppError.rule('notCancellable', `The booking is ${booking.status}`);
    } catch (err) {
      // A booking that exists but is attended (or no-show) is no refusal of "not an attendee".
      throw err instanceof AppError && err.extra.code === 'notBooked' ? AppError.rule('notCancellable', err.detail) : err;
    }
  });
}

/** POST /classes/{classId}/waitlist/attendees/{exerciserId}: clubcore's joinWaitlist, source egym. */
export function addToWaitlist(ctx: AppContext, caller: GroupxCaller, classId: string, exerciserId: string) {
  return operate(ctx, caller, { classId, exerciserId }, 'addToWaitlistFailed', (clientId, session) => joinWaitlist(ctx, clientId, session.id, 'egym'));
}

/** DELETE /classes/{classId}/waitlist/attendees/{exerciserId}: clubcore's leaveWaitlistOfSession. */
export function removeFromWaitlist(ctx: AppContext, caller: GroupxCaller, classId: string, exerciserId: string) {
  return operate(ctx, caller, { classId, exerciserId }, 'removeFromWaitlistFailed', (clientId, session) => leaveWaitlistOfSession(ctx, clientId, session.id));
}

/** The sessions starting in [from, to) the client waits for: those with anyone waiting, then the client's places among them. */
async function waitedForIn(ctx: AppContext, clientId: number, from: Date, to: Date): Promise<number[]> {
  const withWaiting: number[] = [];
  for (let afterId = 0; ; ) {
    const page = await listSessionsPage(ctx.db, { from, to }, afterId, 500);
    withWaiting.push(...page.slice(0, 500).filter((s) => s.waitlistCount > 0).map((s) => s.id));
    if (page.length <= 500) break;
    afterId = page[499]!.id;
  }
  return withWaiting.length ? [...(await waitingPlacesOf(ctx.db, clientId, withWaiting)).keys()] : [];
}

/** GET /exercisers/{exerciserId}/schedule: the classes starting in the range that the exerciser has booked or waits for, in start order. */
export async function exerciserSchedule(ctx: AppContext, caller: GroupxCaller, exerciserId: string, from: Date, to: Date) {
  const clientId = await exerciserOr404(ctx, caller, exerciserId);
  const booked = (await bookingsOfClient(ctx, clientId, 1_000))
    .filter((b) => (b.status === 'booked' || b.status === 'attended') && b.session.startsAt.getTime() >= from.getTime() && b.session.startsAt.getTime() < to.getTime())
    .map((b) => b.sessionId);
  const sessions: ClassSession[] = [];
  for (const id of new Set([...booked, ...(await waitedForIn(ctx, clientId, from, to))])) {
    const session = await getSession(ctx.db, id);
    if (session) sessions.push(session);
  }
  sessions.sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id - b.id);
  const views = [];
  for (const session of sessions) views.push(await classView(ctx, caller, session, { id: exerciserId, clientId }));
  return views;
}
