import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import supertest from 'supertest';
import { hashPassword } from '../../src/auth/passwords.js';
import { createSession } from '../../src/auth/sessions.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  ctx: AppContext;
  database: TestDatabase;
  /** Base URL of the real server listening on 127.0.0.1:<random port>. */
  url: string;
  http: ReturnType<typeof supertest>;
  /** A bearer token for a new staff user with that role. */
  staffToken(role?: 'admin' | 'manager'): Promise<string>;
  /** A bearer token for an existing client. */
  clientToken(clientId: number): Promise<string>;
  close(): Promise<void>;
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false', DATABASE_URL: databaseUrl, ...env });
}

/** A real server on port 0 over a fresh database of its own (or `database`); `logTo` receives its log lines (tests that read the log). */
export async function startTestApp(env: Record<string, string> = {}, opts: { logTo?: DestinationStream; database?: TestDatabase } = {}): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase());
  const config = testConfig(database.url, env);
  const ctx: AppContext = { config, db: database.db, logger: createLogger(config.LOG_LEVEL, opts.logTo), metrics: createMetrics(), now: () => new Date() };
  const server: Server = createApp(ctx).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let staffCount = 0;
  return {
    ctx,
    database,
    url,
    http: supertest(url),
    async staffToken(role = 'admin') {
      const now = ctx.now();
      const [id] = await ctx.db('staff_users').insert({
        email: `staff${++staffCount}-${Date.now()}@test.clubcore`,
        name: 'Test Staff',
        role,
        password_hash: await hashPassword('staff-password'),
        active: true,
        created_at: now,
        updated_at: now,
      });
      return (await createSession(ctx, { type: 'staff', id: Number(id) }, 'staff_password')).token;
    },
    async clientToken(clientId) {
      return (await createSession(ctx, { type: 'client', id: clientId }, 'password')).token;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await database.drop();
    },
  };
}
