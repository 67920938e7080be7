import type { Knex } from 'knex';

/*
 * What the Perfect Gym sync needs beyond the domain schema:
 * - clients.external_key: the sync's upsert key ("<integrationId>:member:<memberId>"), so a page of
 *   members is written with one multi-row upsert and new rows can be matched back to their member;
 * - job_schedules: when each scheduled job is next due, claimed with a conditional UPDATE so that
 *   several instances enqueue a job once per interval.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('clients', (t) => {
    t.string('external_key', 191).nullable().unique();
  });
  await db.schema.createTable('job_schedules', (t) => {
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.string('job', 20).notNullable(); // clients | access
    t.datetime('next_due_at', { precision: 3 }).notNullable();
    t.primary(['integration_id', 'job']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('job_schedules');
  await db.schema.alterTable('clients', (t) => {
    t.dropUnique(['external_key']);
    t.dropColumn('external_key');
  });
}
