import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { isMysql, type Db } from '../../db/knex.js';

/*
 * EGYM allows 60 requests per 10 s per key: a bucket of 60 refilling 6 per second, then 429 with no
 * Retry-After promised. At most 6 calls in any calendar second never empties that bucket (over T
 * seconds at most 6(T + 1) go out while 6T come back, and the 60 in the bucket cover the one extra
 * second), and it sustains the full 6/s. The count lives in the database (rate-limiter-flexible's
 * store, table rate_limits), so every instance's calls on one key count together.
 */
export const REQUESTS_PER_SECOND = 6;

const limiters = new WeakMap<object, RateLimiterAbstract>();

function limiterOf(db: Db): RateLimiterAbstract {
  const handle = db.client.config as object;
  let limiter = limiters.get(handle);
  if (!limiter) {
    const opts = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false, keyPrefix: 'egym_mms', points: REQUESTS_PER_SECOND, duration: 1 };
    limiter = isMysql(db) ? new RateLimiterMySQL({ ...opts, dbName: databaseNameOf(db) }) : new RateLimiterSQLite(opts);
    limiters.set(handle, limiter);
  }
  return limiter;
}

function databaseNameOf(db: Db): string {
  const connection = db.client.config.connection as string | { database?: string };
  const name = typeof connection === 'string' ? new URL(connection).pathname.slice(1) : connection.database;
  if (!name) throw new Error('The MySQL DATABASE_URL names no database');
  return decodeURIComponent(name);
}

/** The key's counter is stored under a hash: the API key itself never reaches the table. */
const counterKey = (apiKey: string) => createHash('sha256').update(apiKey).digest('hex').slice(0, 40);

/** Waits until a call on this key fits EGYM's limit, counted across all instances, and takes it. */
export async function takeRequestSlot(db: Db, apiKey: string, signal?: AbortSignal): Promise<void> {
  const limiter = limiterOf(db);
  for (;;) {
    try {
      await limiter.consume(counterKey(apiKey));
      return;
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      await sleep(Math.max(refused.msBeforeNext, 10), undefined, { signal });
    }
  }
}
