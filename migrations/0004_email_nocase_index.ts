import type { Knex } from 'knex';
import { isMysql } from '../src/db/knex.js';

/*
 * Members sign in with their e-mail in any letter case. MySQL's case-insensitive collation lets the
 * existing email index serve `email = ?`; SQLite compares with COLLATE NOCASE, which the binary
 * index cannot serve, so every sign-in scanned all clients (12 ms of SQL a login at 100,000).
 */
export async function up(db: Knex): Promise<void> {
  if (!isMysql(db)) await db.raw('CREATE INDEX clients_email_nocase_index ON clients (email COLLATE NOCASE)');
}

export async function down(db: Knex): Promise<void> {
  if (!isMysql(db)) await db.raw('DROP INDEX IF EXISTS clients_email_nocase_index');
}
