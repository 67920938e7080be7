import type { Knex } from 'knex';

/*
 * The club domain and the integration bookkeeping. Runs unchanged on MySQL and SQLite.
 * Timestamps are always written by the application (never DB defaults): SQLite would
 * otherwise mix text defaults with the epoch milliseconds knex binds for Date values.
 */

function timestamps(t: Knex.CreateTableBuilder) {
  t.datetime('created_at', { precision: 3 }).notNullable();
  t.datetime('updated_at', { precision: 3 }).notNullable();
}

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('identity_types', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable().unique();
    t.string('kind', 40).notNullable();
    t.integer('max_per_client').notNullable().defaultTo(1);
    t.integer('min_days_between_changes').notNullable().defaultTo(0);
    t.boolean('active').notNullable().defaultTo(true);
    timestamps(t);
  });

  await db.schema.createTable('locations', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('timezone', 64).notNullable();
    t.bigInteger('perfect_gym_club_id').nullable().unique();
    t.string('egym_location_id', 100).nullable().unique();
    timestamps(t);
  });

  await db.schema.createTable('doors', (t) => {
    t.increments('id');
    t.integer('location_id').unsigned().notNullable().references('locations.id');
    t.string('title', 200).notNullable();
    t.string('door_code', 100).notNullable().unique();
    t.string('type', 20).notNullable();
    t.boolean('access_control').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true);
    timestamps(t);
    t.index(['location_id']);
  });

  await db.schema.createTable('clients', (t) => {
    t.increments('id');
    t.string('first_name', 100).notNullable();
    t.string('last_name', 100).notNullable();
    t.string('email', 255).nullable();
    t.string('phone', 50).nullable();
    t.string('birth_date', 10).nullable(); // YYYY-MM-DD: a calendar date, no time zone
    t.integer('home_location_id').unsigned().nullable().references('locations.id');
    t.string('status', 20).notNullable().defaultTo('active'); // active | inactive
    t.string('password_hash', 255).nullable();
    t.string('member_number', 50).nullable();
    t.string('source', 40).nullable(); // e.g. perfect_gym
    t.bigInteger('source_version').nullable(); // remote row version, for "only if newer" upserts
    timestamps(t);
    t.index(['email']);
    t.index(['member_number']);
    t.index(['home_location_id']);
  });

  await db.schema.createTable('client_identities', (t) => {
    t.increments('id');
    t.integer('client_id').unsigned().notNullable().references('clients.id');
    t.integer('identity_type_id').unsigned().notNullable().references('identity_types.id');
    t.string('value', 191).notNullable();
    timestamps(t);
    t.unique(['identity_type_id', 'value']);
    t.index(['client_id']);
  });

  // Audit trail of identity changes; also what "min days between changes" is measured against.
  await db.schema.createTable('identity_changes', (t) => {
    t.increments('id');
    t.integer('client_id').unsigned().notNullable().references('clients.id');
    t.integer('identity_type_id').unsigned().notNullable().references('identity_types.id');
    t.string('old_value', 191).nullable();
    t.string('new_value', 191).nullable();
    t.string('actor', 100).notNullable(); // staff:<id>, client:<id>, integration:<id>, system
    t.datetime('changed_at', { precision: 3 }).notNullable();
    t.index(['client_id', 'identity_type_id', 'changed_at']);
  });

  await db.schema.createTable('activities', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    timestamps(t);
  });

  await db.schema.createTable('packages', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('alt_id', 191).nullable().unique(); // payment_plan_<id> | product_<id>
    timestamps(t);
  });

  await db.schema.createTable('package_activities', (t) => {
    t.integer('package_id').unsigned().notNullable().references('packages.id').onDelete('CASCADE');
    t.integer('activity_id').unsigned().notNullable().references('activities.id');
    t.primary(['package_id', 'activity_id']);
  });

  // No rows for a package = valid at every location.
  await db.schema.createTable('package_locations', (t) => {
    t.integer('package_id').unsigned().notNullable().references('packages.id').onDelete('CASCADE');
    t.integer('location_id').unsigned().notNullable().references('locations.id');
    t.primary(['package_id', 'location_id']);
  });

  // package_id is null while no package carries alt_id yet (a pending assignment from a sync);
  // creating a package with that alt id fills it in.
  await db.schema.createTable('client_packages', (t) => {
    t.increments('id');
    t.integer('client_id').unsigned().notNullable().references('clients.id');
    t.integer('package_id').unsigned().nullable().references('packages.id');
    t.string('alt_id', 191).nullable();
    t.string('source', 40).notNullable(); // manual | perfect_gym
    t.string('source_ref', 100).notNullable(); // e.g. contract:<id>, member_product:<id>
    t.integer('integration_id').unsigned().nullable();
    t.datetime('starts_at', { precision: 3 }).nullable();
    t.datetime('ends_at', { precision: 3 }).nullable();
    t.string('status', 20).notNullable(); // active | suspended | ended
    t.bigInteger('source_version').nullable();
    timestamps(t);
    t.unique(['source', 'source_ref']);
    t.index(['client_id']);
    t.index(['alt_id', 'package_id']);
  });

  await db.schema.createTable('class_sessions', (t) => {
    t.increments('id');
    t.integer('activity_id').unsigned().notNullable().references('activities.id');
    t.integer('location_id').unsigned().notNullable().references('locations.id');
    t.datetime('starts_at', { precision: 3 }).notNullable();
    t.datetime('ends_at', { precision: 3 }).notNullable();
    t.integer('capacity').notNullable();
    // Seats taken, changed only by a conditional UPDATE (booked_count < capacity): never overbooks.
    t.integer('booked_count').notNullable().defaultTo(0);
    t.string('instructor', 200).nullable();
    t.string('status', 20).notNullable().defaultTo('scheduled'); // scheduled | cancelled
    timestamps(t);
    t.index(['location_id', 'starts_at']);
  });

  await db.schema.createTable('bookings', (t) => {
    t.increments('id');
    t.integer('session_id').unsigned().notNullable().references('class_sessions.id');
    t.integer('client_id').unsigned().notNullable().references('clients.id');
    t.string('status', 20).notNullable(); // booked | cancelled | attended | no_show
    t.string('source', 40).notNullable().defaultTo('app');
    t.datetime('cancelled_at', { precision: 3 }).nullable();
    t.datetime('attended_at', { precision: 3 }).nullable();
    timestamps(t);
    t.unique(['session_id', 'client_id']); // a re-booking reuses the row
    t.index(['client_id', 'status']);
  });

  await db.schema.createTable('door_access_events', (t) => {
    t.increments('id');
    t.integer('door_id').unsigned().nullable().references('doors.id');
    t.integer('location_id').unsigned().notNullable().references('locations.id');
    t.integer('client_id').unsigned().nullable().references('clients.id');
    t.datetime('occurred_at', { precision: 3 }).notNullable();
    t.string('source', 40).notNullable(); // manual | perfect_gym
    t.string('source_ref', 100).notNullable(); // e.g. visit:<id>
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['source', 'source_ref']);
    t.index(['client_id', 'occurred_at']);
    t.index(['location_id', 'occurred_at']);
  });

  await db.schema.createTable('staff_users', (t) => {
    t.increments('id');
    t.string('email', 191).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('role', 20).notNullable(); // admin | manager
    t.string('password_hash', 255).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    timestamps(t);
  });

  await db.schema.createTable('auth_sessions', (t) => {
    t.increments('id');
    t.string('token_hash', 64).notNullable().unique(); // sha256 hex of the bearer token
    t.string('subject_type', 10).notNullable(); // client | staff
    t.integer('subject_id').unsigned().notNullable();
    t.string('method', 40).notNullable(); // password | perfect_gym | egym | staff_password
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['subject_type', 'subject_id']);
  });

  await db.schema.createTable('integrations', (t) => {
    t.increments('id');
    t.string('type', 40).notNullable();
    t.string('name', 200).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.text('config').notNullable(); // JSON, validated by the type's schema
    t.text('secrets_encrypted').nullable(); // AES-256-GCM of the secrets JSON
    t.string('credentials_status', 20).notNullable().defaultTo('unknown'); // unknown | ok | failing
    t.string('credentials_detail', 500).nullable();
    timestamps(t);
  });

  await db.schema.createTable('sync_cursors', (t) => {
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.string('stream', 60).notNullable();
    t.string('cursor', 100).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.primary(['integration_id', 'stream']);
  });

  await db.schema.createTable('sync_runs', (t) => {
    t.increments('id');
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.string('kind', 20).notNullable(); // initial | clients | access
    t.string('scope', 100).notNullable(); // all | location:<id>
    t.string('trigger', 20).notNullable(); // manual | schedule | webhook | demo
    t.string('status', 20).notNullable(); // queued | running | succeeded | failed | cancelled
    // Set while queued or running, null after: the unique index allows one active run per scope.
    t.string('active_key', 191).nullable().unique();
    t.text('progress').notNullable(); // JSON counters
    t.text('checkpoint').nullable(); // JSON: where a resumed run continues
    t.text('error').nullable();
    t.string('lease_owner', 100).nullable();
    t.datetime('lease_expires_at', { precision: 3 }).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('started_at', { precision: 3 }).nullable();
    t.datetime('finished_at', { precision: 3 }).nullable();
    t.index(['integration_id', 'created_at']);
    t.index(['status']);
  });

  await db.schema.createTable('sync_issues', (t) => {
    t.increments('id');
    t.integer('integration_id').unsigned().notNullable().references('integrations.id').onDelete('CASCADE');
    t.string('kind', 40).notNullable(); // missingPackage | noDoor | ...
    t.string('issue_key', 191).notNullable(); // e.g. payment_plan_24, location:3
    t.text('detail').nullable();
    t.integer('count').notNullable().defaultTo(0);
    t.datetime('first_seen_at', { precision: 3 }).notNullable();
    t.datetime('last_seen_at', { precision: 3 }).notNullable();
    t.datetime('resolved_at', { precision: 3 }).nullable();
    t.unique(['integration_id', 'kind', 'issue_key']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'sync_issues', 'sync_runs', 'sync_cursors', 'integrations', 'auth_sessions', 'staff_users',
    'door_access_events', 'bookings', 'class_sessions', 'client_packages', 'package_locations',
    'package_activities', 'packages', 'activities', 'identity_changes', 'client_identities',
    'clients', 'doors', 'locations', 'identity_types',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
}
