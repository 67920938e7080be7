import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.js';
import type { Principal } from './auth.js';

// Query parameters that carry credentials (the Perfect Gym webhook token travels in the URL).
const SECRET_PARAMS = /^(token|access_token|api_?key|key|secret|client_secret|password|signature|sig|code)$/i;

/** The URL with the value of every credential-carrying query parameter replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAMS.test(safeDecode(name)) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function userOf(res: ServerResponse): string | undefined {
  const principal = (res as Response).locals?.principal as Principal | undefined;
  if (!principal) return undefined;
  return principal.kind === 'staff' ? `staff:${principal.staffId}` : `client:${principal.clientId}`;
}

function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * One short line per request: method, path (credentials redacted), status, time, request id and
 * who made it. Headers stay out: they made a line ~700 characters and can carry secrets.
 * When request lines are not written (a level above info), no per-request logger is built either:
 * pino-http's child logger and serializers were 20% of a class-list request's CPU at LOG_LEVEL=warn.
 */
export function requestLogger(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) {
    return (req, res, next) => {
      req.id = requestIdOf(req, res);
      req.log = logger;
      next();
    };
  }
  return pinoHttp({
    logger,
    genReqId: requestIdOf,
    autoLogging: { ignore: (req) => req.url === '/healthz' },
    serializers: {
      // pino-http hands in pino's standard request summary, whose url is express's originalUrl.
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customProps: (_req, res) => {
      const user = userOf(res);
      return user ? { user } : {};
    },
  });
}
