/**
 * EGYM's limit per API key: a token bucket of 60 refilling 6 per second (60 requests / 10 s).
 * Past it: 429, with no `Retry-After`. Refills follow the sandbox clock, so tests move time on
 * instead of sleeping.
 */
export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

export const EGYM_RATE_LIMIT: RateLimit = { capacity: 60, refillPerSecond: 6 };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Takes a token for the key if one is left; answers whether it did and how many remain. */
  take(key: string): { allowed: boolean; remaining: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.capacity, at: now };
    bucket.tokens = Math.min(this.limit.capacity, bucket.tokens + (Math.max(0, now - bucket.at) * this.limit.refillPerSecond) / 1000);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return { allowed, remaining: Math.floor(bucket.tokens) };
  }

  reset() {
    this.buckets.clear();
  }
}
