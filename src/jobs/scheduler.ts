import cron from 'node-cron';
import type { AppContext } from '../context.js';
import { registry } from '../integrations/registry.js';
import { listActiveIntegrations } from '../integrations/service.js';
import { claimScheduleSlot, enqueueRun } from './runs.js';
import { startWorker, type WorkerOptions } from './worker.js';

/**
 * Queues every scheduled job that is due. The slot is claimed with a conditional UPDATE on
 * job_schedules, so however many instances tick at once, each job is queued once per interval.
 */
export async function enqueueDueJobs(ctx: AppContext): Promise<number> {
  let queued = 0;
  const now = ctx.now();
  for (const integration of await listActiveIntegrations(ctx)) {
    for (const { job, everyMinutes } of registry[integration.type].schedules(integration)) {
      if (!(await claimScheduleSlot(ctx.db, integration.id, job, now, everyMinutes))) continue;
      const { created } = await enqueueRun(ctx, { integrationId: integration.id, kind: job, scope: 'all', trigger: 'schedule' });
      if (created) queued++;
    }
  }
  return queued;
}

/** The run worker plus a node-cron tick (every minute by default) that queues due jobs. */
export function startScheduler(ctx: AppContext, opts: WorkerOptions & { cronExpression?: string } = {}): { stop(): Promise<void> } {
  const worker = startWorker(ctx, opts);
  const tick = () =>
    enqueueDueJobs(ctx).catch((err) => {
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
