import { countBookingsOfSession } from '../bookings/repository.js';
import { expireWaitlist, promoteFromWaitlist, waitlistOfSession } from '../bookings/waitlist.js';
import { inTransaction } from '../db/transaction.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { getLocation } from '../locations/repository.js';
import { recordOutboxEvents } from '../outbox/service.js';
import {
  countActivityUse,
  deleteActivityRow,
  deleteSessionRow,
  getActivity,
  getSession,
  insertActivity,
  insertSession,
  listActivitiesPage,
  listSessionsPage,
  listUpcomingSessionIdsOf,
  updateActivityRow,
  updateSessionRow,
  type Activity,
  type ActivityFields,
  type ClassSession,
  type SessionFields,
  type SessionFilter,
} from './repository.js';
import { forgetSchedules } from './schedule.js';

export async function getActivityOrThrow(ctx: AppContext, id: number): Promise<Activity> {
  const activity = await getActivity(ctx.db, id);
  if (!activity) throw AppError.notFound(`There is no activity ${id}`);
  return activity;
}

export async function listActivities(ctx: AppContext, page: PageQuery): Promise<Page<Activity>> {
  return toPage(await listActivitiesPage(ctx.db, decodeCursor(page.cursor), page.limit), page.limit);
}

export async function createActivity(ctx: AppContext, fields: ActivityFields): Promise<Activity> {
  return (await getActivity(ctx.db, await insertActivity(ctx.db, fields, ctx.now())))!;
}

/** A change of name or aggregator settings is a change of each upcoming session (what aggregators are sent). */
export async function updateActivity(ctx: AppContext, id: number, patch: Partial<ActivityFields>): Promise<Activity> {
  await getActivityOrThrow(ctx, id);
  const now = ctx.now();
  await inTransaction(ctx.db, async (trx) => {
    await updateActivityRow(trx, id, patch, now);
    await recordOutboxEvents(trx, 'class_session', async () =>
      (await listUpcomingSessionIdsOf(trx, id, now)).map((s) => ({ subjectId: s.id, locationId: s.locationId, kind: 'updated' as const })),
    now);
  });
  forgetSchedules(ctx);
  return (await getActivity(ctx.db, id))!;
}

export async function deleteActivity(ctx: AppContext, id: number): Promise<void> {
  await getActivityOrThrow(ctx, id);
  const use = await countActivityUse(ctx.db, id);
  if (use.sessions || use.packages) {
    throw AppError.conflict(`Activity ${id} is used by ${use.sessions} session(s) and ${use.packages} package(s); remove those first`);
  }
  await deleteActivityRow(ctx.db, id);
}

export async function getSessionOrThrow(ctx: AppContext, id: number): Promise<ClassSession> {
  const session = await getSession(ctx.db, id);
  if (!session) throw AppError.notFound(`There is no class session ${id}`);
  return session;
}

/** A session with its waitlist in queue order (staff view). */
export async function getSessionDetail(ctx: AppContext, id: number): Promise<ClassSession & { waitlist: Awaited<ReturnType<typeof waitlistOfSession>> }> {
  const session = await getSessionOrThrow(ctx, id);
  return { ...session, waitlist: await waitlistOfSession(ctx, id) };
}

export async function listSessions(ctx: AppContext, filter: SessionFilter, page: PageQuery): Promise<Page<ClassSession>> {
  return toPage(await listSessionsPage(ctx.db, filter, decodeCursor(page.cursor), page.limit), page.limit);
}

async function assertReferences(ctx: AppContext, fields: Partial<SessionFields>) {
  const errors = [];
  if (fields.activityId !== undefined && !(await getActivity(ctx.db, fields.activityId))) {
    errors.push({ path: 'activityId', message: `unknown activity ${fields.activityId}` });
  }
  if (fields.locationId !== undefined && !(await getLocation(ctx.db, fields.locationId))) {
    errors.push({ path: 'locationId', message: `unknown location ${fields.locationId}` });
  }
  if (errors.length) throw AppError.badRequest('The session refers to something that does not exist', errors);
}

function assertTimes(startsAt: Date, endsAt: Date) {
  if (endsAt.getTime() <= startsAt.getTime()) {
    throw AppError.badRequest('A session must end after it starts', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  }
}

export async function createSession(ctx: AppContext, input: Omit<SessionFields, 'status'>): Promise<ClassSession> {
  assertTimes(input.startsAt, input.endsAt);
  await assertReferences(ctx, input);
  const now = ctx.now();
  const id = await inTransaction(ctx.db, async (trx) => {
    const id = await insertSession(trx, { ...input, status: 'scheduled' }, now);
    await recordOutboxEvents(trx, 'class_session', [{ subjectId: id, locationId: input.locationId, kind: 'created' }], now);
    return id;
  });
  forgetSchedules(ctx, input.locationId);
  return (await getSession(ctx.db, id))!;
}

export async function updateSession(ctx: AppContext, id: number, patch: Partial<SessionFields>): Promise<ClassSession> {
  const before = await getSessionOrThrow(ctx, id);
  assertTimes(patch.startsAt ?? new Date(before.startsAt), patch.endsAt ?? new Date(before.endsAt));
  await assertReferences(ctx, patch);
  if (patch.capacity !== undefined && patch.capacity < before.bookedCount) {
    throw AppError.rule('capacityBelowBookings', `${before.bookedCount} seats are already booked; capacity cannot go below that`);
  }
  const now = ctx.now();
  await inTransaction(ctx.db, async (trx) => {
    await updateSessionRow(trx, id, patch, now);
    const moved = patch.locationId !== undefined && patch.locationId !== before.locationId;
    await recordOutboxEvents(trx, 'class_session', [
      { subjectId: id, locationId: before.locationId, kind: moved ? 'deleted' : 'updated' },
      ...(moved ? [{ subjectId: id, locationId: patch.locationId!, kind: 'created' as const }] : []),
    ], now);
    // A cancelled class has nothing to wait for; more seats (or a later start) may go to waiting members.
    if (patch.status === 'cancelled') await expireWaitlist(trx, id, now);
    else await promoteFromWaitlist(trx, id, now, ctx.config.WAITLIST_PROMOTION_CUTOFF_MINUTES);
  });
  forgetSchedules(ctx);
  return (await getSession(ctx.db, id))!;
}

/** Sessions someone booked stay as history: cancel them (status cancelled) instead. */
export async function deleteSession(ctx: AppContext, id: number): Promise<void> {
  const session = await getSessionOrThrow(ctx, id);
  if ((await countBookingsOfSession(ctx.db, id)) > 0) {
    throw AppError.conflict(`Session ${session.id} has bookings; set status to cancelled instead of deleting it`);
  }
  const now = ctx.now();
  await inTransaction(ctx.db, async (trx) => {
    await deleteSessionRow(trx, id);
    await recordOutboxEvents(trx, 'class_session', [{ subjectId: id, locationId: session.locationId, kind: 'deleted' }], now);
  });
  forgetSchedules(ctx, session.locationId);
}
