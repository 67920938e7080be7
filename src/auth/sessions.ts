import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { readDate, type Db } from '../db/knex.js';

export type SubjectType = 'client' | 'staff';
export type SignInMethod = 'password' | 'perfect_gym' | 'egym' | 'staff_password';

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

/** The subject behind a token, or null when unknown or expired. */
export async function findSessionSubject(db: Db, token: string, now: Date): Promise<Subject | null> {
  const row = await db('auth_sessions').where({ token_hash: hashToken(token) }).first();
  if (!row || readDate(row.expires_at).getTime() <= now.getTime()) return null;
  return { type: row.subject_type, id: row.subject_id };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db('auth_sessions').where({ token_hash: hashToken(token) }).delete();
}

/** Signs a subject out everywhere (e.g. a client was deactivated). */
export async function deleteSessionsOf(db: Db, subject: Subject): Promise<void> {
  await db('auth_sessions').where({ subject_type: subject.type, subject_id: subject.id }).delete();
}
