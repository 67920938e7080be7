import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { scrape } from './metrics.js';

function sameSecret(a: string, b: string): boolean {
  // Digests have equal lengths, so the comparison neither throws nor reveals the token's length.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

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
