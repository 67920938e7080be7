import cron from 'node-cron';
import type { AppContext } from '../context.js';
import { claimScheduleSlot, enqueueRun } from './runs.js';
import type { JobCatalog } from './types.js';
import { startWorker, type WorkerOptions } from './worker.js';

/**
 * Queues every scheduled job that is due. The slot is claimed with a conditional UPDATE on
 * job_schedules, so however many instances tick at once, each job is queued once per interval.
 */
export async function enqueueDueJobs(ctx: AppContext, jobs: JobCatalog): Promise<number> {
  let queued = 0;
  const now = ctx.now();
  for (const { integrationId, kind, everyMinutes } of await jobs.scheduledJobs(ctx)) {
    if (!(await claimScheduleSlot(ctx.db, integrationId, kind, now, everyMinutes))) continue;
    const { created } = await enqueueRun(ctx, { integrationId, kind, scope: 'all', trigger: 'schedule' });
    if (created) queued++;
  }
  return queued;
}

/** The run worker plus a node-cron tick (every minute by default) that queues due jobs. */
export function startScheduler(ctx: AppContext, jobs: JobCatalog, opts: WorkerOptions & { cronExpression?: string } = {}): { stop(): Promise<void> } {
  const worker = startWorker(ctx, jobs, opts);
  const tick = () =>
    enqueueDueJobs(ctx, jobs).catch((err) => {
      ctx.logger.error({ err }, 'scheduling sync jobs failed');
      return 0;
    });
  const task = cron.schedule(opts.cronExpression ?? '* * * * *', () => void tick());
  void tick();
  return {
    async stop() {
      await task.stop();
      await worker.stop();
    },
  };
}
