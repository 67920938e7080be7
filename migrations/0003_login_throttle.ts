import type { Knex } from 'knex';

/** Failed sign-ins per login and per IP, so clubcore cannot be used to test stolen credentials. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('login_throttle', (t) => {
    t.string('throttle_key', 191).primary(); // login:<login> | ip:<address>
    t.integer('failures').notNullable();
    t.datetime('window_started_at', { precision: 3 }).notNullable();
    t.datetime('blocked_until', { precision: 3 }).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('login_throttle');
}
