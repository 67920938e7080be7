import type { Knex } from 'knex';

/*
 * The transactional outbox (src/outbox/): what changed, written in the same transaction as the
 * change, and read by each consumer with its own cursor under a lease.
 * - outbox_events: one row per change. `id` is taken when the row is inserted, so on MySQL ids do
 *   not become visible in id order (a transaction holding id 10 may commit after the one holding
 *   11). `seq` is given later, in commit order, by one sequencer at a time (outbox_sequence's row
 *   is its lock and keeps the highest seq given, which pruning must never lower); consumers read
 *   by seq, so a late commit is never passed over.
 * - outbox_consumers: per consumer (e.g. egym_mms:12:location:3) the last seq it handled or
 *   passed, and its lease (owner + expiry).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('outbox_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('seq').nullable().unique(); // null until sequenced
    t.string('topic', 20).notNullable(); // client | door_event | class_session
    t.bigInteger('subject_id').unsigned().notNullable(); // the changed row's id in the topic's table
    t.integer('location_id').unsigned().nullable(); // no foreign key: a log outlives what it names
    t.string('kind', 20).notNullable(); // created | updated | deactivated | deleted | entered | exited
    t.datetime('created_at', { precision: 3 }).notNullable();
  });
  await db.schema.createTable('outbox_consumers', (t) => {
    t.string('consumer', 191).primary();
    t.bigInteger('position').notNullable().defaultTo(0); // seq of the last event handled or passed
    t.string('lease_owner', 100).nullable();
    t.datetime('lease_until', { precision: 3 }).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
  await db.schema.createTable('outbox_sequence', (t) => {
    t.string('name', 40).primary();
    t.bigInteger('high').notNullable(); // the highest seq given
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
  await db('outbox_sequence').insert({ name: 'events', high: 0, updated_at: new Date() });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['outbox_sequence', 'outbox_consumers', 'outbox_events']) await db.schema.dropTableIfExists(table);
}
