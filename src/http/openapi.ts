import type { Express } from 'express';
import { z } from 'zod';
import { isGuard } from './auth.js';
import { endpoint, isEndpoint, type Endpoint } from './endpoint.js';

/*
 * The OpenAPI 3.1 document of /api/v1, generated from the app as it is mounted: every route the
 * routers declare, with the zod schemas its endpoint() validates (src/http/endpoint.ts) and the
 * roles its guard admits. Nothing is written beside the routes, so the document cannot drift.
 */

export const OPENAPI_PATH = '/api/v1/openapi.json';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle: { stack?: Layer[] };
  slash?: boolean;
}

/** One method of one mounted route, with its handlers in order. */
export interface MountedRoute {
  method: string;
  path: string;
  handlers: unknown[];
}

/** Every route mounted on the app at its root (routers mounted under a base path, like EGYM's GroupX API, are other systems' APIs). */
export function mountedRoutes(app: Express): MountedRoute[] {
  const found: MountedRoute[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const method of Object.keys(layer.route.methods)) {
            if (method !== '_all') found.push({ method, path, handlers: layer.route.stack.map((l) => l.handle) });
          }
        }
      } else if (layer.slash && Array.isArray(layer.handle.stack)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** Path or query parameters from an object schema (values as they are after coercion). */
function parameters(where: 'path' | 'query', schema: z.ZodType | undefined, names: string[]) {
  const object = schema ? jsonSchema(schema, 'output') : { properties: {}, required: [] };
  const properties = (object.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((object.required ?? []) as string[]);
  const keys = where === 'path' ? names : Object.keys(properties);
  return keys.map((name) => ({ name, in: where, required: where === 'path' || required.has(name), schema: properties[name] ?? { type: 'string' } }));
}

const PROBLEM = { $ref: '#/components/responses/Problem' };

function operation(route: MountedRoute, endpoint: Endpoint | undefined) {
  const guard = route.handlers.find(isGuard);
  const input = endpoint?.input ?? {};
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const responses: Record<string, unknown> = { '2XX': { description: 'Done; the body (if any) is JSON' } };
  if (input.params || input.query || input.body) responses['400'] = PROBLEM;
  if (guard) Object.assign(responses, { '401': PROBLEM, '403': PROBLEM });
  responses.default = PROBLEM;
  return {
    operationId: `${route.method}${route.path.replace(/[/:{}-]+(\w?)/g, (_, c: string) => c.toUpperCase())}`,
    summary: endpoint?.summary ?? '',
    tags: [route.path.split('/')[3] === 'admin' ? `admin/${route.path.split('/')[4]}` : route.path.split('/')[3]!],
    ...(guard ? { security: [{ bearer: [] }], 'x-access': guard.access } : {}),
    parameters: [...parameters('path', input.params, pathNames), ...(input.query ? parameters('query', input.query, []) : [])],
    ...(input.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(input.body, 'input') } } } } : {}),
    responses,
  };
}

export function openApiDocument(app: Express, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of mountedRoutes(app).filter((r) => r.path.startsWith('/api/v1/'))) {
    const openApiPath = route.path.replace(/:(\w+)/g, '{$1}');
    (paths[openApiPath] ??= {})[route.method] = operation(route, route.handlers.find(isEndpoint));
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: { title: 'clubcore API', version, description: 'Generated from the mounted routes and the zod schemas that validate their input.' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A staff or member token from POST /api/v1/staff/login, /auth/login or /auth/egym' } },
      responses: {
        Problem: {
          description: 'application/problem+json',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                required: ['type', 'title', 'status'],
                properties: {
                  type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' },
                  errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    },
  };
}

/** GET /api/v1/openapi.json: built once, on the first request (every router is mounted by then). */
export function serveOpenApi(app: Express, version: string): Endpoint {
  let document: string | null = null;
  return endpoint('This document: the OpenAPI 3.1 description of /api/v1', {}, (_input, _req, res) => {
    document ??= JSON.stringify(openApiDocument(app, version));
    res.type('application/json').send(document);
  });
}
