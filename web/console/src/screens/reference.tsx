import { ErrorNotice, useLoad } from '../ui';

/*
 * The API reference: clubcore's own OpenAPI document (GET /api/v1/openapi.json, generated from the
 * routes and the schemas that validate them), read as a page: operations by tag, who may call
 * each, its parameters and the fields of its JSON body.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

interface Operation {
  summary: string;
  tags: string[];
  'x-access'?: { kind: 'staff'; roles: string[] } | { kind: 'member' };
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** A schema in a few words: its type (or the values it takes) and its bounds. */
function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  const bounds = [schema.format, schema.minimum !== undefined && `≥ ${schema.minimum}`, schema.maximum !== undefined && `≤ ${schema.maximum}`, schema.maxLength !== undefined && `≤ ${schema.maxLength} chars`].filter(Boolean);
  const items = schema.type === 'array' && schema.items ? ` of ${typeOf(schema.items)}` : '';
  return `${type}${items}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
}

const accessOf = (op: Operation) =>
  !op['x-access'] ? 'anyone' : op['x-access'].kind === 'member' ? 'a signed-in member' : op['x-access'].roles.length ? `staff: ${op['x-access'].roles.join(' or ')}` : 'any staff';

function Fields({ caption, rows }: { caption: string; rows: { name: string; required: boolean; schema: JsonSchema }[] }) {
  if (!rows.length) return null;
  return (
    <table class="api-fields">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td>
              <code>{r.name}</code>
            </td>
            <td>{typeOf(r.schema)}</td>
            <td>{r.required ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const body = op.requestBody?.content['application/json'].schema;
  const bodyRows = Object.entries(body?.properties ?? {}).map(([name, schema]) => ({ name, schema, required: body?.required?.includes(name) ?? false }));
  return (
    <details class="operation">
      <summary>
        <code class={`method ${method}`}>{method.toUpperCase()}</code> <code>{path}</code> {op.summary}
      </summary>
      <p>Who may call it: {accessOf(op)}.</p>
      <Fields caption="Path parameters" rows={op.parameters.filter((p) => p.in === 'path')} />
      <Fields caption="Query parameters" rows={op.parameters.filter((p) => p.in === 'query')} />
      <Fields caption="JSON body" rows={bodyRows} />
    </details>
  );
}

export function ReferenceScreen() {
  // The document is public (no token): a plain fetch.
  const { data, error } = useLoad(() => fetch('/api/v1/openapi.json').then((r) => r.json() as Promise<Document>), []);
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, methods] of Object.entries(data?.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  }
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">API reference</h1>
      <p>
        clubcore’s HTTP API, generated from the routes and the schemas that check their input: every route is here. Errors are
        problem+json (a 400 lists each invalid field). Machine-readable: <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1).
      </p>
      <ErrorNotice error={error} />
      {[...byTag].sort(([a], [b]) => a.localeCompare(b)).map(([tag, ops]) => (
        <section key={tag} aria-label={tag}>
          <h2>{tag}</h2>
          {ops.map((o) => (
            <OperationView key={`${o.method} ${o.path}`} {...o} />
          ))}
        </section>
      ))}
    </section>
  );
}
