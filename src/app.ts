import express, { type Express } from 'express';
import { accessRouter } from './access/routes.js';
import { authRouter } from './auth/routes.js';
import { bookingsRouter } from './bookings/routes.js';
import { classesRouter } from './classes/routes.js';
import { clientsRouter } from './clients/routes.js';
import type { AppContext } from './context.js';
import { doorsRouter } from './doors/routes.js';
import { healthRouter } from './health/routes.js';
import { identityTypesRouter } from './identities/routes.js';
import { integrationsRouter, webhooksRouter } from './integrations/routes.js';
import { integrationTypes } from './integrations/registry.js';
import { locationsRouter } from './locations/routes.js';
import { meRouter } from './me/routes.js';
import { httpMetrics } from './metrics/middleware.js';
import { metricsRouter } from './metrics/routes.js';
import { packagesRouter } from './packages/routes.js';
import { staffRouter } from './staff/routes.js';
import { errorHandler, notFoundHandler } from './http/problem.js';
import { OPENAPI_PATH, serveOpenApi } from './http/openapi.js';
import { keepRawBodyOfWebhooks } from './http/raw-body.js';
import { requestLogger } from './http/request-log.js';
import { webAppsRouter } from './web/static.js';

/** The HTTP app: each module's router declares its own full paths under /api/v1. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // hashing every JSON body costs ~2% of an API request and API clients do not send If-None-Match
  app.set('trust proxy', ctx.config.TRUST_PROXY);
  app.use(requestLogger(ctx.logger));
  app.use(httpMetrics(ctx.metrics));
  // APIs in a remote system's own shape, ahead of the JSON parser: each parses (and refuses) its own
  // bodies and answers every error under its base path, 404s included, in that system's shape.
  for (const { publicApi } of integrationTypes()) if (publicApi) app.use(publicApi.basePath, publicApi.router(ctx));
  app.use(express.json({ limit: '1mb', verify: keepRawBodyOfWebhooks }));
  for (const router of [
    healthRouter, webhooksRouter, metricsRouter, authRouter, staffRouter, meRouter, identityTypesRouter, locationsRouter, doorsRouter,
    clientsRouter, packagesRouter, classesRouter, bookingsRouter, accessRouter, integrationsRouter, webAppsRouter,
  ]) {
    app.use(router(ctx));
  }
  app.get(OPENAPI_PATH, serveOpenApi(app, 'v1'));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
