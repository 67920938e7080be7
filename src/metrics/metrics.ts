import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../context.js';
import { countQueuedRuns, lastSuccessfulRuns } from './repository.js';

/**
 * One registry per running app, never prom-client's global one: tests start many apps in one
 * process, and each must count only its own requests and runs.
 */
export interface Metrics {
  registry: Registry;
  /** Its `_count` series is the request count. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  syncRunsFinished: Counter<'integration_type' | 'kind' | 'status'>;
  syncProgress: Counter<'integration_type' | 'kind' | 'counter'>;
  syncSecondsSinceSuccess: Gauge<'integration_id' | 'kind'>;
  syncRunsQueued: Gauge;
  signinsThrottled: Counter<'kind'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Unprefixed (process_*, nodejs_*): the names that ready-made Node.js dashboards expect.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const signinsThrottled = new Counter({
    name: 'clubcore_signins_throttled_total',
    help: 'Sign-ins refused because the login or address had too many recent failures, by kind (member | staff)',
    labelNames: ['kind'] as const,
    registers,
  });
  // Present from the first scrape, so increase() also sees the first refusal of each kind.
  for (const kind of ['member', 'staff']) signinsThrottled.inc({ kind }, 0);
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'clubcore_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern ("unmatched" when no route matched) and status, with their latency',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    syncRunsFinished: new Counter({
      name: 'clubcore_sync_runs_finished_total',
      help: 'Sync runs this instance finished, by integration type, kind and status (succeeded | failed)',
      labelNames: ['integration_type', 'kind', 'status'],
      registers,
    }),
    syncProgress: new Counter({
      name: 'clubcore_sync_progress_total',
      help: 'Progress counters committed with each applied page (rows seen, created, updated, skipped; pages), by integration type, kind and counter',
      labelNames: ['integration_type', 'kind', 'counter'],
      registers,
    }),
    syncSecondsSinceSuccess: new Gauge({
      name: 'clubcore_sync_seconds_since_last_success',
      help: 'Seconds since the last successful sync run of each integration and kind (read from the database at scrape time)',
      labelNames: ['integration_id', 'kind'],
      registers,
    }),
    syncRunsQueued: new Gauge({
      name: 'clubcore_sync_runs_queued',
      help: 'Sync runs waiting for a worker (read from the database at scrape time)',
      registers,
    }),
    signinsThrottled,
  };
}

export function countThrottledSignin(metrics: Metrics, kind: 'member' | 'staff'): void {
  metrics.signinsThrottled.inc({ kind });
}

/**
 * The exposition text. The sync gauges are read from sync_runs now, so every instance reports
 * the same values whichever worker ran the runs.
 */
export async function scrape(ctx: AppContext): Promise<string> {
  const { registry, syncSecondsSinceSuccess, syncRunsQueued } = ctx.metrics;
  const [lastSuccesses, queued] = await Promise.all([lastSuccessfulRuns(ctx.db), countQueuedRuns(ctx.db)]);
  const now = ctx.now().getTime();
  syncSecondsSinceSuccess.reset(); // a deleted integration drops out instead of aging forever
  for (const { integrationId, kind, finishedAt } of lastSuccesses) {
    syncSecondsSinceSuccess.set({ integration_id: String(integrationId), kind }, Math.max(0, (now - finishedAt.getTime()) / 1000));
  }
  syncRunsQueued.set(queued);
  return registry.metrics();
}
