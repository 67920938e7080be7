import { createRequire } from 'node:module';
import type { Knex } from 'knex';

/*
 * On MySQL every statement is a round trip: a network hop to the server (while the transaction
 * holds its row locks, a class's seat counter among them) and the driver's work for one query.
 * Statements whose answer the code does not wait for travel instead with the next statement it
 * does wait for, as one multi-statement: a transaction's BEGIN, and writes queued with writeLater
 * (an audit row, an outbox event, a new client's identity, a Wellpass decision). The server runs
 * them in order, as before. A Wellpass decision's transaction went from 10 round trips to 5 for a
 * new member, 6 to 3 for one who booked before.
 *
 * What that changes: a queued write's failure surfaces at the next statement (or at COMMIT), not
 * where it was queued. So a write is queued only where its failure fails the whole transaction:
 * no code between it and the next statement's answer catches an error. The Wellpass decision,
 * whose unique key a repeated delivery meets, is the last write before COMMIT; a new client's
 * identity, whose unique key a concurrent request of the same member meets, is followed by reads
 * and the seat's UPDATE, which catch nothing.
 */

interface QueryObject {
  sql: string;
  bindings?: readonly unknown[];
  options?: object;
  response?: [unknown, unknown];
}

interface Queued {
  sql: string;
  bindings: readonly unknown[];
}

type Connection = object;

/** knex's own mysql2 client, which its types do not describe. */
declare class KnexMysql2Client extends Knex.Client {
  _query(connection: Connection, obj: QueryObject): Promise<QueryObject>;
}

const require = createRequire(import.meta.url);
const KnexMysql2 = require('knex/lib/dialects/mysql2/index.js') as typeof KnexMysql2Client;

/** Statements waiting on a connection for its next awaited one. A connection runs one transaction at a time. */
const waiting = new WeakMap<Connection, Queued[]>();

const BEGIN = 'BEGIN;';
const isCommit = (sql: string) => /^COMMIT\b/i.test(sql);
const isRollback = (sql: string) => /^ROLLBACK\b/i.test(sql);

/** knex's mysql2 client, sending queued statements along with the next awaited one. */
export class BatchingMysql2Client extends KnexMysql2 {
  override async _query(connection: Connection, obj: QueryObject): Promise<QueryObject> {
    if (obj.sql === BEGIN) {
      waiting.set(connection, [{ sql: 'BEGIN', bindings: [] }]);
      return obj;
    }
    const queued = waiting.get(connection) ?? [];
    waiting.delete(connection);
    // A rollback undoes them anyway; sent with it, a failing one would leave the transaction open.
    if (!queued.length || isRollback(obj.sql)) return super._query(connection, obj);
    const batch: QueryObject = {
      ...obj,
      sql: [...queued.map((q) => q.sql), obj.sql.replace(/;\s*$/, '')].join(';\n'),
      bindings: [...queued.flatMap((q) => q.bindings), ...(obj.bindings ?? [])],
    };
    try {
      const { response } = await super._query(connection, batch);
      const [results, fields] = response as [unknown[], unknown[] | undefined];
      obj.response = [results[results.length - 1], fields?.[fields.length - 1]];
      return obj;
    } catch (err) {
      (err as Error).message += ` (sent after: ${queued.map((q) => q.sql).join('; ')})`;
      // A COMMIT that did not run leaves the transaction open on a connection going back to the pool.
      if (isCommit(obj.sql)) await super._query(connection, { sql: 'ROLLBACK' });
      throw err;
    }
  }
}

/**
 * A write of the caller's transaction whose answer nobody needs: on MySQL it goes to the server
 * with the transaction's next statement (see above), elsewhere (SQLite, no transaction) at once.
 */
export async function writeLater(db: Knex | Knex.Transaction, write: Knex.QueryBuilder): Promise<void> {
  if (!(db.client instanceof BatchingMysql2Client) || !db.isTransaction) {
    await write;
    return;
  }
  const connection = (await db.client.acquireConnection()) as Connection;
  const { sql, bindings } = write.toSQL().toNative();
  const queued = waiting.get(connection);
  if (queued) queued.push({ sql, bindings });
  else waiting.set(connection, [{ sql, bindings }]);
}
