import type { Knex } from 'knex';

/*
 * outbox_consumers.topics: the topics a consumer reads, as ",client,door_event," (null: every
 * topic, as for consumers registered before this column). A write path records an event only
 * while some consumer reads its topic (src/outbox/service.ts), so a club without such an
 * integration pays nothing for the outbox: a month of visits at a million members was half as
 * fast to sync with every door event recorded.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('outbox_consumers', (t) => {
    t.string('topics', 255).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('outbox_consumers', (t) => {
    t.dropColumn('topics');
  });
}
