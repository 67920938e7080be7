import type { AppContext } from '../context.js';
import { readDate } from '../db/knex.js';
import { AppError } from '../errors.js';

/** Failures allowed per window before a key is blocked for one window. */
const LIMITS = { login: 5, ip: 20 };
const WINDOW_MS = 15 * 60_000;

function keysFor(login: string, ip: string) {
  return [
    { key: `login:${login.trim().toLowerCase()}`.slice(0, 191), limit: LIMITS.login },
    { key: `ip:${ip}`.slice(0, 191), limit: LIMITS.ip },
  ];
}

/** Refuses with 429 (and Retry-After seconds) while the login or the address is blocked. */
export async function assertNotThrottled(ctx: AppContext, login: string, ip: string): Promise<void> {
  const now = ctx.now().getTime();
  const rows = await ctx.db('login_throttle').whereIn('throttle_key', keysFor(login, ip).map((k) => k.key));
  const until = Math.max(0, ...rows.map((r: Record<string, any>) => readDate(r.blocked_until)?.getTime() ?? 0));
  if (until > now) {
    const err = AppError.tooManyRequests(`Too many failed sign-ins; try again in ${Math.ceil((until - now) / 60_000)} minute(s)`);
    err.retryAfterSeconds = Math.ceil((until - now) / 1000);
    throw err;
  }
}

export async function recordFailure(ctx: AppContext, login: string, ip: string): Promise<void> {
  const now = ctx.now();
  for (const { key, limit } of keysFor(login, ip)) {
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

export async function recordSuccess(ctx: AppContext, login: string): Promise<void> {
  await ctx.db('login_throttle').where({ throttle_key: keysFor(login, '')[0]!.key }).delete();
}
