import { signedOut, tokenOf } from './session';

/**
 * A refused or failed call to clubcore's API, from its problem+json: `fieldErrors` maps each field
 * path of a 400 (`errors: [{path, message}]`) to its message, so forms show it next to the field.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const API = '/api/v1';

/** One call to clubcore's API (same origin) with the staff token; a 401 ends the session (it expired). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = tokenOf();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'clubcore cannot be reached: check the network and try again');
  }
  if (res.status === 204) return undefined as T;
  const answer = await res.json().catch(() => ({}));
  if (res.ok) return answer as T;
  if (res.status === 401 && token) signedOut();
  const fieldErrors: Record<string, string> = {};
  for (const e of (answer.errors ?? []) as { path: string; message: string }[]) fieldErrors[e.path] = fieldErrors[e.path] ? `${fieldErrors[e.path]}; ${e.message}` : e.message;
  throw new ApiError(res.status, answer.detail ?? res.statusText, fieldErrors);
}

/** A page of a list: the API's `{items, nextCursor}`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list path with `limit`, `cursor` and filters (empty ones left out). */
export function listPath(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** Every item of a list (for pickers: locations, activities, identity types), following the cursors. */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api<Page<T>>('GET', listPath(path, { limit: 500, cursor }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
