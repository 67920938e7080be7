import type { AppContext } from '../context.js';
import { claimRun, finishRun, getCheckpoint, recordPage, renewLease, runQueued } from './runs.js';
import type { JobCatalog, RunContext, SyncRun } from './types.js';

export interface WorkerOptions {
  /** How often to look for queued runs. */
  pollMs?: number;
  /** Lease length; renewed every third of it. A killed worker's run is taken over after this. */
  leaseMs?: number;
  /** Runs executed at once (default WORKER_CONCURRENCY). */
  concurrency?: number;
}

/**
 * Polls for runs, claims them with a lease, and executes the job the catalog names for each, up to
 * `concurrency` at once. One loop looks for work at a time: a loop that claims a run lets another
 * start looking (while there is room), and a loop that finds none ends.
 */
export function startWorker(ctx: AppContext, jobs: JobCatalog, opts: WorkerOptions = {}): { stop(): Promise<void> } {
  const pollMs = opts.pollMs ?? 1000;
  const leaseMs = opts.leaseMs ?? 60_000;
  const concurrency = opts.concurrency ?? ctx.config.WORKER_CONCURRENCY;
  const owner = ctx.config.INSTANCE_ID;
  const stopping = new AbortController();
  const loops = new Set<Promise<void>>();
  let looking = false;

  async function execute(run: SyncRun) {
    const lease = new AbortController();
    const onStop = () => lease.abort();
    stopping.signal.addEventListener('abort', onStop);
    const heartbeat = setInterval(() => {
      void renewLease(ctx, run.id, owner, leaseMs).then((held) => held || lease.abort(), () => undefined);
    }, leaseMs / 3);
    let jobOwner = 'unknown';
    const progress = { ...run.progress };
    const log = ctx.logger.child({ runId: run.id, integrationId: run.integrationId, kind: run.kind, scope: run.scope, trigger: run.trigger });
    const finished = (status: 'succeeded' | 'failed') => {
      // A run whose lease was lost is finished, and counted, by the worker that took it over.
      if (lease.signal.aborted) return;
      ctx.metrics.syncRunsFinished.inc({ integration_type: jobOwner, kind: run.kind, status });
    };
    try {
      const job = await jobs.jobFor(ctx, run);
      jobOwner = job.owner;
      log.info({ integrationType: jobOwner, resumed: run.startedAt !== null && Object.keys(run.progress).length > 0 }, 'sync run started');
      const progressLabels = { integration_type: job.owner, kind: run.kind };
      const rc: RunContext = {
        ctx,
        run,
        checkpoint: await getCheckpoint(ctx.db, run.id),
        commitPage: async (db, increments, checkpoint) => {
          for (const [k, v] of Object.entries(increments)) progress[k] = (progress[k] ?? 0) + v;
          await recordPage(db, run.id, owner, progress, checkpoint);
          // Counted once the page is recorded: commitPage is the last statement of the page's transaction.
          for (const [counter, v] of Object.entries(increments)) ctx.metrics.syncProgress.inc({ ...progressLabels, counter }, v);
        },
        signal: lease.signal,
      };
      await job.execute(rc);
      await finishRun(ctx, run.id, owner, 'succeeded', null);
      log.info({ integrationType: jobOwner, progress }, 'sync run succeeded');
      finished('succeeded');
    } catch (err) {
      if (stopping.signal.aborted) {
        log.info({ progress }, 'sync run interrupted by shutdown; another worker resumes it when the lease expires');
        return;
      }
      log.warn({ integrationType: jobOwner, progress, err: (err as Error).message }, 'sync run failed');
      await finishRun(ctx, run.id, owner, 'failed', (err as Error).message);
      finished('failed');
    } finally {
      clearInterval(heartbeat);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  /** Claims a run as the one loop looking; a claim lets the next loop start looking. */
  async function claimNext() {
    looking = true;
    let run: SyncRun | null = null;
    try {
      run = await claimRun(ctx, owner, leaseMs);
    } finally {
      looking = false;
    }
    if (run) tick();
    return run;
  }

  function tick() {
    if (looking || loops.size >= concurrency || stopping.signal.aborted) return;
    const loop: Promise<void> = (async () => {
      try {
        for (let run = await claimNext(); run && !stopping.signal.aborted; run = await claimNext()) await execute(run);
      } catch (err) {
        ctx.logger.error({ err }, 'sync worker tick failed');
      }
    })().finally(() => loops.delete(loop));
    loops.add(loop);
  }

  const timer = setInterval(tick, pollMs);
  runQueued.on('queued', tick);
  tick();
  return {
    async stop() {
      stopping.abort();
      clearInterval(timer);
      runQueued.off('queued', tick);
      await Promise.all(loops);
    },
  };
}
