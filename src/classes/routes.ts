import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { endpoint } from '../http/endpoint.js';
import { idParams, instant } from '../http/validate.js';
import { SESSION_STATUSES } from './repository.js';
import {
  createActivity,
  createSession,
  deleteActivity,
  deleteSession,
  getActivityOrThrow,
  getSessionDetail,
  listActivities,
  listSessions,
  updateActivity,
  updateSession,
} from './service.js';

const activityFields = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** seatCap: null or absent = every free seat, 0 = none, N = at most N per session. */
  aggregatorBookings: z.strictObject({ enabled: z.boolean(), seatCap: z.number().int().min(0).max(10_000).nullable().default(null) }),
});
const createActivityBody = activityFields.extend({ aggregatorBookings: activityFields.shape.aggregatorBookings.default({ enabled: false, seatCap: null }) });
const sessionFields = z.strictObject({
  activityId: z.number().int().positive(),
  locationId: z.number().int().positive(),
  startsAt: instant,
  endsAt: instant,
  capacity: z.number().int().min(1).max(10_000),
  waitlistCapacity: z.number().int().min(0).max(10_000),
  instructor: z.string().trim().min(1).max(200).nullable(),
  status: z.enum(SESSION_STATUSES),
});
const createSessionBody = sessionFields.omit({ status: true }).extend({
  instructor: sessionFields.shape.instructor.default(null),
  waitlistCapacity: sessionFields.shape.waitlistCapacity.default(0),
});
const sessionQuery = pageQuery.extend({
  locationId: z.coerce.number().int().positive().optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const ACTIVITIES = '/api/v1/admin/activities';
const SESSIONS = '/api/v1/admin/sessions';

export function classesRouter(ctx: AppContext): Router {
  const router = Router();
  const staff = requireStaff(ctx);

  router.get(ACTIVITIES, staff, endpoint('Activities, paged', { query: pageQuery }, async ({ query }, _req, res) => {
    res.json(await listActivities(ctx, query));
  }));
  router.post(ACTIVITIES, staff, endpoint('Create an activity (aggregator bookings off unless sent)', { body: createActivityBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createActivity(ctx, body));
  }));
  router.get(`${ACTIVITIES}/:id`, staff, endpoint('One activity', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getActivityOrThrow(ctx, params.id));
  }));
  router.patch(`${ACTIVITIES}/:id`, staff, endpoint('Rename an activity or change its aggregator bookings (its upcoming sessions are republished)', { params: idParams, body: activityFields.partial() }, async ({ params, body }, _req, res) => {
    res.json(await updateActivity(ctx, params.id, body));
  }));
  router.delete(`${ACTIVITIES}/:id`, staff, endpoint('Delete an activity no session or package uses', { params: idParams }, async ({ params }, _req, res) => {
    await deleteActivity(ctx, params.id);
    res.status(204).end();
  }));

  router.get(SESSIONS, staff, endpoint('Class sessions, paged (of a location, in a time range)', { query: sessionQuery }, async ({ query }, _req, res) => {
    const { locationId, from, to, ...page } = query;
    res.json(await listSessions(ctx, { locationId, from, to }, page));
  }));
  router.post(SESSIONS, staff, endpoint('Schedule a class session', { body: createSessionBody }, async ({ body }, _req, res) => {
    res.status(201).json(await createSession(ctx, body));
  }));
  router.get(`${SESSIONS}/:id`, staff, endpoint('One session with its waitlist', { params: idParams }, async ({ params }, _req, res) => {
    res.json(await getSessionDetail(ctx, params.id));
  }));
  router.patch(`${SESSIONS}/:id`, staff, endpoint('Change or cancel a session (status cancelled)', { params: idParams, body: sessionFields.partial() }, async ({ params, body }, _req, res) => {
    res.json(await updateSession(ctx, params.id, body));
  }));
  router.delete(`${SESSIONS}/:id`, staff, endpoint('Delete a session nobody booked (cancel it otherwise)', { params: idParams }, async ({ params }, _req, res) => {
    await deleteSession(ctx, params.id);
    res.status(204).end();
  }));
  return router;
}
