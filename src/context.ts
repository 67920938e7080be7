import type { Knex } from 'knex';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/metrics.js';

/**
 * What every service needs, passed in explicitly (no globals), so tests can build
 * any slice of the system on a real database.
 */
export interface AppContext {
  config: Config;
  db: Knex;
  logger: Logger;
  /** This app's own Prometheus registry and metrics. */
  metrics: Metrics;
  /** Injectable clock for rules that depend on "now". */
  now: () => Date;
}
