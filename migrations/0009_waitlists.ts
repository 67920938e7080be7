import type { Knex } from 'knex';

/*
 * Waitlists (src/bookings/waitlist.ts):
 * - class_sessions.waitlist_capacity: how many may wait for a seat; 0 (the default, and what every
 *   existing session gets) means the session has no waitlist. A waitlist is opt-in per session:
 *   a promotion books a member without asking, so a club decides where that happens.
 * - class_sessions.waitlist_count: entries waiting, kept next to booked_count and changed only in
 *   the transaction that adds or removes a waiting entry (a conditional UPDATE, like takeSeat), so
 *   the cap never overflows and the class list reads the count with the schedule.
 * - waitlist_entries: one row per session and client (a re-join reuses it and goes to the back:
 *   queued_at is set again). Positions are not stored: a waiting entry's position is 1 + the
 *   waiting entries of its session queued before it (queued_at, then id), computed on read.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('class_sessions', (t) => {
    t.integer('waitlist_capacity').notNullable().defaultTo(0);
    t.integer('waitlist_count').notNullable().defaultTo(0);
  });
  await db.schema.createTable('waitlist_entries', (t) => {
    t.increments('id');
    t.integer('session_id').unsigned().notNullable().references('class_sessions.id');
    t.integer('client_id').unsigned().notNullable().references('clients.id');
    t.string('status', 20).notNullable(); // waiting | promoted | left | expired
    t.string('source', 40).notNullable().defaultTo('app');
    t.integer('booking_id').unsigned().nullable(); // the booking a promotion made
    t.datetime('queued_at', { precision: 3 }).notNullable(); // place in the queue (with id)
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['session_id', 'client_id']);
    t.index(['session_id', 'status', 'queued_at', 'id']);
    t.index(['client_id', 'status']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('waitlist_entries');
  await db.schema.alterTable('class_sessions', (t) => {
    t.dropColumn('waitlist_count');
    t.dropColumn('waitlist_capacity');
  });
}
