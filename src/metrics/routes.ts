import { Router } from 'express';
import { sameSecret } from '../auth/same-secret.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { scrape } from './metrics.js';

function assertScrapeAllowed(token: string | undefined, authorization: string | undefined): void {
  if (!token) {
    throw AppError.notFound('Metrics are off: set METRICS_TOKEN (at least 16 characters) and scrape /metrics with "Authorization: Bearer <METRICS_TOKEN>"');
  }
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!presented || !sameSecret(presented, token)) {
    throw AppError.unauthorized('Send "Authorization: Bearer <METRICS_TOKEN>" to read the metrics');
  }
}

/** Prometheus metrics, readable with the METRICS_TOKEN bearer token. */
export function metricsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    assertScrapeAllowed(ctx.config.METRICS_TOKEN, req.headers.authorization);
    res.type(ctx.metrics.registry.contentType).send(await scrape(ctx));
  });
  return router;
}
