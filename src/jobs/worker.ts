import type { AppContext } from '../context.js';
import { registry } from '../integrations/registry.js';
import { getIntegration } from '../integrations/service.js';
import type { Integration, RunHandle, SyncRun } from '../integrations/types.js';
import { claimRun, finishRun, getCheckpoint, recordPage, renewLease, runQueued } from './runs.js';

export interface WorkerOptions {
  /** How often to look for queued runs. */
  pollMs?: number;
  /** Lease length; renewed every third of it. A killed worker's run is taken over after this. */
  leaseMs?: number;
}

/** Polls for runs, claims one at a time with a lease, and runs the integration type's job for it. */
export function startWorker(ctx: AppContext, opts: WorkerOptions = {}): { stop(): Promise<void> } {
  const pollMs = opts.pollMs ?? 1000;
  const leaseMs = opts.leaseMs ?? 60_000;
  const owner = ctx.config.INSTANCE_ID;
  const stopping = new AbortController();
  let current: Promise<void> | null = null;

  async function execute(run: SyncRun) {
    const lease = new AbortController();
    const onStop = () => lease.abort();
    stopping.signal.addEventListener('abort', onStop);
    const heartbeat = setInterval(() => {
      void renewLease(ctx, run.id, owner, leaseMs).then((held) => held || lease.abort(), () => undefined);
    }, leaseMs / 3);
    let integration: Integration | null = null;
    const countFinished = (status: 'succeeded' | 'failed') => {
      // A run whose lease was lost is finished, and counted, by the worker that took it over.
      if (lease.signal.aborted) return;
      ctx.metrics.syncRunsFinished.inc({ integration_type: integration?.type ?? 'unknown', kind: run.kind, status });
    };
    try {
      integration = await getIntegration(ctx, run.integrationId);
      const job = integration && registry[integration.type].jobs[run.kind];
      if (!integration || !job) throw new Error(`Integration ${run.integrationId} cannot run ${run.kind} syncs`);
      if (!integration.active) throw new Error(`Integration ${integration.name} is inactive; activate it to sync`);
      const progress = { ...run.progress };
      const progressLabels = { integration_type: integration.type, kind: run.kind };
      const handle: RunHandle = {
        ctx,
        run,
        integration,
        checkpoint: await getCheckpoint(ctx.db, run.id),
        commitPage: async (db, increments, checkpoint) => {
          for (const [k, v] of Object.entries(increments)) progress[k] = (progress[k] ?? 0) + v;
          await recordPage(db, run.id, owner, progress, checkpoint);
          // Counted once the page is recorded: commitPage is the last statement of the page's transaction.
          for (const [counter, v] of Object.entries(increments)) ctx.metrics.syncProgress.inc({ ...progressLabels, counter }, v);
        },
        signal: lease.signal,
      };
      await job(handle);
      await finishRun(ctx, run.id, owner, 'succeeded', null);
      countFinished('succeeded');
    } catch (err) {
      if (stopping.signal.aborted) return; // leave it running: the lease expires and another worker resumes it
      ctx.logger.warn({ runId: run.id, err: (err as Error).message }, 'sync run failed');
      await finishRun(ctx, run.id, owner, 'failed', (err as Error).message);
      countFinished('failed');
    } finally {
      clearInterval(heartbeat);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  async function tick() {
    if (current || stopping.signal.aborted) return;
    current = (async () => {
      try {
        for (let run = await claimRun(ctx, owner, leaseMs); run && !stopping.signal.aborted; run = await claimRun(ctx, owner, leaseMs)) {
          await execute(run);
        }
      } catch (err) {
        ctx.logger.error({ err }, 'sync worker tick failed');
      }
    })().finally(() => {
      current = null;
    });
  }

  const timer = setInterval(() => void tick(), pollMs);
  const wake = () => void tick();
  runQueued.on('queued', wake);
  void tick();
  return {
    async stop() {
      stopping.abort();
      clearInterval(timer);
      runQueued.off('queued', wake);
      await current;
    },
  };
}
