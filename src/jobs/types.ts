import type { AppContext } from '../context.js';
import type { Db } from '../db/knex.js';

/** A job's name within its owner, e.g. "clients" or "initial"; owners declare their own. */
export type RunKind = string;
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RunTrigger = 'manual' | 'schedule' | 'webhook' | 'demo';

export interface SyncRun {
  id: number;
  /** The integration the run belongs to: jobs/ stores it and hands it back, never interprets it. */
  integrationId: number;
  kind: RunKind;
  scope: string;
  trigger: RunTrigger;
  status: RunStatus;
  progress: Record<string, number>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What a job gets from the worker that claimed its run. */
export interface RunContext {
  ctx: AppContext;
  run: SyncRun;
  /** Where an earlier, interrupted attempt of this run got to (null on a fresh run). */
  checkpoint: unknown;
  /**
   * Adds to the progress counters and, when given, stores where to resume. Call it last inside the
   * transaction that applies the page: progress and checkpoint then commit with the page.
   */
  commitPage(db: Db, increments: Record<string, number>, checkpoint?: unknown): Promise<void>;
  /** Aborted when the lease is lost or the process is shutting down. */
  signal: AbortSignal;
}

/** A claimed run's job, ready to execute. */
export interface RunnableJob {
  /** Who runs it (the integration type), for metrics and logs. */
  owner: string;
  execute(rc: RunContext): Promise<void>;
}

/**
 * Where the worker and scheduler find the jobs: handed in by the composition root, so jobs/ knows
 * no integration (or any other owner) by name.
 */
export interface JobCatalog {
  /** The job for a claimed run; rejects with a reason a manager can act on when it cannot run. */
  jobFor(ctx: AppContext, run: SyncRun): Promise<RunnableJob>;
  /** Every job that runs on a schedule now, and how often. */
  scheduledJobs(ctx: AppContext): Promise<{ integrationId: number; kind: RunKind; everyMinutes: number }[]>;
}
