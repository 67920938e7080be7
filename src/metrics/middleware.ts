import type { RequestHandler } from 'express';
import type { Metrics } from './metrics.js';

/**
 * Times every request and labels it with the pattern of the route that matched, never the URL,
 * so ids and tokens in paths cannot become label values (nor an unbounded number of series).
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
