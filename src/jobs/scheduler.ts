import type { AppContext } from '../context.js';

// Placeholder: the run worker and node-cron schedules are being built.
export function startScheduler(_ctx: AppContext): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
