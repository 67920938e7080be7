import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Knex } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { migrationSource } from '../../migrations/index.js';

export interface TestDatabase {
  url: string;
  db: Knex;
  dialect: 'mysql' | 'sqlite';
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file: a temp SQLite file by default,
 * or a new database on the server of TEST_DATABASE_URL (mysql://...), dropped afterwards.
 * `migratedUpTo` stops after that migration (to test the ones after it on data).
 */
export async function createTestDatabase(opts: { migratedUpTo?: string } = {}): Promise<TestDatabase> {
  const suffix = randomBytes(5).toString('hex');
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const base = new URL(serverUrl);
    const name = `${base.pathname.replace(/^\//, '') || 'test'}_cc_${suffix}`;
    const admin = createDb(serverUrl, { poolMax: 1 });
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.destroy();
    base.pathname = `/${name}`;
    const url = base.toString();
    const db = createDb(url);
    await migrate(db, opts.migratedUpTo);
    return {
      url,
      db,
      dialect: 'mysql',
      async drop() {
        await db.destroy();
        const cleanup = createDb(serverUrl, { poolMax: 1 });
        await cleanup.raw(`DROP DATABASE IF EXISTS \`${name}\``);
        await cleanup.destroy();
      },
    };
  }
  const file = join(tmpdir(), `clubcore-test-${suffix}.sqlite`);
  const url = `sqlite:${file}`;
  const db = createDb(url);
  await migrate(db, opts.migratedUpTo);
  return {
    url,
    db,
    dialect: 'sqlite',
    async drop() {
      await db.destroy();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    },
  };
}

async function migrate(db: Knex, upTo: string | undefined) {
  if (!upTo) return void (await migrateLatest(db));
  for (const name of await migrationSource.getMigrations([])) {
    await db.migrate.up({ migrationSource, name });
    if (name === upTo) return;
  }
  throw new Error(`There is no migration ${upTo}`);
}
