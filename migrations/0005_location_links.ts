import type { Knex } from 'knex';
import { isMysql } from '../src/db/knex.js';

/*
 * Location links replace the per-type columns on locations (perfect_gym_club_id, egym_location_id):
 * one row per location and integration type, owned by one integration of that type (null while
 * none claims it), with optional per-location secrets. Existing values move over unchanged.
 */
const MOVED = [
  { column: 'perfect_gym_club_id', type: 'perfect_gym' },
  { column: 'egym_location_id', type: 'egym_bma' },
];

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('location_links', (t) => {
    t.increments('id');
    t.string('integration_type', 40).notNullable();
    t.integer('integration_id').unsigned().nullable().references('integrations.id').onDelete('SET NULL');
    t.integer('location_id').unsigned().notNullable().references('locations.id').onDelete('CASCADE');
    t.string('external_id', 191).notNullable();
    t.text('secrets_encrypted').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['location_id', 'integration_type']);
    t.index(['integration_type', 'external_id']);
    t.index(['integration_id']);
  });
  const now = new Date();
  for (const { column, type } of MOVED) {
    // The lowest-numbered integration of the type was the one that used these columns.
    const owner = await db('integrations').where({ type }).orderBy('id').first('id');
    const rows = await db('locations').whereNotNull(column).select('id', column);
    for (const r of rows) {
      await db('location_links').insert({
        integration_type: type, integration_id: owner?.id ?? null, location_id: r.id, external_id: String(r[column]), secrets_encrypted: null, created_at: now, updated_at: now,
      });
    }
    await dropUniqueColumn(db, 'locations', column);
  }
}

/**
 * knex drops a SQLite column by rebuilding the table, which foreign keys into locations refuse
 * inside a migration's transaction; SQLite 3.35+ drops it in place once its index is gone.
 */
async function dropUniqueColumn(db: Knex, table: string, column: string) {
  if (isMysql(db)) {
    await db.schema.alterTable(table, (t) => t.dropUnique([column]));
    await db.schema.alterTable(table, (t) => t.dropColumn(column));
    return;
  }
  await db.raw(`DROP INDEX IF EXISTS ${table}_${column}_unique`);
  await db.raw(`ALTER TABLE ${table} DROP COLUMN ${column}`);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('locations', (t) => {
    t.bigInteger('perfect_gym_club_id').nullable().unique();
    t.string('egym_location_id', 100).nullable().unique();
  });
  for (const { column, type } of MOVED) {
    for (const link of await db('location_links').where({ integration_type: type })) {
      await db('locations').where({ id: link.location_id }).update({ [column]: link.external_id });
    }
  }
  await db.schema.dropTable('location_links');
}
