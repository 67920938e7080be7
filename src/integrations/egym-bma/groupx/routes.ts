import { Router, type Request, type RequestHandler, type Response } from 'express';
import { sameSecret } from '../../../auth/same-secret.js';
import type { AppContext } from '../../../context.js';
import { activeIntegrationsKept } from '../../kept.js';
import { secretsOf } from '../../secrets.js';
import type { EgymBmaConfig, EgymBmaSecrets } from '../config.js';
import { GroupxError, groupxErrorHandler, methodNotAllowed, resourceNotFound } from './errors.js';
import {
  addAttendee,
  addToWaitlist,
  classDetails,
  exerciserSchedule,
  parseRange,
  removeAttendee,
  removeFromWaitlist,
  searchClassesJson,
  type GroupxCaller,
} from './service.js';

/** Where clubcore serves EGYM's canonical GroupX classes API. */
export const GROUPX_BASE_PATH = '/egym/groupx';

/**
 * The caller's credentials, per the meta options clubcore publishes (meta.ts): X-Client-ID and
 * X-Client-Secret always, X-Location-ID when the integration asks for it. Missing -> 400 naming
 * each header, invalid -> 401 with the access level. The secret is compared in constant time.
 */
function authenticate(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    const clientId = req.get('x-client-id');
    const clientSecret = req.get('x-client-secret');
    const missing: Record<string, string> = {};
    if (!clientId) missing['X-Client-ID'] = 'missing';
    if (!clientSecret) missing['X-Client-Secret'] = 'missing';
    // EGYM calls for every screen its users open: the integrations come from the kept copy (kept.ts).
    const serving = clientId
      ? (await activeIntegrationsKept(ctx, 'egym_bma')).find((s) => {
          const groupx = (s.integration.config as unknown as EgymBmaConfig).groupx;
          return !!groupx && sameSecret(clientId, groupx.clientId);
        })
      : undefined;
    const integration = serving?.integration;
    const wantsLocation = integration ? (integration.config as unknown as EgymBmaConfig).groupx!.locationHeader : false;
    const locationId = req.get('x-location-id');
    if (wantsLocation && !locationId) missing['X-Location-ID'] = 'missing';
    if (Object.keys(missing).length) throw GroupxError.badRequest(missing);
    if (!integration) throw GroupxError.unauthorized('X-Client-ID is invalid: use the client id shown by clubcore (GET /api/v1/admin/integrations/<id>/groupx-meta)', 'client');
    const expected = secretsOf(integration as { id: number; name: string; secrets: EgymBmaSecrets | null }).groupxClientSecret;
    if (!expected || !sameSecret(clientSecret!, expected)) {
      throw GroupxError.unauthorized('X-Client-Secret is invalid: use the secret the club set for this client id (secrets.groupxClientSecret of its EGYM app integration)', 'client');
    }
    let location = null;
    if (wantsLocation) {
      const found = serving!.locations.get(locationId!);
      if (!found) throw GroupxError.unauthorized(`X-Location-ID is invalid: '${locationId}' is not the EGYM location id of a location of this club`, 'location');
      location = { ...found, egymLocationId: locationId! };
    }
    res.locals.groupx = { integration, location } satisfies GroupxCaller;
    next();
  };
}

const callerOf = (res: Response) => res.locals.groupx as GroupxCaller;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** `exerciserId` and `classId` path parameters as EGYM sent them. */
const ids = (req: Request) => ({ classId: String(req.params.classId), exerciserId: String(req.params.exerciserId) });

/** clubcore has no spots: `spot` is refused as not supported (metaOption spotBookingEnabled is false). */
function refuseSpot(req: Request) {
  if (req.query.spot !== undefined) throw GroupxError.badRequest({ spot: 'notSupported' });
}

/** The routes of EGYM's contract, thin: parameters and credentials here, the rules in service.ts. */
export function groupxRouter(ctx: AppContext): Router {
  const router = Router();
  const auth = authenticate(ctx);

  router.get('/classes', auth, async (req, res) => {
    const locationId = text(req.query.locationId);
    const { from, to } = parseRange(req.query, locationId ? {} : { locationId: 'missing' });
    res.type('application/json').send(await searchClassesJson(ctx, callerOf(res), locationId!, from, to));
  });
  router.get('/classes/:classId', auth, async (req, res) => {
    const exerciserId = req.query.exerciserId;
    if (exerciserId !== undefined && typeof exerciserId !== 'string') throw GroupxError.badRequest({ exerciserId: 'wrongFormat' });
    res.json(await classDetails(ctx, callerOf(res), String(req.params.classId), exerciserId));
  });
  router.post('/classes/:classId/attendees/:exerciserId', auth, async (req, res) => {
    refuseSpot(req);
    const { classId, exerciserId } = ids(req);
    res.json(await addAttendee(ctx, callerOf(res), classId, exerciserId));
  });
  // Changing a booking's spot: metaOption spotBookingEnabled is false, so "endpoint not supported" as the contract says.
  router.put('/classes/:classId/attendees/:exerciserId', auth, () => {
    throw GroupxError.notSupported('Requested endpoint is not supported: clubcore has no spot booking (metaOption spotBookingEnabled is false)');
  });
  router.delete('/classes/:classId/attendees/:exerciserId', auth, async (req, res) => {
    const { classId, exerciserId } = ids(req);
    res.json(await removeAttendee(ctx, callerOf(res), classId, exerciserId));
  });
  router.post('/classes/:classId/waitlist/attendees/:exerciserId', auth, async (req, res) => {
    const { classId, exerciserId } = ids(req);
    res.json(await addToWaitlist(ctx, callerOf(res), classId, exerciserId));
  });
  router.delete('/classes/:classId/waitlist/attendees/:exerciserId', auth, async (req, res) => {
    const { classId, exerciserId } = ids(req);
    res.json(await removeFromWaitlist(ctx, callerOf(res), classId, exerciserId));
  });
  router.get('/exercisers/:exerciserId/schedule', auth, async (req, res) => {
    const { from, to } = parseRange(req.query);
    res.json(await exerciserSchedule(ctx, callerOf(res), String(req.params.exerciserId), from, to));
  });
  router.all(['/classes', '/classes/:classId', '/classes/:classId/attendees/:exerciserId', '/classes/:classId/waitlist/attendees/:exerciserId', '/exercisers/:exerciserId/schedule'], methodNotAllowed);
  router.use(resourceNotFound);
  router.use(groupxErrorHandler);
  return router;
}
