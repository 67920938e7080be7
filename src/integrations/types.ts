import type { AppContext } from '../context.js';
import type { Db } from '../db/knex.js';

export type IntegrationType = 'perfect_gym' | 'egym_bma';

export interface Integration<C = Record<string, unknown>, S = Record<string, unknown>> {
  id: number;
  type: IntegrationType;
  name: string;
  active: boolean;
  config: C;
  /** null when the SECRETS_KEY this instance runs with cannot decrypt them: read them with secretsOf(). */
  secrets: S | null;
  credentialsStatus: 'unknown' | 'ok' | 'failing';
  credentialsDetail: string | null;
  createdAt: string;
  updatedAt: string;
}

export type RunKind = 'initial' | 'clients' | 'access';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RunTrigger = 'manual' | 'schedule' | 'webhook' | 'demo';

export interface SyncRun {
  id: number;
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
export interface RunHandle {
  ctx: AppContext;
  run: SyncRun;
  integration: Integration;
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

export type JobHandler = (handle: RunHandle) => Promise<void>;
