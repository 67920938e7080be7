import type { Knex } from 'knex';
import { isMysql } from '../src/db/knex.js';

/*
 * A remote system's ids are exact strings: under MySQL's case- and accent-insensitive collation
 * "ext-abc" and "EXT-ABC" were one door event (the second entry was lost). SQLite compares bytes
 * already. The columns keep their length and their unique (source, source_ref) index.
 */
const TABLES = ['door_access_events', 'client_packages'];

export async function up(db: Knex): Promise<void> {
  if (!isMysql(db)) return;
  for (const table of TABLES) await db.raw(`ALTER TABLE ?? MODIFY source_ref VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL`, [table]);
}

export async function down(db: Knex): Promise<void> {
  if (!isMysql(db)) return;
  for (const table of TABLES) await db.raw(`ALTER TABLE ?? MODIFY source_ref VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL`, [table]);
}
