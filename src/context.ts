import type { Knex } from 'knex';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/**
 * What every service needs, passed in explicitly (no globals), so tests can build
 * any slice of the system on a real database.
 */
export interface AppContext {
  config: Config;
  db: Knex;
  logger: Logger;
  /** Injectable clock for rules that depend on "now". */
  now: () => Date;
}
