import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { enqueueRun, recordPage } from '../../src/jobs/runs.js';
import { integrationJobs } from '../../src/integrations/jobs.js';
import type { JobCatalog } from '../../src/jobs/types.js';
import { startWorker } from '../../src/jobs/worker.js';
import { expectedMembers, startSyncFixture, type SyncFixture } from './support.js';

const until = async (check: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('sync runs survive a killed worker and many instances', () => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await startSyncFixture({ members: 400, worker: false });
  });
  afterAll(() => f.close());

  it('resumes an interrupted initial sync from its last committed page, with nothing lost or doubled', async () => {
    f.sb.injectFaults({ match: '/odata/Members', rate: 1, step: { latencyMs: 150 } });
    const first = startWorker({ ...f.app.ctx, config: { ...f.app.ctx.config, INSTANCE_ID: 'worker-a' } }, integrationJobs, { pollMs: 20, leaseMs: 600 });
    const { run } = (await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/initial-sync`).set(f.auth).send({})).body;
    await until(async () => ((await f.app.ctx.db('sync_runs').where({ id: run.id }).first()).checkpoint ?? '').includes('"step":0') && (await f.app.ctx.db('clients')).length >= 100, 'a few pages');
    await first.stop(); // as if killed: the run stays 'running' and its lease runs out
    const stopped = await f.app.ctx.db('sync_runs').where({ id: run.id }).first();
    expect(stopped.status).toBe('running');
    const importedBefore = (await f.app.ctx.db('clients')).length;
    f.sb.clearFaults();

    const second = startWorker({ ...f.app.ctx, config: { ...f.app.ctx.config, INSTANCE_ID: 'worker-b' } }, integrationJobs, { pollMs: 20, leaseMs: 600 });
    const done = await f.waitForRun(run.id);
    await second.stop();
    expect(done.status).toBe('succeeded');
    const expected = expectedMembers(f.sb, f.locations.map((l) => l.clubId));
    expect((await f.app.ctx.db('clients')).length).toBe(expected.length);
    expect(importedBefore).toBeLessThan(expected.length);
    // resumed, not restarted, and progress commits with each page: every member counted exactly once
    expect(done.progress.membersSeen).toBe(expected.length);
    expect(done.progress.clientsCreated).toBe(expected.length);
    const identities = await f.app.ctx.db('client_identities').where({ identity_type_id: f.identityTypeId });
    expect(new Set(identities.map((i: { value: string }) => i.value)).size).toBe(expected.length);
  });

  it('refuses a page from a worker that no longer holds the run, leaving progress as it was', async () => {
    const { db } = f.app.ctx;
    const { run } = await enqueueRun(f.app.ctx, { integrationId: f.integrationId, kind: 'access', scope: 'taken-over', trigger: 'manual' });
    try {
      await db('sync_runs').where({ id: run.id }).update({ status: 'running', lease_owner: 'worker-a' }); // as if worker-a claimed it
      await db.transaction((trx) => recordPage(trx, run.id, 'worker-a', { visitsSeen: 5 }, { step: 1 }));
      await db('sync_runs').where({ id: run.id }).update({ lease_owner: 'worker-c' }); // worker-c took over meanwhile
      await expect(db.transaction((trx) => recordPage(trx, run.id, 'worker-a', { visitsSeen: 6 }, { step: 9 }))).rejects.toThrow(/taken over/);
      const after = await db('sync_runs').where({ id: run.id }).first();
      expect([JSON.parse(after.progress), JSON.parse(after.checkpoint)]).toEqual([{ visitsSeen: 5 }, { step: 1 }]);
    } finally {
      await db('sync_runs').where({ id: run.id }).delete();
    }
  });

  it('runs a short job while a long one runs, up to its concurrency at once', async () => {
    const { db } = f.app.ctx;
    let finishLong!: () => void;
    const longGoesOn = new Promise<void>((resolve) => (finishLong = resolve));
    // A catalog of its own: 'access' runs are long (until released), every other run is short.
    const jobs: JobCatalog = {
      scheduledJobs: async () => [],
      jobFor: async (_ctx, run) => ({ owner: 'test', execute: async () => (run.kind === 'access' ? longGoesOn : undefined) }),
    };
    const status = async (id: number) => (await db('sync_runs').where({ id }).first()).status as string;
    const enqueue = async (kind: 'access' | 'clients', scope: string) => (await enqueueRun(f.app.ctx, { integrationId: f.integrationId, kind, scope, trigger: 'manual' })).run.id;
    const [long, short, otherLong] = [await enqueue('access', 'long-1'), await enqueue('clients', 'short'), await enqueue('access', 'long-2')];
    const worker = startWorker(f.app.ctx, jobs, { pollMs: 20, concurrency: 2 });
    try {
      await until(async () => (await status(short)) === 'succeeded', 'the short run, queued behind a long one');
      // Two at once: the second long run waited for a place, and took the one the short run left.
      expect(await status(long)).toBe('running');
      await until(async () => (await status(otherLong)) === 'running', 'the second long run');
      finishLong();
      await until(async () => (await status(long)) === 'succeeded' && (await status(otherLong)) === 'succeeded', 'both long runs');
    } finally {
      finishLong();
      await worker.stop();
      await db('sync_runs').whereIn('scope', ['long-1', 'long-2', 'short']).delete();
    }
  });

  const sqlite = process.env.TEST_DATABASE_URL ? it.skip : it;
  sqlite('a trigger that loses the queueing race to a run claimed meanwhile queues a follow-up of its own (SQLite)', async () => {
    const { db } = f.app.ctx;
    // Another instance's worker claims the winning run just after the losing insert hits the unique
    // key. better-sqlite3 is synchronous, so a second connection can do that inside knex's
    // query-error event, before the loser goes on.
    const otherInstance = new Database(f.app.database.url.replace(/^sqlite:/, ''));
    const claimQueued = () => {
      db.off('query-error', claimQueued);
      otherInstance.prepare("UPDATE sync_runs SET status = 'running', active_key = replace(active_key, ':queued', ':running') WHERE active_key LIKE '%:race:queued'").run();
    };
    db.on('query-error', claimQueued);
    try {
      const trigger = { integrationId: f.integrationId, kind: 'access', scope: 'race', trigger: 'webhook' } as const;
      const [first, second] = await Promise.all([enqueueRun(f.app.ctx, trigger), enqueueRun(f.app.ctx, trigger)]);
      expect([first.created, second.created]).toEqual([true, true]);
      const runs = await db('sync_runs').where({ scope: 'race' }).orderBy('id');
      expect(runs.map((r: { status: string }) => r.status)).toEqual(['running', 'queued']);
    } finally {
      db.off('query-error', claimQueued);
      otherInstance.close();
      await db('sync_runs').where({ scope: 'race' }).delete();
    }
  });

  const mysql = process.env.TEST_DATABASE_URL ? it : it.skip;
  mysql('runs each scheduled job once per interval across two real processes (MySQL)', async () => {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    await f.app.http
      .patch(`/api/v1/admin/integrations/${f.integrationId}`)
      .set(f.auth)
      .send({ config: { syncMembers: { enabled: true, everyMinutes: 5 }, syncSwipes: { enabled: true, everyMinutes: 5 } } })
      .expect(200);
    const before = await f.app.ctx.db('sync_runs').where({ trigger: 'schedule' });
    const processes: ChildProcess[] = ['proc-1', 'proc-2'].map((id) =>
      spawn('node', ['dist/src/cli.js', 'worker'], {
        env: { ...process.env, DATABASE_URL: f.app.database.url, INSTANCE_ID: id, NODE_ENV: 'test', LOG_LEVEL: 'silent', SQLITE_FILE: f.app.ctx.config.SQLITE_FILE },
        stdio: 'ignore',
      }),
    );
    try {
      await until(async () => (await f.app.ctx.db('sync_runs').where({ trigger: 'schedule' }).whereIn('status', ['succeeded', 'failed'])).length >= before.length + 2, 'scheduled runs');
      await new Promise((r) => setTimeout(r, 1500)); // give a duplicate every chance to appear
      const runs = (await f.app.ctx.db('sync_runs').where({ trigger: 'schedule' })).slice(before.length);
      expect(runs.map((r: { kind: string }) => r.kind).sort()).toEqual(['access', 'clients']);
      expect(runs.every((r: { status: string }) => r.status === 'succeeded')).toBe(true);
    } finally {
      for (const p of processes) p.kill('SIGTERM');
    }
  });
});
