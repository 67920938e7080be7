import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { AppError } from '../errors.js';

const RAW_BODY = Symbol('rawBody');
type WithRawBody = IncomingMessage & { [RAW_BODY]?: Buffer };

/**
 * The JSON parser's `verify` hook: keeps the exact bytes of webhook bodies, because remote systems
 * sign the raw body (re-serialising the parsed JSON would not give the same bytes back).
 */
export function keepRawBodyOfWebhooks(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (req.url?.startsWith('/api/v1/webhooks/')) (req as WithRawBody)[RAW_BODY] = buf;
}

/** The body as it arrived (webhook routes only). */
export function rawBodyOf(req: Request): Buffer {
  const raw = (req as unknown as WithRawBody)[RAW_BODY];
  if (!raw) throw AppError.badRequest('Send the webhook body as application/json', [{ path: '(body)', message: 'a JSON body is required' }]);
  return raw;
}
