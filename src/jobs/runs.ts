import { EventEmitter } from 'node:events';
import type { AppContext } from '../context.js';
import { readDate, type Db } from '../db/knex.js';
import { AppError } from '../errors.js';
import type { RunKind, RunStatus, RunTrigger, SyncRun } from './types.js';

/*
 * Runs live in sync_runs. `active_key` is "<integration>:<kind>:<scope>:queued" while queued and
 * "...:running" while running, null after: the unique index allows one queued and one running run
 * per job, so a burst of triggers collapses into one follow-up run and two workers can never run
 * the same job at once. A running run holds a lease (owner + expiry) that its worker renews; a
 * killed worker's lease expires and another worker takes the run over from its checkpoint.
 */

type Row = Record<string, any>;

/** Tells this process's worker a run was queued, so it starts at once instead of at its next poll. */
export const runQueued = new EventEmitter();

function toRun(r: Row): SyncRun {
  return {
    id: r.id,
    integrationId: r.integration_id,
    kind: r.kind,
    scope: r.scope,
    trigger: r.trigger,
    status: r.status,
    progress: JSON.parse(r.progress),
    error: r.error,
    createdAt: readDate(r.created_at).toISOString(),
    startedAt: readDate(r.started_at)?.toISOString() ?? null,
    finishedAt: readDate(r.finished_at)?.toISOString() ?? null,
  };
}

const jobKey = (integrationId: number, kind: RunKind, scope: string) => `${integrationId}:${kind}:${scope}`;

export async function getRun(db: Db, id: number): Promise<SyncRun | null> {
  const r = await db('sync_runs').where({ id }).first();
  return r ? toRun(r) : null;
}

export async function getCheckpoint(db: Db, id: number): Promise<unknown> {
  const r = await db('sync_runs').where({ id }).first('checkpoint');
  return r?.checkpoint ? JSON.parse(r.checkpoint) : null;
}

export async function listRunsPage(db: Db, integrationId: number, beforeId: number, limit: number): Promise<SyncRun[]> {
  const q = db('sync_runs').where({ integration_id: integrationId }).orderBy('id', 'desc').limit(limit + 1);
  if (beforeId) q.where('id', '<', beforeId);
  return (await q).map(toRun);
}

export async function findActiveRun(db: Db, integrationId: number): Promise<SyncRun | null> {
  const r = await db('sync_runs').where({ integration_id: integrationId }).whereNotNull('active_key').orderBy('id').first();
  return r ? toRun(r) : null;
}

async function activeRuns(db: Db, key: string): Promise<SyncRun[]> {
  return (await db('sync_runs').whereIn('active_key', [`${key}:queued`, `${key}:running`]).orderBy('id')).map(toRun);
}

/**
 * Queues a run. Manual triggers get a 409 while a run of that job and scope is queued or running;
 * schedule and webhook triggers may queue one follow-up behind a running run, and otherwise join
 * the queued one (returned as is).
 */
export async function enqueueRun(
  ctx: AppContext,
  input: { integrationId: number; kind: RunKind; scope: string; trigger: RunTrigger },
): Promise<{ run: SyncRun; created: boolean }> {
  const key = jobKey(input.integrationId, input.kind, input.scope);
  // A lost insert race is retried: the winner may already have been claimed (running) by the time
  // we look, and then this trigger still needs a queued follow-up of its own.
  for (let attempt = 1; ; attempt++) {
    const active = await activeRuns(ctx.db, key);
    if (input.trigger === 'manual' && active.length) {
      const scope = input.scope === 'all' ? 'every location' : input.scope.replace(/^location:/, 'location ');
      throw AppError.conflict(`The ${input.kind} run for ${scope} is already ${active[0]!.status} (run ${active[0]!.id}); wait for it to finish`, 'runActive');
    }
    const queued = active.find((r) => r.status === 'queued');
    if (queued) return { run: queued, created: false };
    try {
      const [id] = await ctx.db('sync_runs').insert({
        integration_id: input.integrationId, kind: input.kind, scope: input.scope, trigger: input.trigger, status: 'queued',
        active_key: `${key}:queued`, progress: '{}', created_at: ctx.now(),
      });
      runQueued.emit('queued');
      return { run: (await getRun(ctx.db, Number(id)))!, created: true };
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/**
 * Claims one run for this worker: a queued one, or a running one whose lease expired.
 * The conditional UPDATE is the lock; the unique active_key keeps a second copy of a job from running.
 */
export async function claimRun(ctx: AppContext, owner: string, leaseMs: number): Promise<SyncRun | null> {
  const now = ctx.now();
  const candidates = await ctx.db('sync_runs')
    .where({ status: 'queued' })
    .orWhere((q) => q.where({ status: 'running' }).andWhere('lease_expires_at', '<', now))
    .orderBy('id')
    .limit(10)
    .select('id', 'integration_id', 'kind', 'scope', 'status');
  for (const c of candidates) {
    try {
      const changed = await ctx.db('sync_runs')
        .where({ id: c.id })
        .andWhere((q) => q.where({ status: 'queued' }).orWhere((q2) => q2.where({ status: 'running' }).andWhere('lease_expires_at', '<', now)))
        .update({
          status: 'running', active_key: `${jobKey(c.integration_id, c.kind, c.scope)}:running`, lease_owner: owner,
          lease_expires_at: new Date(now.getTime() + leaseMs), started_at: now,
        });
      if (Number(changed) === 1) return getRun(ctx.db, c.id);
    } catch {
      // Another run of the same job is running (unique active_key): leave this one queued.
    }
  }
  return null;
}

/** Extends the lease; false when another worker has taken the run over. */
export async function renewLease(ctx: AppContext, runId: number, owner: string, leaseMs: number): Promise<boolean> {
  const changed = await ctx.db('sync_runs')
    .where({ id: runId, lease_owner: owner, status: 'running' })
    .update({ lease_expires_at: new Date(ctx.now().getTime() + leaseMs) });
  return Number(changed) === 1;
}

/**
 * Stores a run's progress counters and, when given, where to resume, in one UPDATE. Called inside
 * the transaction that applies a page, so both always match what committed; refused (and the page
 * rolled back) when another worker has taken the run over.
 */
export async function recordPage(db: Db, runId: number, owner: string, progress: Record<string, number>, checkpoint?: unknown): Promise<void> {
  const changed = await db('sync_runs')
    .where({ id: runId, lease_owner: owner })
    .update({ progress: JSON.stringify(progress), ...(checkpoint === undefined ? {} : { checkpoint: JSON.stringify(checkpoint) }) });
  if (Number(changed) !== 1) throw new Error(`Run ${runId} was taken over by another worker; this page is not committed here`);
}

export async function finishRun(ctx: AppContext, runId: number, owner: string, status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>, error: string | null): Promise<void> {
  await ctx.db('sync_runs')
    .where({ id: runId, lease_owner: owner })
    .update({ status, error: error?.slice(0, 2000) ?? null, active_key: null, lease_owner: null, lease_expires_at: null, finished_at: ctx.now() });
}

/**
 * Claims this interval of a scheduled job: true for exactly one caller per interval, however many
 * instances ask at once (the conditional UPDATE moves next_due_at forward only once).
 */
/** When each scheduled job of these integrations is next due, by "<integration>:<job>" (absent: never claimed yet, so due at the scheduler's next tick). */
export async function nextDueAt(db: Db, integrationIds: number[]): Promise<Map<string, Date>> {
  if (!integrationIds.length) return new Map();
  const rows = await db('job_schedules').whereIn('integration_id', integrationIds).select('integration_id', 'job', 'next_due_at');
  return new Map(rows.map((r: { integration_id: number; job: string; next_due_at: Date | string }) => [`${r.integration_id}:${r.job}`, readDate(r.next_due_at)]));
}

export async function claimScheduleSlot(db: Db, integrationId: number, job: string, now: Date, everyMinutes: number): Promise<boolean> {
  await db('job_schedules').insert({ integration_id: integrationId, job, next_due_at: now }).onConflict(['integration_id', 'job']).ignore();
  const claimed = await db('job_schedules')
    .where({ integration_id: integrationId, job })
    .where('next_due_at', '<=', now)
    .update({ next_due_at: new Date(now.getTime() + everyMinutes * 60_000) });
  return Number(claimed) === 1;
}
