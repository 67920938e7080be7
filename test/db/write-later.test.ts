/**
 * writeLater and the batching mysql2 client (src/db/write-later.ts): a queued write belongs to its
 * transaction on both dialects; on MySQL it and the transaction's BEGIN travel with the next
 * awaited statement, whose own answer the caller gets, and a queued write that fails fails the
 * transaction whole and leaves the connection clean.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Knex } from '../../src/db/knex.js';
import { inTransaction } from '../../src/db/transaction.js';
import { writeLater } from '../../src/db/write-later.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const PROBE = 'write_later_probe';

describe('writeLater', () => {
  let t: TestDatabase;
  /** One connection, so what a transaction leaves behind on it shows in the next use. */
  let single: Knex;

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.schema.createTable(PROBE, (table) => {
      table.increments('id');
      table.string('name', 50).notNullable().unique();
    });
    single = createDb(t.url, { poolMax: 1 });
  });
  afterAll(async () => {
    await single.destroy();
    await t.drop();
  });

  const names = async (db: Knex | Knex.Transaction, prefix: string) =>
    (await db(PROBE).where('name', 'like', `${prefix}%`).orderBy('name').pluck('name')) as string[];

  it('commits a queued write with its transaction, and the transaction reads it back', async () => {
    const seen = await inTransaction(t.db, async (trx) => {
      await writeLater(trx, trx(PROBE).insert({ name: 'commit-a' }));
      await writeLater(trx, trx(PROBE).insert({ name: 'commit-b' }));
      return names(trx, 'commit-');
    });
    expect(seen).toEqual(['commit-a', 'commit-b']);
    expect(await names(t.db, 'commit-')).toEqual(['commit-a', 'commit-b']);
  });

  it('rolls a queued write back with its transaction', async () => {
    await expect(
      inTransaction(t.db, async (trx) => {
        await trx(PROBE).insert({ name: 'rollback-a' });
        await writeLater(trx, trx(PROBE).insert({ name: 'rollback-b' }));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await names(t.db, 'rollback-')).toEqual([]);
  });

  it('gives the awaited statement its own answer: insert id, affected rows, rows', async () => {
    await inTransaction(t.db, async (trx) => {
      await writeLater(trx, trx(PROBE).insert({ name: 'answer-a' }));
      const [id] = await trx(PROBE).insert({ name: 'answer-b' });
      const read = await trx(PROBE).where({ id }).first('name');
      await writeLater(trx, trx(PROBE).insert({ name: 'answer-c' }));
      const updated = await trx(PROBE).where('name', 'like', 'answer-%').update({ name: trx.raw('CONCAT(name, ?)', ['!']) });
      expect(read).toEqual({ name: 'answer-b' });
      expect(updated).toBe(3);
    });
    expect(await names(t.db, 'answer-')).toEqual(['answer-a!', 'answer-b!', 'answer-c!']);
  });

  it('writes at once outside a transaction', async () => {
    await writeLater(t.db, t.db(PROBE).insert({ name: 'alone' }));
    expect(await names(t.db, 'alone')).toEqual(['alone']);
  });

  describe('on MySQL', () => {
    const onMysql = () => t.dialect === 'mysql';

    it('sends BEGIN and queued writes with the next awaited statement: 3 round trips for 5 statements', async () => {
      if (!onMysql()) return;
      let roundTrips = 0;
      let connection: { query: (...args: unknown[]) => unknown } | undefined;
      let query: ((...args: unknown[]) => unknown) | undefined;
      await inTransaction(single, async (trx) => {
        connection = await trx.client.acquireConnection();
        query = connection!.query;
        connection!.query = function (this: unknown, ...args: unknown[]) {
          roundTrips++;
          return query!.apply(this, args);
        };
        await writeLater(trx, trx(PROBE).insert({ name: 'trips-a' }));
        // Not on the server yet: another connection reading uncommitted rows does not see it.
        const peek = await t.db.transaction((other) => names(other, 'trips-'), { isolationLevel: 'read uncommitted' });
        expect(peek).toEqual([]);
        expect(await names(trx, 'trips-')).toEqual(['trips-a']); // 1: BEGIN, INSERT, SELECT
        await writeLater(trx, trx(PROBE).insert({ name: 'trips-b' }));
        await trx(PROBE).insert({ name: 'trips-c' }); // 2: INSERT, INSERT
      }); // 3: COMMIT
      connection!.query = query!;
      expect(roundTrips).toBe(3);
      expect(await names(t.db, 'trips-')).toEqual(['trips-a', 'trips-b', 'trips-c']);
    });

    it('fails the commit when a queued write fails: nothing is kept, the error names the write, the connection is clean', async () => {
      if (!onMysql()) return;
      await t.db(PROBE).insert({ name: 'taken' });
      const failed = inTransaction(single, async (trx) => {
        await trx(PROBE).insert({ name: 'failed-a' });
        await writeLater(trx, trx(PROBE).insert({ name: 'taken' }));
      });
      await expect(failed).rejects.toMatchObject({ code: 'ER_DUP_ENTRY', message: expect.stringContaining('sent after: insert into `write_later_probe`') });
      expect(await names(t.db, 'failed-')).toEqual([]);
      // The one connection is back in the pool with no transaction open.
      const [[open]] = (await single.raw('SELECT @@in_transaction AS open')) as [[{ open: number }]];
      expect(Number(open.open)).toBe(0);
      await inTransaction(single, (trx) => trx(PROBE).insert({ name: 'failed-then-ok' }));
      expect(await names(t.db, 'failed-')).toEqual(['failed-then-ok']);
    });
  });
});
