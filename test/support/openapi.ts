/**
 * Checks HTTP exchanges against an OpenAPI contract (3.1, or 3.0 without `nullable`): the
 * operation for a method and path, its parameters, security, request body and declared
 * responses. Schemas are checked by Ajv's JSON Schema 2020-12 validator (OpenAPI 3.1's dialect),
 * with the whole document registered so that `$ref`s into it resolve. Each check answers its
 * violations, one line each; none means the exchange keeps to the contract.
 *
 * Paths are the contract's paths (relative to its server URL), without the query string.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type HeaderValue = string | string[] | number | undefined;

export interface ContractRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | undefined>;
  headers?: Record<string, HeaderValue>;
  /** The parsed JSON body, or undefined when the request has none. */
  body?: unknown;
}

export interface ContractResponse {
  method: string;
  path: string;
  status: number;
  headers?: Record<string, HeaderValue>;
  /** The parsed JSON body, or undefined when the response has none. */
  body?: unknown;
}

export interface Contract {
  checkRequest(request: ContractRequest): string[];
  checkResponse(response: ContractResponse): string[];
}

type Json = Record<string, any>;

interface Operation {
  template: string;
  method: string;
  /** JSON pointer of the operation object in the document. */
  pointer: string;
  op: Json;
  /** Path-level parameters overridden by the operation's own, `$ref`s resolved. */
  parameters: { param: Json; pointer: string }[];
}

/** OpenAPI's words inside schemas that are annotations to a JSON Schema validator. */
const OAS_SCHEMA_ANNOTATIONS = ['example', 'discriminator', 'xml', 'externalDocs'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Header parameters with these names are ignored (OpenAPI: they are described elsewhere). */
const RESERVED_HEADERS = ['accept', 'content-type', 'authorization'];

const escapePointer = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');
const unescapePointer = (token: string) => token.replaceAll('~1', '/').replaceAll('~0', '~');

export function loadContract(file: string): Contract {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const base = `contract:${file}`;
  // Bodies are checked as they are; parameters arrive as text, so their checker coerces
  // ("12" to 12, one value to a list when the schema wants an array).
  const bodies = validatorFor(doc, base, false);
  const params = validatorFor(doc, base, 'array');

  /** Follows `$ref`s between objects of the document (parameters, responses, request bodies). */
  function resolve(value: Json, pointer: string): { value: Json; pointer: string } {
    for (let hops = 0; typeof value?.$ref === 'string'; hops++) {
      if (hops > 20 || !value.$ref.startsWith('#/')) throw new Error(`${file}: cannot follow $ref ${value.$ref} at ${pointer}`);
      pointer = value.$ref.slice(1);
      value = pointer.split('/').slice(1).map(unescapePointer).reduce((node: Json, key) => node?.[key], doc);
    }
    return { value, pointer };
  }

  const operations: Operation[] = [];
  for (const [template, item] of Object.entries((doc.paths ?? {}) as Json)) {
    const itemPointer = `/paths/${escapePointer(template)}`;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const pointer = `${itemPointer}/${method}`;
      const byKey = new Map<string, { param: Json; pointer: string }>();
      const collect = (list: Json[] | undefined, at: string) =>
        (list ?? []).forEach((p, i) => {
          const { value, pointer } = resolve(p, `${at}/parameters/${i}`);
          byKey.set(`${value.in} ${value.in === 'header' ? value.name.toLowerCase() : value.name}`, { param: value, pointer });
        });
      collect(item.parameters, itemPointer);
      collect(op.parameters, pointer);
      operations.push({ template, method, pointer, op, parameters: [...byKey.values()] });
    }
  }
  const routes = routeTable(operations.map((o) => o.template));

  /** The operation for a request: concrete path segments win over templated ones, left to right. */
  function find(method: string, path: string): { operation: Operation; pathParams: Record<string, string> } | string {
    const matched = routes.match(path);
    if (!matched.length) return `${method.toUpperCase()} ${path}: no path of the contract matches`;
    for (const { template, pathParams } of matched) {
      const operation = operations.find((o) => o.template === template && o.method === method.toLowerCase());
      if (operation) return { operation, pathParams };
    }
    const allowed = operations.filter((o) => o.template === matched[0]!.template).map((o) => o.method.toUpperCase());
    return `${method.toUpperCase()} ${path}: ${matched[0]!.template} declares no ${method.toUpperCase()} (only ${allowed.join(', ')})`;
  }

  function checkRequest(req: ContractRequest): string[] {
    const found = find(req.method, req.path);
    if (typeof found === 'string') return [found];
    const { operation, pathParams } = found;
    const at = `${req.method.toUpperCase()} ${req.path}`;
    const headers = lowerCased(req.headers);
    const query = req.query ?? {};
    const violations: string[] = [];

    const securityQueryNames = new Set<string>();
    const security = checkSecurity(operation, headers, query, securityQueryNames);
    if (security) violations.push(`${at}: ${security}`);

    const cookies = parseCookies(headers.cookie);
    const declaredQuery = new Set(securityQueryNames);
    for (const { param, pointer } of operation.parameters) {
      if (param.in === 'header' && RESERVED_HEADERS.includes(param.name.toLowerCase())) continue;
      if (param.in === 'query') declaredQuery.add(param.name);
      const value =
        param.in === 'path' ? pathParams[param.name]
        : param.in === 'query' ? query[param.name]
        : param.in === 'header' ? headers[param.name.toLowerCase()]
        : cookies[param.name];
      const label = `${param.in} parameter ${param.name}`;
      if (value === undefined) {
        if (param.required) violations.push(`${at}: ${label} is required`);
        continue;
      }
      if (param.schema) violations.push(...schemaViolations(params.at(`${pointer}/schema`), copyOf(value), `${at}: ${label}`));
      else if (param.content) violations.push(...jsonParameterViolations(param, pointer, value, `${at}: ${label}`));
    }
    for (const name of Object.keys(query)) {
      if (query[name] !== undefined && !declaredQuery.has(name)) violations.push(`${at}: query parameter ${name} is not declared`);
    }

    const { value: requestBody, pointer: bodyPointer } = resolve(operation.op.requestBody ?? {}, `${operation.pointer}/requestBody`);
    if (req.body === undefined) {
      if (requestBody.required) violations.push(`${at}: a request body is required`);
    } else if (!requestBody.content) {
      violations.push(`${at}: the operation takes no request body`);
    } else {
      violations.push(...bodyViolations(requestBody.content, `${bodyPointer}/content`, headers['content-type'], req.body, `${at}: request body`));
    }
    return violations;
  }

  function checkResponse(res: ContractResponse): string[] {
    const found = find(res.method, res.path);
    if (typeof found === 'string') return [found];
    const { operation } = found;
    const at = `${res.method.toUpperCase()} ${res.path} -> ${res.status}`;
    const responses = (operation.op.responses ?? {}) as Json;
    const key = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) return [`${at}: status ${res.status} is not declared (declared: ${Object.keys(responses).join(', ')})`];
    const { value: response, pointer } = resolve(responses[key], `${operation.pointer}/responses/${escapePointer(key)}`);
    const headers = lowerCased(res.headers);
    const violations: string[] = [];
    for (const [name, declared] of Object.entries((response.headers ?? {}) as Json)) {
      if (name.toLowerCase() === 'content-type') continue;
      const { value: header, pointer: headerPointer } = resolve(declared, `${pointer}/headers/${escapePointer(name)}`);
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) violations.push(`${at}: header ${name} is required`);
      } else if (header.schema) {
        violations.push(...schemaViolations(params.at(`${headerPointer}/schema`), copyOf(value), `${at}: header ${name}`));
      }
    }
    if (res.body === undefined) {
      if (Object.values((response.content ?? {}) as Json).some((media) => media.schema)) violations.push(`${at}: a response body is declared (${Object.keys(response.content).join(', ')}) but none came`);
    } else if (!response.content) {
      violations.push(`${at}: the response declares no body`);
    } else {
      violations.push(...bodyViolations(response.content, `${pointer}/content`, headers['content-type'], res.body, `${at}: body`));
    }
    return violations;
  }

  /** Null when one of the operation's security requirements is met (all its schemes present), else what is missing. */
  function checkSecurity(operation: Operation, headers: Record<string, string | string[]>, query: NonNullable<ContractRequest['query']>, queryNames: Set<string>): string | null {
    const requirements = (operation.op.security ?? doc.security ?? []) as Json[];
    const schemes = (doc.components?.securitySchemes ?? {}) as Json;
    const present = (name: string): { what: string; met: boolean } => {
      const { value: scheme } = resolve(schemes[name] ?? {}, `/components/securitySchemes/${escapePointer(name)}`);
      if (scheme.type === 'apiKey') {
        if (scheme.in === 'query') queryNames.add(scheme.name);
        const value = scheme.in === 'header' ? headers[String(scheme.name).toLowerCase()] : scheme.in === 'query' ? query[scheme.name] : parseCookies(headers.cookie)[scheme.name];
        return { what: `${scheme.in} ${scheme.name}`, met: value !== undefined };
      }
      if (scheme.type === 'http' || scheme.type === 'oauth2' || scheme.type === 'openIdConnect') {
        const wanted = scheme.type === 'http' ? String(scheme.scheme) : 'bearer';
        return { what: `Authorization: ${wanted}`, met: String(headers.authorization ?? '').toLowerCase().startsWith(`${wanted.toLowerCase()} `) };
      }
      return { what: name, met: true }; // mutualTLS: not visible in an exchange
    };
    const checked = requirements.map((requirement) => Object.keys(requirement).map(present));
    if (!checked.length || checked.some((schemes) => schemes.every((s) => s.met))) return null;
    return `no credentials for the security requirement: ${checked.map((schemes) => schemes.map((s) => s.what).join(' and ')).join(' or ')}`;
  }

  /** Checks a body against the media type of `content` its content type names. */
  function bodyViolations(content: Json, contentPointer: string, contentType: string | string[] | undefined, body: unknown, label: string): string[] {
    if (contentType === undefined) return [`${label}: no content-type header`];
    const type = String(contentType).split(';')[0]!.trim().toLowerCase();
    const [major] = type.split('/');
    const media = [type, `${major}/*`, '*/*'].find((candidate) => Object.keys(content).some((k) => k.toLowerCase() === candidate));
    if (!media) return [`${label}: content type ${type} is not declared (declared: ${Object.keys(content).join(', ')})`];
    const declared = Object.keys(content).find((k) => k.toLowerCase() === media)!;
    if (!content[declared].schema || !isJson(type)) return [];
    return schemaViolations(bodies.at(`${contentPointer}/${escapePointer(declared)}/schema`), body, label);
  }

  /** A parameter described by `content` (a JSON value in a query string or header). */
  function jsonParameterViolations(param: Json, pointer: string, value: string | string[], label: string): string[] {
    const [media] = Object.keys(param.content);
    if (!media || !isJson(media)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(Array.isArray(value) ? value[0]! : value);
    } catch {
      return [`${label}: is not JSON`];
    }
    return schemaViolations(bodies.at(`${pointer}/content/${escapePointer(media)}/schema`), parsed, label);
  }

  return { checkRequest, checkResponse };
}

/**
 * Ajv with the document registered under `base`: every schema in it is compiled on first use by
 * its JSON pointer, so `#/components/...` refs inside it resolve against the whole document.
 */
function validatorFor(doc: Json, base: string, coerceTypes: false | 'array') {
  const ajv = new Ajv2020({ allErrors: true, coerceTypes, strictTypes: false, strictTuples: false });
  addFormats.default(ajv);
  // The document's own members (openapi, info, paths, ...) are not schema keywords.
  ajv.addVocabulary([...OAS_SCHEMA_ANNOTATIONS, ...Object.keys(doc).filter((k) => !OAS_SCHEMA_ANNOTATIONS.includes(k))]);
  ajv.addSchema(doc, base);
  return {
    at(pointer: string): ValidateFunction {
      const validate = ajv.getSchema(`${base}#${pointer}`);
      if (!validate) throw new Error(`${base}: no schema at ${pointer}`);
      return validate;
    },
  };
}

function schemaViolations(validate: ValidateFunction, value: unknown, label: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => {
    const detail = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : e.keyword === 'enum' ? ` (${JSON.stringify(e.params.allowedValues)})` : '';
    return `${label}${e.instancePath} ${e.message}${detail}`;
  });
}

function isJson(mediaType: string): boolean {
  return /^application\/(.+\+)?json$/i.test(mediaType.split(';')[0]!.trim());
}

/** Parameter values are coerced in place: the caller's objects stay as they were. */
function copyOf(value: HeaderValue): string | string[] {
  return Array.isArray(value) ? [...value] : String(value);
}

function lowerCased(headers: Record<string, HeaderValue> | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = typeof v === 'number' ? String(v) : v;
  return out;
}

function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Matches request paths to path templates. A template segment is literal text with `{name}`
 * parts; among templates matching a path, one whose first differing segment is literal comes first
 * (OpenAPI: concrete paths are matched before templated ones).
 */
function routeTable(templates: string[]) {
  const compiled = templates.map((template) => {
    const names: string[] = [];
    const segments = template.split('/').map((segment) => {
      const pattern = segment.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^/]+)';
      });
      return { literal: !segment.includes('{'), pattern };
    });
    return { template, names, segments, regex: new RegExp(`^${segments.map((s) => s.pattern).join('/')}$`) };
  });
  const specificity = (a: (typeof compiled)[number], b: (typeof compiled)[number]) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
      if (a.segments[i]!.literal !== b.segments[i]!.literal) return a.segments[i]!.literal ? -1 : 1;
    }
    return a.names.length - b.names.length;
  };
  return {
    match(path: string): { template: string; pathParams: Record<string, string> }[] {
      return compiled
        .filter((c) => c.regex.test(path))
        .sort(specificity)
        .map((c) => {
          const values = c.regex.exec(path)!.slice(1);
          return { template: c.template, pathParams: Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(values[i]!)])) };
        });
    },
  };
}
