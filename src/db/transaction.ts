import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from './knex.js';

const ATTEMPTS = 4;

/** MySQL picks a victim in a deadlock or gives up on a lock wait; SQLite reports another process's write lock. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/**
 * Runs `work` in a transaction, and again (a bounded number of times, after a short random pause)
 * when the database rolled it back for a deadlock or lock timeout: concurrent valid writes then
 * all succeed instead of some answering 500. `work` must touch nothing but `trx`, since it may run
 * more than once.
 */
export async function inTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (attempt >= ATTEMPTS || !isTransient(err)) throw err;
      await sleep(Math.random() * 20 * attempt);
    }
  }
}
