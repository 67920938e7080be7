import type { Knex } from 'knex';

/*
 * Aggregator bookings (the wellpass integration, src/integrations/wellpass/):
 * - activities.aggregator_bookings / aggregator_seat_cap: whether aggregators may book the
 *   activity's sessions, and at most how many seats per session they may hold (null: every free
 *   seat, 0: none).
 * - class_sessions.aggregator_booked_count: seats of booked_count held by aggregator bookings. Both
 *   counts change in one conditional UPDATE (takeSeat), so the cap and the capacity hold together
 *   under concurrency, whatever channel books.
 * - wellpass_classes / wellpass_slots: what clubcore published (the remote ids of an activity's
 *   class at a venue, of a session's slot, and the last slot body sent, to skip sending it again).
 * - wellpass_bookings: one row per remote booking number (idempotent on it): the decision taken
 *   inside the webhook request, in the transaction that took the seat, and whether the remote side
 *   has it yet (decision_sent_at).
 * - wellpass_events: webhook event ids handled (deliveries are retried and duplicated).
 * - wellpass_visits: one validated visit per member, venue and local day.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('activities', (t) => {
    t.boolean('aggregator_bookings').notNullable().defaultTo(false);
    t.integer('aggregator_seat_cap').nullable();
  });
  await db.schema.alterTable('class_sessions', (t) => {
    t.integer('aggregator_booked_count').notNullable().defaultTo(0);
  });
  await db.schema.createTable('wellpass_classes', (t) => {
    t.increments('id');
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.integer('location_id').unsigned().notNullable();
    t.integer('activity_id').unsigned().notNullable();
    t.bigInteger('remote_class_id').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['integration_id', 'location_id', 'activity_id']);
  });
  await db.schema.createTable('wellpass_slots', (t) => {
    t.increments('id');
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.integer('session_id').unsigned().notNullable();
    t.bigInteger('remote_class_id').notNullable();
    t.bigInteger('remote_slot_id').nullable(); // null once the slot was withdrawn
    t.text('sent_body').nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['integration_id', 'session_id']);
    t.index(['integration_id', 'remote_slot_id']);
  });
  await db.schema.createTable('wellpass_bookings', (t) => {
    t.increments('id');
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.string('booking_number', 100).notNullable();
    t.string('unique_token', 191).notNullable();
    t.string('venue', 100).notNullable(); // the gym id the request named
    t.bigInteger('remote_slot_id').notNullable();
    t.integer('session_id').unsigned().nullable();
    t.integer('client_id').unsigned().nullable();
    t.integer('booking_id').unsigned().nullable();
    // reserved | rejected | cancelled | late_cancelled | cancelled_by_gym
    t.string('status', 20).notNullable();
    t.string('reason_category', 60).nullable();
    t.datetime('decision_sent_at', { precision: 3 }).nullable(); // null: the remote side does not have the latest decision yet
    t.integer('send_attempts').notNullable().defaultTo(0);
    t.string('send_error', 500).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['integration_id', 'booking_number']);
    t.index(['integration_id', 'decision_sent_at']);
    t.index(['session_id']);
  });
  await db.schema.createTable('wellpass_events', (t) => {
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.string('event_id', 100).notNullable();
    t.string('event_type', 40).notNullable();
    t.datetime('received_at', { precision: 3 }).notNullable();
    t.primary(['integration_id', 'event_id']);
  });
  await db.schema.createTable('wellpass_visits', (t) => {
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.integer('client_id').unsigned().notNullable();
    t.integer('location_id').unsigned().notNullable();
    t.string('day', 10).notNullable(); // YYYY-MM-DD in the location's time zone
    t.integer('door_event_id').unsigned().notNullable();
    t.datetime('validated_at', { precision: 3 }).notNullable();
    t.primary(['integration_id', 'client_id', 'location_id', 'day']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['wellpass_visits', 'wellpass_events', 'wellpass_bookings', 'wellpass_slots', 'wellpass_classes']) await db.schema.dropTableIfExists(table);
  await db.schema.alterTable('class_sessions', (t) => t.dropColumn('aggregator_booked_count'));
  await db.schema.alterTable('activities', (t) => {
    t.dropColumn('aggregator_bookings');
    t.dropColumn('aggregator_seat_cap');
  });
}
