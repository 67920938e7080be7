import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which peers may set X-Forwarded-For (express's "trust proxy"): `false` (none, for a directly
 * exposed instance), a hop count, or a comma list of addresses, CIDR ranges and the names
 * loopback, linklocal, uniquelocal. "true" (trust anyone) is refused: any client could then
 * make up its address and dodge the per-address sign-in limit.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, c): false | number | string => {
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const bad = value.split(',').map((p) => p.trim()).filter((p) => !PROXY_NAMES.has(p) && !isIP(p.split('/')[0]!));
    if (value === 'true' || bad.length) {
      c.addIssue({ code: 'custom', message: `not a proxy list: ${value === 'true' ? 'true would trust every client' : bad.join(', ')} (use false, a hop count, or addresses, CIDRs, loopback, linklocal, uniquelocal)` });
      return z.NEVER;
    }
    return value;
  });

/**
 * Web origins (scheme://host[:port]) allowed to show the member app (/app) in a frame: a club's
 * website embedding the web portal. A comma list; empty: only clubcore's own origin.
 */
const frameOrigins = z
  .string()
  .trim()
  .transform((value, c): string[] => {
    const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
    const isOrigin = (o: string) => {
      const url = URL.canParse(o) ? new URL(o) : null;
      return url !== null && /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username;
    };
    const bad = origins.filter((o) => !isOrigin(o));
    if (bad.length) {
      c.addIssue({ code: 'custom', message: `not an origin: ${bad.join(', ')} (use scheme://host[:port], e.g. https://www.club.example, with no path)` });
      return z.NEVER;
    }
    return origins.map((o) => new URL(o).origin);
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|sqlite):/, 'must start with mysql:// or sqlite:')
    .optional(),
  SQLITE_FILE: z.string().min(1).default('./data/clubcore.sqlite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 7),
  ATTENDANCE_WINDOW_BEFORE_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(60),
  /** Waitlists close this long before a class starts: nobody joins or is moved up into a seat after that. */
  WAITLIST_PROMOTION_CUTOFF_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(60),
  SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
    .optional(),
  PUBLIC_BASE_URL: z.string().url().optional(),
  TRUST_PROXY: trustProxy.default('loopback'),
  INSTANCE_ID: z.string().min(1).max(100).default(`${hostname()}-${process.pid}`),
  SCHEDULER_ENABLED: flag.default(true),
  /**
   * Runs one instance executes at once. More than one, so a long sync (an initial sync of a large
   * chain) does not hold back short, time-bound runs (a Wellpass decision sweep) queued behind it.
   */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(2),
  /** How long a stopped instance's outbox consumers wait before another instance takes them over. */
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** Handled outbox events are deleted once every consumer has passed them and they are this old. */
  OUTBOX_KEEP_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  METRICS_TOKEN: z.string().min(16).optional(),
  APP_FRAME_ORIGINS: frameOrigins.default([]),
  DEMO: flag.optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** Resolved database URL: DATABASE_URL, or the embedded SQLite file. */
  databaseUrl: string;
  /** Zero-config demo: embedded database, sandbox and demo data. Never with DATABASE_URL or in production. */
  demo: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once; every problem is listed, not just the first. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !e.SECRETS_KEY) {
    problems.push('SECRETS_KEY: required in production (integration secrets are encrypted with it)');
  }
  if (e.DEMO && (e.DATABASE_URL || e.NODE_ENV === 'production')) {
    problems.push('DEMO: demo mode cannot run with DATABASE_URL set or NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(problems);
  const demo = e.DEMO ?? (!e.DATABASE_URL && e.NODE_ENV === 'development');
  return { ...e, databaseUrl: e.DATABASE_URL ?? `sqlite:${e.SQLITE_FILE}`, demo };
}
