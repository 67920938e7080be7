import type { Knex } from 'knex';
import * as m0001 from './0001_domain.js';
import * as m0002 from './0002_sync.js';
import * as m0003 from './0003_login_throttle.js';
import * as m0004 from './0004_email_nocase_index.js';
import * as m0005 from './0005_location_links.js';
import * as m0006 from './0006_exact_source_refs.js';
import * as m0007 from './0007_outbox.js';
import * as m0008 from './0008_egym_mms.js';
import * as m0009 from './0009_waitlists.js';
import * as m0010 from './0010_outbox_consumer_topics.js';
import * as m0011 from './0011_wellpass.js';
import * as m0012 from './0012_wellpass_requester.js';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Migrations in order. Listed statically so they run the same compiled and under jest. */
const migrations: Record<string, Migration> = {
  '0001_domain': m0001,
  '0002_sync': m0002,
  '0003_login_throttle': m0003,
  '0004_email_nocase_index': m0004,
  '0005_location_links': m0005,
  '0006_exact_source_refs': m0006,
  '0007_outbox': m0007,
  '0008_egym_mms': m0008,
  '0009_waitlists': m0009,
  '0010_outbox_consumer_topics': m0010,
  '0011_wellpass': m0011,
  '0012_wellpass_requester': m0012,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
