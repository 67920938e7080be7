import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Request } from 'express';
import { seedDemo } from '../../seeds/demo.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { AppContext } from '../context.js';
import { createDb, type Knex } from '../db/knex.js';
import { migrateLatest } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { integrationJobs } from '../integrations/jobs.js';
import { integrationOutbox } from '../integrations/outbox.js';
import { definitionOf } from '../integrations/registry.js';
import { getIntegrationOrThrow, getRunOrThrow } from '../integrations/service.js';
import { enqueueRun } from '../jobs/runs.js';
import { startScheduler } from '../jobs/scheduler.js';
import type { SyncRun } from '../jobs/types.js';
import { startWorker } from '../jobs/worker.js';
import { startOutboxDrainers } from '../outbox/drainers.js';
import { createLogger } from '../logger.js';
import { startClubcore } from '../main.js';
import { createMetrics } from '../metrics/metrics.js';
import { startEgymIssuer } from '../sandbox/egym/issuer.js';
import { parseKeys, PERMISSIONS, startEgymMmsSandbox, type ApiKeySpec } from '../sandbox/egym-mms/server.js';
import { startPerfectGymSandbox } from '../sandbox/perfect-gym/server.js';
import { DEFAULT_TOKEN as WELLPASS_TOKEN, startWellpassSandbox } from '../sandbox/wellpass/server.js';
import type { StaffUser } from '../staff/repository.js';
import { createStaffUser, listStaffUsers, resetStaffPassword, STAFF_ROLES } from '../staff/service.js';

/** Where the CLI reads its environment and writes its output: the process, or a test's buffers. */
export interface CliIo {
  /** `isTTY` and `columns` as a terminal's stream has them: `sync` then draws one line it rewrites. */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
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

function positiveInt(value: string): number {
  const n = int(value);
  if (n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/**
 * Queues a manual run exactly as the API does, with the checks the integration's type declares:
 * an admin action `<job>-sync` when the type has one (Perfect Gym's initial-sync, which checks
 * that the location is linked), else a job the type lets staff start by hand (POST /:id/sync).
 * enqueueRun refuses a second manual run of a job and scope while one is queued or running (the 409).
 */
async function queueSync(ctx: AppContext, job: string, integrationId: number, locationId: number | undefined): Promise<SyncRun> {
  const integration = await getIntegrationOrThrow(ctx, integrationId).catch(advise(404, 'GET /api/v1/admin/integrations lists them'));
  const definition = definitionOf(integration.type);
  const actions = (definition.adminActions ?? []).filter((a) => a.method === 'post' && a.name.endsWith('-sync'));
  const manual = definition.jobs.filter((j) => j.manual).map((j) => j.kind);
  const action = actions.find((a) => a.name === `${job}-sync`);
  if (action) {
    // The request body the route would hand it: the action validates it, and the location with it.
    const request = { body: locationId === undefined ? {} : { locationId } } as unknown as Request;
    return ((await action.handle(ctx, integration, request)).body as { run: SyncRun }).run;
  }
  if (manual.includes(job)) {
    if (locationId !== undefined) throw new CliError(`--location goes with an initial sync; a ${job} sync covers every location of integration ${integration.id}`);
    return (await enqueueRun(ctx, { integrationId: integration.id, kind: job, scope: 'all', trigger: 'manual' })).run;
  }
  const known = [...actions.map((a) => a.name.replace(/-sync$/, '')), ...manual];
  throw new CliError(`a ${definition.title} integration has no ${job} sync to start${known.length ? `: use ${known.join(', ')}` : ''}`);
}

/** How often `sync` reads its run, and redraws its line on a terminal. */
const WATCH_EVERY_MS = 250;
/** Not on a terminal (a log file, CI): a line per status change, and while counters move at most one this often. */
const PLAIN_LINE_EVERY_MS = 5_000;
const BAR_WIDTH = 20;
const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

function describeRun(run: SyncRun): string {
  return `run ${run.id} (${run.kind}, ${run.scope === 'all' ? 'all locations' : run.scope.replace(':', ' ')})`;
}

function elapsedOf(run: SyncRun): string {
  if (!run.startedAt) return '';
  const ms = (run.finishedAt ? Date.parse(run.finishedAt) : Date.now()) - Date.parse(run.startedAt);
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** The run's live counters as its job commits them with each page, pages first. */
function countersOf(run: SyncRun): string {
  const entries = Object.entries(run.progress).sort(([a], [b]) => Number(b === 'pages') - Number(a === 'pages'));
  return entries.length ? entries.map(([name, n]) => `${name} ${n}`).join(', ') : 'no page yet';
}

/**
 * A bar for a terminal. Jobs commit counters, not a total (Perfect Gym's feeds do not say how many
 * rows are left), so while the run works a block sweeps the bar; queued it is empty, ended full.
 */
function barOf(run: SyncRun, frame: number): string {
  if (run.status === 'queued') return `[${' '.repeat(BAR_WIDTH)}]`;
  if (ENDED.has(run.status)) return `[${'='.repeat(BAR_WIDTH)}]`;
  const block = 4;
  const span = BAR_WIDTH - block;
  const at = frame % (2 * span) <= span ? frame % (2 * span) : 2 * span - (frame % (2 * span));
  return `[${' '.repeat(at)}${'='.repeat(block)}${' '.repeat(span - at)}]`;
}

/**
 * Follows a run until it ends: on a terminal one line rewritten in place (\r) with a bar, the
 * status, the time and the counters; otherwise plain lines. Resolves with the ended run; rejects
 * when `stop` is aborted (Ctrl-C).
 */
async function watchRun(ctx: AppContext, runId: number, out: CliIo['stdout'], stop: AbortSignal): Promise<SyncRun> {
  let frame = 0;
  let shown = { status: '', counters: '', at: 0 };
  for (;;) {
    const run = await getRunOrThrow(ctx, runId);
    const ended = ENDED.has(run.status);
    const counters = countersOf(run);
    const time = elapsedOf(run);
    const status = run.status === 'queued' ? 'queued, waiting for a worker' : ended && time ? `${run.status} in ${time}` : run.status;
    if (out.isTTY) {
      const line = `${barOf(run, frame++)} ${describeRun(run)} ${status}${!ended && time ? ` ${time}` : ''}: ${counters}`;
      // Cut to the terminal's width: a wrapped line would not be rewritten by \r.
      out.write(`\r${line.slice(0, Math.max(20, (out.columns ?? 80) - 1))}\x1b[K${ended ? '\n' : ''}`);
    } else if (run.status !== shown.status || ended || (counters !== shown.counters && Date.now() - shown.at >= PLAIN_LINE_EVERY_MS)) {
      out.write(`${describeRun(run)} ${status}${!ended && time ? ` ${time}` : ''}: ${counters}\n`);
      shown = { status: run.status, counters, at: Date.now() };
    }
    if (ended) return run;
    if (stop.aborted) {
      if (out.isTTY) out.write('\n');
      throw new CliError(
        `stopped following ${describeRun(run)}, which is ${run.status}: a running clubcore serve or worker carries it on (from its last committed page if this command was running it, once its lease expires)`,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, WATCH_EVERY_MS);
      function done() {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      }
      stop.addEventListener('abort', done);
    });
  }
}

function buildProgram(io: CliIo): Command {
  const print = (line: string) => io.stdout.write(`${line}\n`);
  const config = (): Config => loadConfig(io.env);
  const contextOf = (cfg: Config, db: Knex, logger = createLogger(cfg.LOG_LEVEL)): AppContext => ({
    config: cfg, db, logger, metrics: createMetrics(), now: () => new Date(),
  });

  /**
   * Runs a one-off command against the configured database. `logToStderr`: stdout is the command's
   * own output (sync's progress), so the log goes to stderr, errors only unless LOG_LEVEL is set.
   */
  async function withContext(fn: (ctx: AppContext) => Promise<void>, opts: { logToStderr?: boolean } = {}) {
    const cfg = config();
    const db = createDb(cfg.databaseUrl);
    const logger = opts.logToStderr ? createLogger(io.env.LOG_LEVEL ? cfg.LOG_LEVEL : 'error', { write: (line: string) => void io.stderr.write(line) }) : undefined;
    try {
      await fn(contextOf(cfg, db, logger));
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
    .description('run only the sync scheduler, worker and outbox drainers (no HTTP): for extra instances next to the API servers')
    .action(async () => {
      const cfg = config();
      const db = createDb(cfg.databaseUrl);
      const ctx = contextOf(cfg, db);
      await migrateLatest(db);
      const scheduler = startScheduler(ctx, integrationJobs);
      const drainers = startOutboxDrainers(ctx, integrationOutbox);
      print(`clubcore sync worker ${cfg.INSTANCE_ID} started`);
      onSignal(async () => {
        await drainers.stop();
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

  program
    .command('sync')
    .description('queue a sync run of an integration (the same checks and 409 as the API), run it and show its progress until it ends')
    .argument('<job>', 'initial, or a job the integration type lets staff start by hand (Perfect Gym: clients, access)')
    .requiredOption('--integration <id>', 'the integration to sync', positiveInt)
    .option('--location <id>', 'initial sync of this location alone (default: every linked location)', positiveInt)
    .action((job: string, opts: { integration: number; location?: number }) =>
      withContext(async (ctx) => {
        await migrateLatest(ctx.db);
        const run = await queueSync(ctx, job, opts.integration, opts.location);
        // A sync worker in this process, so the run gets done with no clubcore serve or worker
        // running; where they run, whichever worker claims the run first executes it. Its own lease
        // owner: an INSTANCE_ID copied from a server's environment must not pass for that server.
        const owner = `${ctx.config.INSTANCE_ID.slice(0, 80)}/sync-${randomBytes(4).toString('hex')}`;
        const worker = startWorker({ ...ctx, config: { ...ctx.config, INSTANCE_ID: owner } }, integrationJobs);
        const interrupted = new AbortController();
        const interrupt = () => interrupted.abort();
        process.once('SIGINT', interrupt);
        try {
          const ended = await watchRun(ctx, run.id, io.stdout, interrupted.signal);
          if (ended.status !== 'succeeded') throw new CliError(`${describeRun(ended)} ${ended.status}: ${ended.error ?? 'no error recorded'}`);
        } finally {
          process.off('SIGINT', interrupt);
          await worker.stop();
        }
      }, { logToStderr: true }),
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
    .addOption(new Option('--next-link <style>', 'nextLink paging: $skip=<n> like ASP.NET OData servers, or $skiptoken=<last version>').choices(['skip', 'skiptoken']).default('skip'))
    .addOption(new Option('--date-format <format>', 'date-times: club-local without offset, UTC with Z, or club-local with the club\'s +hh:mm').choices(['local', 'utc', 'offset']).default('local'))
    .option('--version-gap <n>', 'each write advances the global version by a random 1..n (default: 1-3)', int)
    .action(async (opts: { port: number; host: string; members: number; seed: number; pageSize: number; nextLink: 'skip' | 'skiptoken'; dateFormat: 'local' | 'utc' | 'offset'; versionGap?: number }) => {
      const pg = await startPerfectGymSandbox(opts);
      print(`Perfect Gym sandbox at ${pg.url} (X-Client-Id: ${pg.clientId}, X-Client-Secret: ${pg.clientSecret})`);
      for (const l of pg.demoLogins) print(`  member ${l.memberId}: ${l.login} / ${l.password}`);
      onSignal(pg.close);
    });

  sandbox
    .command('egym-mms')
    .description('serve an EGYM MMS API v2 sandbox: keys per location, chain-wide conflicts, rate limit, shifting pages, webhooks delivered twice')
    .option('--port <port>', 'port to listen on', int, 5057)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--keys <list>', 'API keys, comma-separated KEY=GYM[@CHAIN][:PERMISSION+...] (default: two locations of chain-1 and a read-only key)', (text: string): ApiKeySpec[] => {
      try {
        return parseKeys(text);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    })
    .option('--accounts <n>', 'accounts to generate', int, 100)
    .option('--seed <n>', 'generator seed (same seed, same accounts)', int, 42)
    .addOption(new Option('--webhook-copies <n>', 'deliveries of each webhook event').choices(['1', '2']).default('2'))
    .option('--no-rate-limit', "answer every request (default: EGYM's 60 per key, refilling 6/s)")
    .action(async (opts: { port: number; host: string; keys?: ApiKeySpec[]; accounts: number; seed: number; webhookCopies: string; rateLimit: boolean }) => {
      const mms = await startEgymMmsSandbox({ ...opts, webhookCopies: Number(opts.webhookCopies), rateLimit: opts.rateLimit ? undefined : null });
      print(`EGYM MMS sandbox at ${mms.url} (x-api-key: ${mms.keys.map((k) => `${k.key} for ${k.gymId}@${k.chainId}${k.permissions.length < PERMISSIONS.length ? ` [${k.permissions.join(' ')}]` : ''}`).join(', ')})`);
      print(`  control API: ${mms.url}/_sandbox/ (accounts, checkins, churn, faults, requests, deliveries, clock, reset)`);
      onSignal(mms.close);
    });

  sandbox
    .command('wellpass')
    .description('serve an EGYM Wellpass sandbox (Wellhub Booking API model): classes and slots, simulated bookings, signed webhooks delivered twice, decision deadline, rate limit, faults')
    .option('--port <port>', 'port to listen on', int, 5058)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--token <token>', 'Bearer token of the API', WELLPASS_TOKEN)
    .option('--gyms <list>', 'only these gym ids (venue UUIDs), comma-separated (default: any gym id)', (text: string) => text.split(',').map((g) => g.trim()).filter(Boolean))
    .option('--webhook-url <url>', "clubcore's webhook URL (default: none, events are not sent until set through the control API)")
    .option('--webhook-secret <secret>', 'HMAC-SHA1 key of X-Gympass-Signature')
    .addOption(new Option('--webhook-copies <n>', 'deliveries of each webhook event').choices(['1', '2']).default('2'))
    .option('--decision-deadline-seconds <n>', 'a booking request not decided by then is rejected automatically', int, 900)
    .option('--no-rate-limit', 'answer every request (default: 50 per token, refilling 25/s)')
    .action(async (opts: { port: number; host: string; token: string; gyms?: string[]; webhookUrl?: string; webhookSecret?: string; webhookCopies: string; decisionDeadlineSeconds: number; rateLimit: boolean }) => {
      const { decisionDeadlineSeconds, webhookCopies, rateLimit, ...rest } = opts;
      const wp = await startWellpassSandbox({
        ...rest,
        webhookCopies: webhookCopies === '1' ? 1 : 2,
        decisionDeadlineMs: decisionDeadlineSeconds * 1000,
        rateLimit: rateLimit ? undefined : null,
      });
      const settings = wp.settings();
      print(`EGYM Wellpass sandbox at ${wp.url} (Authorization: Bearer ${wp.token}); webhooks to ${settings.webhookUrl ?? '(none yet)'}, secret ${settings.webhookSecret}`);
      print(`  control API: ${wp.url}/_sandbox/ (state, bookings, validations, settings, faults, requests, deliveries, reset; POST gyms/{gym}/bookings and bookings/{n}/cancel simulate members)`);
      onSignal(wp.close);
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
