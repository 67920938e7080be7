import type { AppContext } from '../context.js';
import { readDate } from '../db/knex.js';
import { AppError } from '../errors.js';
import { countThrottledSignin } from '../metrics/metrics.js';

/** Member and staff sign-ins are counted apart: a member's typos never lock out the front desk. */
export type SignInKind = 'member' | 'staff';

/** Failures allowed per window before a key is blocked for one window. */
const LIMITS = { login: 5, ip: 20 };
const WINDOW_MS = 15 * 60_000;
const PREFIXES: Record<SignInKind, { login: string; ip: string }> = {
  member: { login: 'login:', ip: 'ip:' },
  staff: { login: 'staff:', ip: 'staff-ip:' },
};

function keysFor(kind: SignInKind, login: string, ip: string) {
  return [
    { key: `${PREFIXES[kind].login}${login.trim().toLowerCase()}`.slice(0, 191), limit: LIMITS.login },
    { key: `${PREFIXES[kind].ip}${ip}`.slice(0, 191), limit: LIMITS.ip },
  ];
}

/** Refuses with 429 (and Retry-After seconds) while the login or the address is blocked. */
async function assertNotThrottled(ctx: AppContext, kind: SignInKind, login: string, ip: string): Promise<void> {
  const now = ctx.now().getTime();
  const rows = await ctx.db('login_throttle').whereIn('throttle_key', keysFor(kind, login, ip).map((k) => k.key));
  const until = Math.max(0, ...rows.map((r: Record<string, any>) => readDate(r.blocked_until)?.getTime() ?? 0));
  if (until > now) {
    countThrottledSignin(ctx.metrics, kind);
    const err = AppError.tooManyRequests(`Too many failed sign-ins; try again in ${Math.ceil((until - now) / 60_000)} minute(s)`);
    err.retryAfterSeconds = Math.ceil((until - now) / 1000);
    throw err;
  }
}

async function recordFailure(ctx: AppContext, kind: SignInKind, login: string, ip: string): Promise<void> {
  const now = ctx.now();
  for (const { key, limit } of keysFor(kind, login, ip)) {
    const row = await ctx.db('login_throttle').where({ throttle_key: key }).first();
    const fresh = !row || now.getTime() - readDate(row.window_started_at).getTime() > WINDOW_MS;
    const failures = fresh ? 1 : row.failures + 1;
    const blocked_until = failures >= limit ? new Date(now.getTime() + WINDOW_MS) : null;
    await ctx.db('login_throttle')
      .insert({ throttle_key: key, failures, window_started_at: fresh ? now : row.window_started_at, blocked_until })
      .onConflict('throttle_key')
      .merge();
  }
}

async function recordSuccess(ctx: AppContext, kind: SignInKind, login: string): Promise<void> {
  await ctx.db('login_throttle').where({ throttle_key: keysFor(kind, login, '')[0]!.key }).delete();
}

/** Runs a sign-in under the throttle: refused while blocked, a 401 counts as a failure, success clears the login's count. */
export async function throttled<T>(ctx: AppContext, kind: SignInKind, login: string, ip: string, signIn: () => Promise<T>): Promise<T> {
  await assertNotThrottled(ctx, kind, login, ip);
  const result = await signIn().catch(async (err) => {
    if (err instanceof AppError && err.status === 401) await recordFailure(ctx, kind, login, ip);
    throw err;
  });
  await recordSuccess(ctx, kind, login);
  return result;
}
