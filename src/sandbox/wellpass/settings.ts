/** What can change while the sandbox runs (`configure`, `PUT /_sandbox/settings`), checked like a request body. */
import { z } from 'zod';
import type { RateLimit } from '../egym-mms/rate-limit.js';
import { fieldError, WellpassError } from './errors.js';

export interface SandboxSettings {
  /** Where events are posted; null: none are sent. */
  webhookUrl: string | null;
  /** The HMAC-SHA1 key of `X-Gympass-Signature`. */
  webhookSecret: string;
  /** Deliveries of each event: 2 (the default, as retries happen in real life) or 1. */
  webhookCopies: 1 | 2;
  /** How long a booking request may stay PENDING before it is rejected for the partner (default 15 min). */
  decisionDeadlineMs: number;
  /** Per token; null: no limit. */
  rateLimit: RateLimit | null;
}

/** At its worst by default: a bucket far below Wellhub's published 10k/s, so clients meet 429s. */
export const DEFAULT_RATE_LIMIT: RateLimit = { capacity: 50, refillPerSecond: 25 };

export const DEFAULT_SETTINGS: SandboxSettings = {
  webhookUrl: null,
  webhookSecret: 'wellpass-sandbox-secret',
  webhookCopies: 2,
  decisionDeadlineMs: 15 * 60_000,
  rateLimit: DEFAULT_RATE_LIMIT,
};

const patch = z.object({
  webhookUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
  webhookSecret: z.string().min(1).optional(),
  webhookCopies: z.union([z.literal(1), z.literal(2)]).optional(),
  decisionDeadlineMs: z.int().positive().optional(),
  rateLimit: z.object({ capacity: z.int().positive(), refillPerSecond: z.number().positive() }).nullable().optional(),
});

/** The settings with the given ones changed (undefined: unchanged); a 400 listing every bad one. */
export function changed(current: SandboxSettings, given: Partial<SandboxSettings>): SandboxSettings {
  const parsed = patch.safeParse(given);
  if (!parsed.success) throw WellpassError.invalid(parsed.error.issues.map((i) => fieldError(i.path.join('.') || 'settings', i.message)));
  const next = { ...current };
  for (const [name, value] of Object.entries(parsed.data)) if (value !== undefined) Object.assign(next, { [name]: value });
  return next;
}
