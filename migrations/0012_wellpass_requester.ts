import type { Knex } from 'knex';

/*
 * wellpass_bookings.member_name and member_email: who made a request, as the event named them. A
 * member refused before clubcore knew them (class full, say) has no client to hold that, and staff
 * reading the requests log need to know who was turned away.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('wellpass_bookings', (t) => {
    t.string('member_name', 300).nullable();
    t.string('member_email', 300).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('wellpass_bookings', (t) => {
    t.dropColumn('member_name');
    t.dropColumn('member_email');
  });
}
