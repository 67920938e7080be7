import type { Knex } from 'knex';

/*
 * What the EGYM MMS integration needs (src/integrations/egym-mms/):
 * - clients.gender: EGYM requires one (MALE, FEMALE, NON_BINARY); Perfect Gym sends `sex`.
 * - egym_mms_pushed: per integration and client, the account body last sent to EGYM (and with which
 *   location's key), so a change
 *   goes out as a PATCH of the fields that changed (or a PUT when one was cleared), and an
 *   unchanged client sends nothing.
 * - rate_limits: rate-limiter-flexible's store (its own column names), shared by every instance, so
 *   the calls of all instances on one EGYM key stay within EGYM's limit together.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('clients', (t) => {
    t.string('gender', 10).nullable(); // male | female | other
  });
  await db.schema.createTable('egym_mms_pushed', (t) => {
    t.integer('integration_id').unsigned().notNullable().references('id').inTable('integrations').onDelete('CASCADE');
    t.integer('client_id').unsigned().notNullable().references('id').inTable('clients').onDelete('CASCADE');
    t.integer('location_id').unsigned().notNullable(); // whose key pushed it
    t.string('account_id', 100).notNullable();
    t.text('body').notNullable();
    t.datetime('pushed_at', { precision: 3 }).notNullable();
    t.primary(['integration_id', 'client_id']);
  });
  await db.schema.createTable('rate_limits', (t) => {
    t.string('key', 191).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').unsigned().nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('rate_limits');
  await db.schema.dropTableIfExists('egym_mms_pushed');
  await db.schema.alterTable('clients', (t) => t.dropColumn('gender'));
}
