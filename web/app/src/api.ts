/** A refused or failed call to clubcore's API: its problem+json, or status 0 when the network failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
    /** From Retry-After on 429 and 503. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail);
  }
}

const API = '/api/v1';

/** One call to clubcore's API (same origin); JSON in and out, every failure an ApiError. */
export async function callApi<T>(method: string, path: string, opts: { token?: string | null; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch {
    throw new ApiError(0, undefined, 'network');
  }
  if (res.status === 204) return undefined as T;
  const body = await res.json().catch(() => ({}));
  if (res.ok) return body as T;
  const retryAfter = Number(res.headers.get('retry-after'));
  throw new ApiError(res.status, body.code, body.detail ?? res.statusText, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

// The shapes this app reads of clubcore's answers (src/me/routes.ts, src/auth/routes.ts).

export interface Location {
  id: number;
  name: string;
  timezone: string;
}

export interface SignedIn {
  token: string;
  expiresAt: string;
  client: { id: number; firstName: string; homeLocationId: number | null };
  /** Only from /auth/egym: the home location, else the one the EGYM app was opened at. */
  homeLocation?: Location | null;
}

export type NotBookableReason = 'noPackage' | 'full' | 'started' | 'alreadyBooked' | 'sessionCancelled';

export interface ClassItem {
  id: number;
  activityName: string;
  locationId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  seatsLeft: number;
  instructor: string | null;
  status: 'scheduled' | 'cancelled';
  bookable: boolean;
  reason?: NotBookableReason;
  bookingId: number | null;
  waitlist: { capacity: number; count: number; position?: number; entryId?: number };
  canJoinWaitlist: boolean;
  waitlistReason?: string;
}

export interface ClassList {
  locationId: number;
  from: string;
  to: string;
  items: ClassItem[];
}

export interface Booking {
  id: number;
  sessionId: number;
  status: 'booked' | 'cancelled' | 'attended' | 'no_show';
  session: { activityName: string; locationId: number; startsAt: string; endsAt: string; status: string };
}
