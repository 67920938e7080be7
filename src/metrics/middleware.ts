import type { RequestHandler } from 'express';
import type { Histogram } from 'prom-client';
import type { Metrics } from './metrics.js';

type Series = ReturnType<Histogram<'method' | 'route' | 'status'>['labels']>;

/**
 * Times every request and labels it with the pattern of the route that matched, never the URL,
 * so ids and tokens in paths cannot become label values (nor an unbounded number of series).
 * Each series is looked up once and kept: prom-client hashes and checks the labels on every call
 * otherwise, which was most of this middleware's cost on a fast route.
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  const seriesByKey = new Map<string, Series>();
  return (req, res, next) => {
    const startedAt = process.hrtime.bigint();
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const key = `${req.method} ${route} ${res.statusCode}`;
      let series = seriesByKey.get(key);
      if (!series) seriesByKey.set(key, (series = metrics.httpRequestDuration.labels(req.method, route, String(res.statusCode))));
      series.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
    });
    next();
  };
}
