import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../src/db/knex.js';

/** A database of its own for one bench run: its URL, and how to drop it afterwards. */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database: a SQLite file in the temp folder, or on the MySQL/MariaDB server `mysqlUrl`
 * names, a database `<prefix>_<random>` (the database in `mysqlUrl` need not exist: only the server is used).
 */
export async function freshBenchDatabase(dialect: string, mysqlUrl: string, prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const file = join(tmpdir(), `${name}.sqlite`);
    return { url: `sqlite:${file}`, drop: async () => { for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true }); } };
  }
  const server = new URL(mysqlUrl);
  server.pathname = '/';
  const onServer = async (sql: string) => {
    const admin = createDb(server.toString(), { poolMax: 1 });
    try {
      await admin.raw(sql);
    } finally {
      await admin.destroy();
    }
  };
  await onServer(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS \`${name}\``) };
}
