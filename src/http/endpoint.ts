import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { parse } from './validate.js';

/** What a route takes: each part validated by its zod schema before the handler runs. */
export interface InputSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export type ParsedInput<S extends InputSchemas> = { [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never };

/** A route handler that knows its input schemas: the OpenAPI document is generated from them (src/http/openapi.ts). */
export type Endpoint = RequestHandler & { readonly input: InputSchemas; readonly summary: string };

/**
 * The last handler of a route: parses path parameters, then the query, then the body (a 400
 * listing every invalid field of the first part that fails) and hands the handler typed values.
 * The same schemas describe the route in /api/v1/openapi.json, so the document cannot drift from
 * what the route accepts.
 */
export function endpoint<S extends InputSchemas>(summary: string, input: S, handle: (parsed: ParsedInput<S>, req: Request, res: Response) => Promise<unknown> | unknown): Endpoint {
  const handler: RequestHandler = async (req, res) => {
    const parsed: Record<string, unknown> = {};
    if (input.params) parsed.params = parse(input.params, req.params);
    if (input.query) parsed.query = parse(input.query, req.query, 'query');
    if (input.body) parsed.body = parse(input.body, req.body);
    await handle(parsed as ParsedInput<S>, req, res);
  };
  return Object.assign(handler, { input, summary });
}

export function isEndpoint(handler: unknown): handler is Endpoint {
  return typeof handler === 'function' && 'input' in handler && 'summary' in handler;
}
