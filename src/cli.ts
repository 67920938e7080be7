#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { seedDemo } from '../seeds/demo.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { AppContext } from './context.js';
import { createDb } from './db/knex.js';
import { migrateLatest } from './db/migrate.js';
import { startScheduler } from './jobs/scheduler.js';
import { createLogger } from './logger.js';
import { startClubcore } from './main.js';
import { startEgymIssuer } from './sandbox/egym/issuer.js';
import { startPerfectGymSandbox } from './sandbox/perfect-gym/server.js';
import { createStaffUser } from './staff/service.js';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/** Runs a one-off command against the configured database. */
async function withContext(fn: (ctx: AppContext) => Promise<void>) {
  const cfg = config();
  const db = createDb(cfg.databaseUrl);
  try {
    await fn({ config: cfg, db, logger: createLogger(cfg.LOG_LEVEL), now: () => new Date() });
  } finally {
    await db.destroy();
  }
}

function onSignal(close: () => Promise<void>) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0)));
  }
}

const program = new Command('clubcore').description('clubcore: club-app backend');

program
  .command('serve')
  .description('start the HTTP server (and, with no DATABASE_URL outside production, the zero-config demo)')
  .action(async () => {
    const running = await startClubcore(config());
    console.log(`\nclubcore is up at ${running.url}`);
    for (const line of running.banner) console.log(`  ${line}`);
    onSignal(running.close);
  });

program
  .command('worker')
  .description('run only the sync scheduler and worker (no HTTP): for extra instances next to the API servers')
  .action(async () => {
    const cfg = config();
    const db = createDb(cfg.databaseUrl);
    const ctx: AppContext = { config: cfg, db, logger: createLogger(cfg.LOG_LEVEL), now: () => new Date() };
    await migrateLatest(db);
    const scheduler = startScheduler(ctx);
    console.log(`clubcore sync worker ${cfg.INSTANCE_ID} started`);
    onSignal(async () => {
      await scheduler.stop();
      await db.destroy();
    });
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() =>
    withContext(async (ctx) => {
      const applied = await migrateLatest(ctx.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
    }),
  );

program
  .command('seed')
  .description('load the demo data (idempotent)')
  .action(() =>
    withContext(async (ctx) => {
      await migrateLatest(ctx.db);
      for (const line of (await seedDemo(ctx)).lines) console.log(line);
    }),
  );

program
  .command('staff:create')
  .description('create a staff user')
  .requiredOption('--email <email>')
  .requiredOption('--password <password>')
  .option('--name <name>', 'display name', 'Staff')
  .option('--role <role>', 'admin | manager', 'admin')
  .action((opts: { email: string; password: string; name: string; role: 'admin' | 'manager' }) =>
    withContext(async (ctx) => {
      await migrateLatest(ctx.db);
      const staff = await createStaffUser(ctx, opts);
      console.log(`created staff user ${staff.id} (${staff.email}, ${staff.role})`);
    }),
  );

const sandbox = program.command('sandbox').description('stand-in remote systems for demo, tests and benchmarks');

sandbox
  .command('perfect-gym')
  .description('serve a Perfect Gym API v2.2 sandbox with generated data')
  .option('--port <port>', 'port to listen on', int, 5055)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--members <n>', 'members to generate', int, 1000)
  .option('--seed <n>', 'generator seed (same seed, same data)', int, 42)
  .option('--page-size <n>', 'server page size', int, 500)
  .action(async (opts: { port: number; host: string; members: number; seed: number; pageSize: number }) => {
    const pg = await startPerfectGymSandbox(opts);
    console.log(`Perfect Gym sandbox at ${pg.url} (X-Client-Id: ${pg.clientId}, X-Client-Secret: ${pg.clientSecret})`);
    for (const l of pg.demoLogins) console.log(`  member ${l.memberId}: ${l.login} / ${l.password}`);
    onSignal(pg.close);
  });

sandbox
  .command('egym')
  .description('serve a stand-in EGYM token issuer (JWKS + token minting) for demo and tests')
  .option('--port <port>', 'port to listen on', int, 5056)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .action(async (opts: { port: number; host: string }) => {
    const issuer = await startEgymIssuer(opts);
    console.log(`EGYM token issuer at ${issuer.url} (JWKS: ${issuer.jwksUrl}, HS256 secret: ${issuer.hs256Secret}); POST ${issuer.url}/token {sub, membershipId, email} mints a token`);
    onSignal(issuer.close);
  });

await program.parseAsync();
