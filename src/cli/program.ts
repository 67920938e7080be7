import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { seedDemo } from '../../seeds/demo.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { AppContext } from '../context.js';
import { createDb, type Knex } from '../db/knex.js';
import { migrateLatest } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { integrationJobs } from '../integrations/jobs.js';
import { startScheduler } from '../jobs/scheduler.js';
import { createLogger } from '../logger.js';
import { startClubcore } from '../main.js';
import { createMetrics } from '../metrics/metrics.js';
import { startEgymIssuer } from '../sandbox/egym/issuer.js';
import { startPerfectGymSandbox } from '../sandbox/perfect-gym/server.js';
import type { StaffUser } from '../staff/repository.js';
import { createStaffUser, listStaffUsers, resetStaffPassword, STAFF_ROLES } from '../staff/service.js';

/** Where the CLI reads its environment and writes its output: the process, or a test's buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** A mistake the user can fix; its message says what is wrong and what to do. */
class CliError extends Error {}

/**
 * Runs one command line and resolves to its exit code. Every failure is one line on stderr; the
 * serving commands (serve, worker, sandbox) resolve once they are up and keep the process alive.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    // Commander has already printed its usage errors (and help, and the version).
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr.write(`error: ${explain(err, io.env)}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}

function explain(err: unknown, env: CliIo['env']): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof ConfigError) return `invalid configuration: ${err.problems.join('; ')}; .env.example describes every variable`;
  if (err instanceof AppError) {
    const fields = err.extra.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    return fields ? `${err.detail}: ${fields}` : err.detail;
  }
  // The usual set-up mistakes, known by their error codes.
  const { code, message } = err as { code?: string; message?: string };
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `cannot reach the database (${message}): check the host and port in DATABASE_URL and that the server runs`;
    case 'ER_BAD_DB_ERROR':
      return `${message}: create it on the server (CHARACTER SET utf8mb4) or correct the name in DATABASE_URL`;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return `${message}: check the user and password in DATABASE_URL and the user's grants`;
    case 'EADDRINUSE':
      return `${message}: stop what listens there or choose another port (PORT; --port for a sandbox)`;
  }
  // A bug rather than a mistake: the stack helps whoever fixes it, when asked for.
  const debugging = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
  if (debugging && err instanceof Error && err.stack) return err.stack;
  return `${message ?? String(err)} (LOG_LEVEL=debug prints the stack trace)`;
}

/** Turns a service refusal with that status into one that also says what to do. */
function advise(status: number, advice: string) {
  return (err: unknown): never => {
    if (err instanceof AppError && err.status === status) throw new CliError(`${err.detail}; ${advice}`);
    throw err;
  };
}

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/** package.json's version; the nearest package.json up from here, as the compiled file (dist/src/cli) sits deeper than its source. */
function clubcoreVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

async function allStaffUsers(ctx: AppContext): Promise<StaffUser[]> {
  const staff: StaffUser[] = [];
  let cursor: string | undefined;
  do {
    const page = await listStaffUsers(ctx, { limit: 500, cursor });
    staff.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return staff;
}

function onSignal(close: () => Promise<void>) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0)));
  }
}

function buildProgram(io: CliIo): Command {
  const print = (line: string) => io.stdout.write(`${line}\n`);
  const config = (): Config => loadConfig(io.env);
  const contextOf = (cfg: Config, db: Knex): AppContext => ({
    config: cfg, db, logger: createLogger(cfg.LOG_LEVEL), metrics: createMetrics(), now: () => new Date(),
  });

  /** Runs a one-off command against the configured database. */
  async function withContext(fn: (ctx: AppContext) => Promise<void>) {
    const cfg = config();
    const db = createDb(cfg.databaseUrl);
    try {
      await fn(contextOf(cfg, db));
    } finally {
      await db.destroy();
    }
  }

  const program = new Command('clubcore')
    .description('clubcore: club-app backend')
    .version(clubcoreVersion())
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    // Commander throws instead of exiting; runCli turns that into the exit code.
    .exitOverride();

  program
    .command('serve')
    .description('start the HTTP server (and, with no DATABASE_URL outside production, the zero-config demo)')
    .action(async () => {
      const running = await startClubcore(config());
      // One write on stderr: the JSON log lines go to stdout, and a block written at once is not split by them.
      io.stderr.write([`\nclubcore is up at ${running.url}`, ...running.banner.map((line) => `  ${line}`), ''].join('\n'));
      onSignal(running.close);
    });

  program
    .command('worker')
    .description('run only the sync scheduler and worker (no HTTP): for extra instances next to the API servers')
    .action(async () => {
      const cfg = config();
      const db = createDb(cfg.databaseUrl);
      const ctx = contextOf(cfg, db);
      await migrateLatest(db);
      const scheduler = startScheduler(ctx, integrationJobs);
      print(`clubcore sync worker ${cfg.INSTANCE_ID} started`);
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
        print(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
      }),
    );

  program
    .command('seed')
    .description('load the demo data (idempotent); refused with NODE_ENV=production unless --force')
    .option('--force', 'seed even with NODE_ENV=production')
    .action((opts: { force?: boolean }) =>
      withContext(async (ctx) => {
        if (ctx.config.NODE_ENV === 'production' && !opts.force) {
          throw new CliError('refusing to seed: NODE_ENV=production, and the demo data include a member whose password is published; add --force to seed anyway');
        }
        await migrateLatest(ctx.db);
        for (const line of (await seedDemo(ctx)).lines) print(line);
      }),
    );

  program
    .command('staff:create')
    .description('create a staff user (an admin unless --role manager)')
    .requiredOption('--email <email>')
    .requiredOption('--password <password>', 'at least 8 characters')
    .option('--name <name>', 'display name', 'Staff')
    .addOption(new Option('--role <role>').choices(STAFF_ROLES).default('admin'))
    .action((opts: { email: string; password: string; name: string; role: 'admin' | 'manager' }) =>
      withContext(async (ctx) => {
        await migrateLatest(ctx.db);
        const staff = await createStaffUser(ctx, opts).catch(
          advise(409, `to give it a new password: clubcore staff:password --email ${opts.email}`),
        );
        print(`created staff user ${staff.id} (${staff.email}, ${staff.role})`);
      }),
    );

  program
    .command('staff:list')
    .description('list the staff users')
    .action(() =>
      withContext(async (ctx) => {
        await migrateLatest(ctx.db);
        const staff = await allStaffUsers(ctx);
        const rows = staff.map((s) => [String(s.id), s.email, s.name, s.role, s.active ? 'yes' : 'no']);
        if (rows.length) for (const line of table([['id', 'email', 'name', 'role', 'active'], ...rows])) print(line);
        else print('no staff users yet: create one with clubcore staff:create');
      }),
    );

  program
    .command('staff:password')
    .description("set a staff user's password (and sign them out everywhere)")
    .requiredOption('--email <email>')
    .option('--password <password>', 'the new password, at least 8 characters (default: a random one, printed)')
    .action((opts: { email: string; password?: string }) =>
      withContext(async (ctx) => {
        await migrateLatest(ctx.db);
        const { staff, password } = await resetStaffPassword(ctx, opts.email, opts.password).catch(
          advise(404, 'clubcore staff:list shows who exists'),
        );
        print(`new password set for staff user ${staff.id} (${staff.email})${opts.password ? '' : `: ${password}`}`);
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
      print(`Perfect Gym sandbox at ${pg.url} (X-Client-Id: ${pg.clientId}, X-Client-Secret: ${pg.clientSecret})`);
      for (const l of pg.demoLogins) print(`  member ${l.memberId}: ${l.login} / ${l.password}`);
      onSignal(pg.close);
    });

  sandbox
    .command('egym')
    .description('serve a stand-in EGYM token issuer (JWKS + token minting) for demo and tests')
    .option('--port <port>', 'port to listen on', int, 5056)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (opts: { port: number; host: string }) => {
      const issuer = await startEgymIssuer(opts);
      print(`EGYM token issuer at ${issuer.url} (JWKS: ${issuer.jwksUrl}, HS256 secret: ${issuer.hs256Secret}); POST ${issuer.url}/token {sub, membershipId, email} mints a token`);
      onSignal(issuer.close);
    });

  return program;
}
