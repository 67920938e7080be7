import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedDemo } from '../seeds/demo.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { createDb } from './db/knex.js';
import { migrateLatest } from './db/migrate.js';
import { startDemo } from './demo.js';
import { createApp } from './app.js';
import { integrationJobs } from './integrations/jobs.js';
import { integrationOutbox } from './integrations/outbox.js';
import { startScheduler } from './jobs/scheduler.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics/metrics.js';
import { startOutboxDrainers } from './outbox/drainers.js';
import { ensureFirstAdmin } from './staff/service.js';

export interface Running {
  ctx: AppContext;
  url: string;
  /** Lines for the operator: demo logins, the first admin's credentials. */
  banner: string[];
  close(): Promise<void>;
}

/** Composition root: config -> db -> services -> http + scheduler, and an orderly shutdown. */
export async function startClubcore(config: Config): Promise<Running> {
  const logger = createLogger(config.LOG_LEVEL);
  const db = createDb(config.databaseUrl);
  const ctx: AppContext = { config, db, logger, metrics: createMetrics(), now: () => new Date() };
  await migrateLatest(db);

  const banner: string[] = [];
  const demoAdmin = { email: 'admin@demo.clubcore', password: 'demo-admin-password' };
  const firstAdmin = await ensureFirstAdmin(ctx, config.demo ? demoAdmin : undefined);
  if (config.demo) banner.push(`Admin sign-in: ${demoAdmin.email} / ${demoAdmin.password} (demo)`);
  else if (firstAdmin) banner.push(`First admin created: ${firstAdmin.email} / ${firstAdmin.password} (shown once; change it)`);
  let demo: Awaited<ReturnType<typeof startDemo>> | null = null;
  if (config.demo) {
    banner.push(...(await seedDemo(ctx)).lines);
    demo = await startDemo(ctx);
    banner.push(...demo.lines);
  }

  const server: Server = createApp(ctx).listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;
  const scheduler = config.SCHEDULER_ENABLED ? startScheduler(ctx, integrationJobs) : null;
  const drainers = config.SCHEDULER_ENABLED ? startOutboxDrainers(ctx, integrationOutbox) : null;
  logger.info({ url, demo: config.demo, database: db.client.config.client }, 'clubcore listening');

  return {
    ctx,
    url,
    banner,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await drainers?.stop();
      await scheduler?.stop();
      await demo?.stop();
      await db.destroy();
    },
  };
}
