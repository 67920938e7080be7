import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';

/*
 * What the sandboxes record of each request to their real API and what they answered: their
 * control APIs list the requests, and tests check every exchange against the remote system's
 * published contract (test/support/openapi.ts).
 */

export interface ExchangeRequest {
  method: string;
  /** As sent, percent-encoding kept, without the query. */
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export interface Exchange {
  request: ExchangeRequest;
  response: { status: number; headers: OutgoingHttpHeaders; body: unknown };
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

/**
 * Middleware handing each request, once answered (faulted ones too), to `answered` with the time it
 * arrived (by `now`), as an exchange: the request as sent and the JSON answered.
 */
export function exchangeLog(now: () => number, answered: (exchange: Exchange, at: number, req: Request, res: Response) => void): RequestHandler {
  return (req, res, next) => {
    const at = now();
    const url = new URL(req.originalUrl, 'http://sandbox');
    let body: unknown;
    const json = res.json.bind(res);
    res.json = (b: unknown) => {
      body = b;
      return json(b);
    };
    res.on('finish', () => {
      const request: ExchangeRequest = { method: req.method, path: url.pathname, query: queryOf(url.searchParams), headers: req.headers, body: req.body };
      answered({ request, response: { status: res.statusCode, headers: res.getHeaders(), body } }, at, req, res);
    });
    next();
  };
}
