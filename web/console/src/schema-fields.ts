import type { FieldSpec, Option } from './form';

/** The part of JSON Schema that z.toJSONSchema writes for integration configs. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
}

/** Fisikal's guide names some options itself; managers look for those words. */
const GUIDE_NAMES: Record<string, string> = { syncMembers: 'Sync Member Data', syncSwipes: 'Sync Swipes', everyMinutes: 'Every (minutes)' };

/** "syncMembers" -> "Sync Member Data" (the guide's), "baseUrl" -> "Base URL". */
export function humanize(key: string): string {
  if (GUIDE_NAMES[key]) return GUIDE_NAMES[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase().replace(/\b(url|id|api|uuid|jwks|pem|hs256)\b/g, (w) => w.toUpperCase());
  return words[0]!.toUpperCase() + words.slice(1);
}

function describe(schema: JsonSchema, required: boolean): string | undefined {
  const notes = [schema.description];
  if (schema.default !== undefined && typeof schema.default !== 'object') notes.push(`default ${String(schema.default)}`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) notes.push(`${schema.minimum}–${schema.maximum}`);
  if (!required && schema.default === undefined) notes.push('optional');
  return notes.filter(Boolean).join(', ') || undefined;
}

/**
 * Form fields for an object schema, one per leaf (nested objects flattened to dotted names, their
 * labels joined with ": "). Integer fields named "...identityTypeId" pick among the identity types;
 * what a form cannot show field by field (unions, maps) is one JSON field. `secret`: password inputs
 * left empty to keep the stored value.
 */
export function fieldsFromSchema(schema: JsonSchema, prefix: string, opts: { identityTypes: Option[]; secret?: boolean; editing?: boolean }, labelPrefix = ''): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([key, prop]): FieldSpec[] => {
    const name = `${prefix}.${key}`;
    const label = labelPrefix ? `${labelPrefix}: ${humanize(key).toLowerCase()}` : humanize(key);
    const isRequired = required.has(key) && !opts.editing;
    const hint = describe(prop, required.has(key));
    if (opts.secret) return [{ name, label, type: 'password', required: isRequired, hint: opts.editing ? 'Set: leave empty to keep it' : hint }];
    if (prop.type === 'object' && prop.properties && !prop.additionalProperties) return fieldsFromSchema(prop, name, opts, label);
    if (prop.type === 'boolean') return [{ name, label, type: 'checkbox', hint }];
    if (prop.enum) return [{ name, label, type: 'select', required: isRequired, hint, options: prop.enum.map((v) => ({ value: v as string, label: String(v) })) }];
    if (prop.type === 'integer' && /identityTypeId$/i.test(key)) return [{ name, label: label.replace(/ ID$/, ''), type: 'select', required: isRequired, hint, options: opts.identityTypes }];
    if (prop.type === 'integer' || prop.type === 'number') return [{ name, label, type: 'number', required: isRequired, hint }];
    if (prop.type === 'string') return [{ name, label, type: prop.format === 'uri' ? 'url' : 'text', required: isRequired, hint }];
    return [{ name, label, type: 'json', required: isRequired, hint: `JSON${hint ? `; ${hint}` : ''}` }];
  });
}

/** The defaults an object schema declares, as a nested value (a new integration's form starts with them). */
export function defaultsFromSchema(schema: JsonSchema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).flatMap(([key, prop]) => {
      if (prop.type === 'object' && prop.properties) return [[key, { ...(prop.default as object), ...defaultsFromSchema(prop) }]];
      return prop.default === undefined ? [] : [[key, prop.default]];
    }),
  );
}
