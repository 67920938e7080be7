import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { requireStaff } from '../http/auth.js';
import { pageQuery } from '../http/paging.js';
import { idParams, instant, parse } from '../http/validate.js';
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

  router.get(ACTIVITIES, staff, async (req, res) => {
    res.json(await listActivities(ctx, parse(pageQuery, req.query, 'query')));
  });
  router.post(ACTIVITIES, staff, async (req, res) => {
    res.status(201).json(await createActivity(ctx, parse(createActivityBody, req.body)));
  });
  router.get(`${ACTIVITIES}/:id`, staff, async (req, res) => {
    res.json(await getActivityOrThrow(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${ACTIVITIES}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateActivity(ctx, id, parse(activityFields.partial(), req.body)));
  });
  router.delete(`${ACTIVITIES}/:id`, staff, async (req, res) => {
    await deleteActivity(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });

  router.get(SESSIONS, staff, async (req, res) => {
    const { locationId, from, to, ...page } = parse(sessionQuery, req.query, 'query');
    res.json(await listSessions(ctx, { locationId, from, to }, page));
  });
  router.post(SESSIONS, staff, async (req, res) => {
    res.status(201).json(await createSession(ctx, parse(createSessionBody, req.body)));
  });
  router.get(`${SESSIONS}/:id`, staff, async (req, res) => {
    res.json(await getSessionDetail(ctx, parse(idParams, req.params).id));
  });
  router.patch(`${SESSIONS}/:id`, staff, async (req, res) => {
    const { id } = parse(idParams, req.params);
    res.json(await updateSession(ctx, id, parse(sessionFields.partial(), req.body)));
  });
  router.delete(`${SESSIONS}/:id`, staff, async (req, res) => {
    await deleteSession(ctx, parse(idParams, req.params).id);
    res.status(204).end();
  });
  return router;
}
