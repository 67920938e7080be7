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
  staffRole: 'admin' | 'manager' | null;
  staffActive: boolean;
}

/** The principal behind a token (one query), or null when the token is unknown or expired. */
export async function findSessionPrincipal(db: Db, token: string, now: Date): Promise<SessionPrincipal | null> {
  const row = await db('auth_sessions as s')
    .leftJoin('clients as c', (j) => j.on('c.id', '=', 's.subject_id').andOnVal('s.subject_type', '=', 'client'))
    .leftJoin('staff_users as u', (j) => j.on('u.id', '=', 's.subject_id').andOnVal('s.subject_type', '=', 'staff'))
    .where('s.token_hash', hashToken(token))
    .first('s.subject_type', 's.subject_id', 's.expires_at', 'c.status as client_status', 'u.role as staff_role', 'u.active as staff_active');
  if (!row || readDate(row.expires_at).getTime() <= now.getTime()) return null;
  return {
    type: row.subject_type,
    id: row.subject_id,
    clientStatus: row.client_status ?? null,
    staffRole: row.staff_role ?? null,
    staffActive: readBool(row.staff_active),
  };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db('auth_sessions').where({ token_hash: hashToken(token) }).delete();
}

/** Signs a subject out everywhere (e.g. a client was deactivated). */
export async function deleteSessionsOf(db: Db, subject: Subject): Promise<void> {
  await db('auth_sessions').where({ subject_type: subject.type, subject_id: subject.id }).delete();
}
