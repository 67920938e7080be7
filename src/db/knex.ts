import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { BatchingMysql2Client } from './write-later.js';

export type { Knex };
/** A connection or an open transaction: repositories accept either. */
export type Db = Knex | Knex.Transaction;

// A failed connection attempt reaches the caller as an error anyway; knex's own copy of it (with a
// stack, on the console) would only repeat it in front of the CLI's one-line message.
const log = {
  warn(message: string) {
    if (!String(message).startsWith('Acquire connection error')) console.warn(message);
  },
};

/**
 * Builds knex for `mysql://...` (mysql2) or `sqlite:<file>` (better-sqlite3).
 * Connection settings per dialect live here and nowhere else.
 */
export function createDb(databaseUrl: string, opts: { poolMax?: number } = {}): Knex {
  if (databaseUrl.startsWith('mysql://')) {
    const url = new URL(databaseUrl);
    return knexFactory({
      client: BatchingMysql2Client,
      connection: {
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, ''),
        timezone: 'Z',
        charset: 'utf8mb4',
        supportBigNumbers: true,
        bigNumberStrings: false,
        dateStrings: false,
        // A transaction's BEGIN and its writeLater writes travel with the next statement (write-later.ts).
        multipleStatements: true,
      },
      pool: { min: 0, max: opts.poolMax ?? 10 },
      log,
    });
  }
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      log,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: Database, done: (err: Error | null, conn: unknown) => void) {
          reusePreparedStatements(conn);
          conn.pragma('foreign_keys = ON');
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  throw new Error(`Unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
}

// At most ~100 MB: a compiled 500-row INSERT takes ~1 MB. Evicted statements are only freed when
// V8 collects them, so a budget that evicts large ones often holds more memory, not less.
const PREPARED_STATEMENTS_KEPT = 100;

/**
 * knex prepares every query anew, and compiling SQL is a large part of SQLite's cost for the same
 * few query shapes run over and over (a sync page, an API request). better-sqlite3 statements are
 * reusable, so the connection keeps the most recently used ones by SQL text.
 */
function reusePreparedStatements(conn: Database) {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, Statement>();
  conn.prepare = ((sql: string) => {
    let statement = kept.get(sql);
    if (statement) {
      kept.delete(sql);
    } else {
      statement = prepare(sql);
      if (kept.size >= PREPARED_STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, statement);
    return statement;
  }) as Database['prepare'];
}

const SQLITE_MAX_COMPOUND_SELECT = 500;

/**
 * Runs a multi-row write over `rows` in as few distinct statement shapes as possible. Each row
 * count is a statement of its own, which a SQLite connection compiles and keeps (above), and a
 * compiled multi-row write holds up to ~1 MB that V8 does not see: sync pages have every row count
 * from 1 to 500, so on SQLite the rows go in chunks of power-of-two sizes (at most 9 shapes per
 * table up to 500 rows; peak RSS of a 1M-member initial sync 326 -> 249 MB). MySQL does not prepare
 * them, and each chunk there would be one more round trip. `maxRows` bounds a chunk on both.
 */
export async function writeInFewShapes<T>(db: Db, rows: T[], maxRows: number, write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  // knex writes a multi-row INSERT on SQLite as one compound SELECT, of at most 500 terms there.
  const cap = isMysql(db) ? maxRows : Math.min(maxRows, SQLITE_MAX_COMPOUND_SELECT);
  for (let start = 0; start < rows.length; ) {
    const left = Math.min(rows.length - start, cap);
    const size = isMysql(db) ? left : 2 ** Math.floor(Math.log2(left));
    await write(rows.slice(start, start + size));
    start += size;
  }
}

/** A write refused by a unique key (mysql2's ER_DUP_ENTRY, better-sqlite3's SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isMysql(db: Db): boolean {
  return db.client.driverName === 'mysql2';
}

/**
 * Timestamps come back as Date on MySQL and as epoch milliseconds on SQLite
 * (knex binds Date as a number there); this is the one place that evens it out.
 */
export function readDate(value: Date | number | string): Date;
export function readDate(value: Date | number | string | null | undefined): Date | null;
export function readDate(value: Date | number | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
}

/** Booleans come back as 0/1 on both dialects. */
export function readBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
