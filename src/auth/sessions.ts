import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { readBool, readDate, type Db } from '../db/knex.js';

export type SubjectType = 'client' | 'staff';
/** 'password' (a client's own), 'staff_password', or the method an integration type signs members in with. */
export type SignInMethod = string;

export interface Subject {
  type: SubjectType;
  id: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Issues an opaque bearer token; only its hash is stored. */
export async function createSession(
  ctx: AppContext,
  subject: Subject,
  method: SignInMethod,
): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ctx.config.SESSION_TTL_HOURS * 3600_000);
  await ctx.db('auth_sessions').insert({
    token_hash: hashToken(token),
    subject_type: subject.type,
    subject_id: subject.id,
    method,
    expires_at: expiresAt,
    created_at: now,
  });
  return { token, expiresAt: expiresAt.toISOString() };
}

/** Who a token belongs to, with what decides access: client status, or staff role and active flag. */
export interface SessionPrincipal {
  type: SubjectType;
  id: number;
  clientStatus: string | null;
  /** The member's home location, which picks the class list a member sees by default. */
  clientHomeLocationId: number | null;
  staffRole: 'admin' | 'manager' | null;
  staffActive: boolean;
}

/*
 * Member sessions are read on every member request, and at opening hours one member's app sends
 * several a second: the lever for the class list, which made three database round trips per
 * request (session, packages, bookings). Of the two ways to cut them, a short-lived session cache
 * and a single round trip, this is the cache: it removes the session query from every member route
 * (not from one), on both databases, with no work for the database at all on a hit, and it keeps
 * authentication apart from the routes' own queries; one round trip would have had to fuse the auth
 * middleware with each route's reads in one statement (a UNION of unlike rows, or MySQL's multiple
 * statements, which SQLite does not have). What it costs, bounded:
 * - A member principal (an active client's session) is kept for SESSION_CACHE_TTL_MS per app, and
 *   never past the session's own expiry. Staff sessions are never kept: roles and the active flag
 *   are read from the database on each request.
 * - Revocations made through this app drop the kept entries as soon as they commit: deleteSession
 *   (sign-out) and deleteSessionsOf (a client deactivated by staff, and any other signing out
 *   everywhere). A lookup under way meanwhile is not kept (the generation check), so it cannot put
 *   the revoked session back.
 * - Revocations made through another instance (or a change of the client's status there, or a
 *   sync deactivating a member, which does not sign them out) are seen when the entry expires: at
 *   most SESSION_CACHE_TTL_MS later.
 * The cache belongs to the database handle (like the class schedule's): apps that share a process
 * (tests) but not a handle are separate instances; a transaction shares its handle's.
 */
export const SESSION_CACHE_TTL_MS = 1_000;
const SESSIONS_KEPT = 20_000;

interface KeptSession {
  principal: SessionPrincipal;
  until: number;
}

interface SessionCache {
  byTokenHash: Map<string, KeptSession>;
  /** Bumped by every revocation: a lookup that began before one is not kept. */
  generation: number;
}

const caches = new WeakMap<object, SessionCache>();

function cacheOf(db: Db): SessionCache {
  // knex and its transactions share one client config object: the handle's identity.
  const key = (db as unknown as { client?: { config?: object } }).client?.config ?? db;
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = { byTokenHash: new Map(), generation: 0 }));
  return cache;
}

/**
 * The principal behind a token, or null when the token is unknown or expired: an active member's
 * from the short-lived cache when kept there, otherwise (and always for staff) from one query.
 */
export async function findSessionPrincipal(db: Db, token: string, now: Date): Promise<SessionPrincipal | null> {
  const tokenHash = hashToken(token);
  const cache = cacheOf(db);
  const at = now.getTime();
  const kept = cache.byTokenHash.get(tokenHash);
  if (kept) {
    if (kept.until > at) return kept.principal;
    cache.byTokenHash.delete(tokenHash);
  }
  const generation = cache.generation;
  const found = await readSessionPrincipal(db, tokenHash, now);
  if (found?.principal.type === 'client' && found.principal.clientStatus === 'active' && cache.generation === generation) {
    if (cache.byTokenHash.size >= SESSIONS_KEPT) cache.byTokenHash.delete(cache.byTokenHash.keys().next().value!);
    cache.byTokenHash.set(tokenHash, { principal: found.principal, until: Math.min(at + SESSION_CACHE_TTL_MS, found.expiresAt) });
  }
  return found?.principal ?? null;
}

/** The principal behind a token hash from the database (one query). */
async function readSessionPrincipal(db: Db, tokenHash: string, now: Date): Promise<{ principal: SessionPrincipal; expiresAt: number } | null> {
  const row = await db('auth_sessions as s')
    .leftJoin('clients as c', (j) => j.on('c.id', '=', 's.subject_id').andOnVal('s.subject_type', '=', 'client'))
    .leftJoin('staff_users as u', (j) => j.on('u.id', '=', 's.subject_id').andOnVal('s.subject_type', '=', 'staff'))
    .where('s.token_hash', tokenHash)
    .first('s.subject_type', 's.subject_id', 's.expires_at', 'c.status as client_status', 'c.home_location_id as client_home_location_id', 'u.role as staff_role', 'u.active as staff_active');
  const expiresAt = row ? readDate(row.expires_at).getTime() : 0;
  if (!row || expiresAt <= now.getTime()) return null;
  return {
    principal: {
      type: row.subject_type,
      id: row.subject_id,
      clientStatus: row.client_status ?? null,
      clientHomeLocationId: row.client_home_location_id ?? null,
      staffRole: row.staff_role ?? null,
      staffActive: readBool(row.staff_active),
    },
    expiresAt,
  };
}

/**
 * Drops kept sessions once a revocation has committed, and bumps the generation: a lookup that was
 * under way may have read the row before it went, and is then not kept.
 */
function forgetKept(db: Db, which: (tokenHash: string, kept: KeptSession) => boolean): void {
  const cache = cacheOf(db);
  cache.generation++;
  for (const [tokenHash, kept] of cache.byTokenHash) if (which(tokenHash, kept)) cache.byTokenHash.delete(tokenHash);
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  await db('auth_sessions').where({ token_hash: tokenHash }).delete();
  forgetKept(db, (hash) => hash === tokenHash);
}

/** Drops a subject's kept sessions after a change to what they carry (a client's home location). */
export function forgetKeptSessionsOf(db: Db, subject: Subject): void {
  forgetKept(db, (_, kept) => kept.principal.type === subject.type && kept.principal.id === subject.id);
}

/** Signs a subject out everywhere (e.g. a client was deactivated). */
export async function deleteSessionsOf(db: Db, subject: Subject): Promise<void> {
  await db('auth_sessions').where({ subject_type: subject.type, subject_id: subject.id }).delete();
  forgetKeptSessionsOf(db, subject);
}
