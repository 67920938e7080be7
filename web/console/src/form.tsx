import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { ApiError } from './api';

/*
 * The one form of the console: fields described by specs (screens list them; integrations derive
 * them from their type's JSON Schema), values in the inputs' own terms, the request body built by
 * the specs' dotted names ("config.syncMembers.everyMinutes"), and a 400's field errors shown
 * next to the field whose name is the error's path or its nearest parent.
 */

export interface Option {
  value: string | number;
  label: string;
}

export interface FieldSpec {
  /** The dotted path of the value in the request body (and in the item edited). */
  name: string;
  label: string;
  type?: 'text' | 'number' | 'checkbox' | 'select' | 'choices' | 'password' | 'datetime' | 'json' | 'url' | 'email';
  /** For select (one) and choices (any number, as checkboxes). */
  options?: Option[];
  required?: boolean;
  hint?: string;
  /** What an empty input sends: nothing (default: the field is left out) or null (clears it). */
  empty?: 'omit' | 'null';
}

type Value = string | boolean | string[];
export type Values = Record<string, Value>;
export type Body = Record<string, unknown>;

const valueAt = (item: unknown, path: string): unknown => path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | null | undefined)?.[key], item);

function setAt(body: Body, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = body;
  for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Body;
  at[keys[keys.length - 1]!] = value;
}

/** A date-time as the datetime-local input shows it: the browser's local time, to the minute. */
function localInput(iso: string): string {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The inputs' values for an item (or a prefill): strings for text inputs, booleans for checkboxes. */
export function valuesOf(fields: FieldSpec[], item: unknown): Values {
  return Object.fromEntries(
    fields.map((f) => {
      const v = valueAt(item, f.name);
      if (f.type === 'checkbox') return [f.name, v === true || v === 'true'];
      if (f.type === 'choices') return [f.name, Array.isArray(v) ? v.map(String) : []];
      if (v === null || v === undefined) return [f.name, ''];
      if (f.type === 'json') return [f.name, typeof v === 'string' ? v : JSON.stringify(v, null, 2)];
      if (f.type === 'datetime') return [f.name, localInput(String(v))];
      return [f.name, String(v)];
    }),
  );
}

const optionValue = (f: FieldSpec, text: string) => f.options?.find((o) => String(o.value) === text)?.value ?? text;

/** The request body from the inputs, or the fields whose text cannot be what they ask for. */
function bodyOf(fields: FieldSpec[], values: Values): { body: Body; errors: Record<string, string> } {
  const body: Body = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.name];
    if (f.type === 'checkbox') {
      setAt(body, f.name, raw === true);
      continue;
    }
    if (f.type === 'choices') {
      setAt(body, f.name, (raw as string[]).map((v) => optionValue(f, v)));
      continue;
    }
    const text = String(raw ?? '').trim();
    if (text === '') {
      if (f.empty === 'null') setAt(body, f.name, null);
      continue;
    }
    if (f.type === 'number') {
      const n = Number(text);
      if (Number.isFinite(n)) setAt(body, f.name, n);
      else errors[f.name] = 'must be a number';
    } else if (f.type === 'datetime') {
      setAt(body, f.name, new Date(text).toISOString());
    } else if (f.type === 'json') {
      try {
        setAt(body, f.name, JSON.parse(text));
      } catch {
        errors[f.name] = 'must be JSON';
      }
    } else if (f.type === 'select') {
      setAt(body, f.name, optionValue(f, text));
    } else {
      setAt(body, f.name, f.type === 'password' ? String(raw) : text);
    }
  }
  return { body, errors };
}

/** The field an error path belongs to: the field of that name, else the nearest parent field ("activityIds" for "activityIds.2"). */
function fieldFor(fields: FieldSpec[], path: string): string | null {
  let best: string | null = null;
  for (const { name } of fields) if ((path === name || path.startsWith(`${name}.`)) && name.length > (best?.length ?? -1)) best = name;
  return best;
}

export function Form(props: {
  fields: FieldSpec[];
  /** The item edited or a prefill: values at the fields' names. */
  initial?: unknown;
  submitLabel: string;
  onSubmit(body: Body): Promise<unknown>;
  onCancel?(): void;
  /** Shown above the fields (a form's title is the heading before it). */
  children?: ComponentChildren;
}) {
  const { fields } = props;
  const id = useId();
  const [values, setValues] = useState(() => valuesOf(fields, props.initial ?? {}));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: Value) => setValues((v) => ({ ...v, [name]: value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    const built = bodyOf(fields, values);
    setErrors(built.errors);
    setProblem(Object.keys(built.errors).length ? 'Some fields need another look.' : null);
    if (Object.keys(built.errors).length) return;
    setBusy(true);
    try {
      await props.onSubmit(built.body);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const byField: Record<string, string> = {};
      const unplaced: string[] = [];
      for (const [path, message] of Object.entries(err.fieldErrors)) {
        const field = fieldFor(fields, path);
        if (field) byField[field] = byField[field] ? `${byField[field]}; ${message}` : path === field ? message : `${path.slice(field.length + 1)}: ${message}`;
        else unplaced.push(`${path}: ${message}`);
      }
      setErrors(byField);
      setProblem([err.message, ...unplaced].join(' — '));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={submit} noValidate>
      {props.children}
      {problem && (
        <p class="notice error" role="alert">
          {problem}
        </p>
      )}
      <div class="fields">
        {fields.map((f) => (
          <Field key={f.name} id={`${id}-${f.name}`} spec={f} value={values[f.name]!} error={errors[f.name]} onChange={(v) => set(f.name, v)} />
        ))}
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function Field({ id, spec, value, error, onChange }: { id: string; spec: FieldSpec; value: Value; error?: string; onChange(v: Value): void }) {
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-describedby': described, 'aria-invalid': error ? true : undefined, required: spec.required };
  const notes = (
    <>
      {spec.hint && (
        <small id={hintId} class="hint">
          {spec.hint}
        </small>
      )}
      {error && (
        <small id={errorId} class="field-error">
          {error}
        </small>
      )}
    </>
  );
  if (spec.type === 'checkbox') {
    return (
      <div class="field check">
        <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
        <label for={id}>{spec.label}</label>
        {notes}
      </div>
    );
  }
  if (spec.type === 'choices') {
    const chosen = value as string[];
    return (
      <fieldset class="field choices" aria-describedby={described} aria-invalid={error ? true : undefined}>
        <legend>{spec.label}</legend>
        {(spec.options ?? []).map((o) => (
          <label key={o.value} class="choice">
            <input
              type="checkbox"
              checked={chosen.includes(String(o.value))}
              onChange={(e) => onChange(e.currentTarget.checked ? [...chosen, String(o.value)] : chosen.filter((c) => c !== String(o.value)))}
            />
            {o.label}
          </label>
        ))}
        {!spec.options?.length && <span class="hint">None yet</span>}
        {notes}
      </fieldset>
    );
  }
  const text = value as string;
  const input = (e: Event) => onChange((e.currentTarget as HTMLInputElement).value);
  return (
    <div class="field">
      <label for={id}>{spec.label}</label>
      {spec.type === 'select' ? (
        <select {...common} value={text} onChange={input}>
          <option value="">{spec.required ? 'Choose…' : '(none)'}</option>
          {(spec.options ?? []).map((o) => (
            <option key={o.value} value={String(o.value)}>
              {o.label}
            </option>
          ))}
        </select>
      ) : spec.type === 'json' ? (
        <textarea {...common} rows={4} value={text} onInput={input} />
      ) : (
        <input
          {...common}
          // numbers as text: the browser would drop what is not a number instead of letting clubcore say so
          type={(spec.type === 'datetime' ? 'datetime-local' : spec.type === 'number' ? 'text' : (spec.type ?? 'text')) as 'text'}
          inputMode={spec.type === 'number' ? 'numeric' : undefined}
          autoComplete={spec.type === 'password' ? 'new-password' : 'off'}
          value={text}
          onInput={input}
        />
      )}
      {notes}
    </div>
  );
}
