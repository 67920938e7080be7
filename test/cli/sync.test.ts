import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/program.js';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { startWorker } from '../../src/jobs/worker.js';
import { expectedMembers, startSyncFixture, type SyncFixture } from '../integrations/support.js';

/**
 * `clubcore sync` against a Perfect Gym sandbox. The fixture's app runs no sync worker: the
 * command must get its run done by itself, as for an operator with no server running.
 */
describe('clubcore sync', () => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await startSyncFixture({ worker: false, members: 300, pageSize: 50 });
  });
  afterAll(() => f.close());

  async function cli(args: string[], opts: { tty?: boolean } = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: { write: (text: string) => (stdout += text), isTTY: opts.tty, columns: 300 },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: f.app.database.url },
    });
    return { code, stdout, stderr };
  }

  function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp) {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
    expect(result.stderr).toMatch(pattern);
  }

  const runsOf = () => f.app.ctx.db('sync_runs').where({ integration_id: f.integrationId }).orderBy('id');
  const clientsAt = async (locationId: number) => Number((await f.app.ctx.db('clients').where({ home_location_id: locationId }).count({ n: '*' }))[0]!.n);
  const patchIntegration = (body: object) => f.app.http.patch(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth).send(body).expect(200);

  it('runs an initial sync of one location with no server running, in plain lines when not on a terminal', async () => {
    const [first, second] = f.locations;
    const result = await cli(['sync', 'initial', '--integration', String(f.integrationId), '--location', String(first!.id)]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).not.toContain('\r');
    const lines = result.stdout.trimEnd().split('\n');
    const expected = expectedMembers(f.sb, [first!.clubId]).length;
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^run \\d+ \\(initial, location ${first!.id}\\) succeeded in \\d+\\.\\d s: pages \\d+, .*clientsCreated ${expected}\\b`));
    expect(await clientsAt(first!.id)).toBe(expected);
    expect(await clientsAt(second!.id)).toBe(0);
    expect((await runsOf()).at(-1)).toMatchObject({ kind: 'initial', scope: `location:${first!.id}`, trigger: 'manual', status: 'succeeded', active_key: null });
  });

  it("checks the location as the type's initial-sync action does, queuing nothing when it is not linked", async () => {
    const unlinked = (await f.app.http.post('/api/v1/admin/locations').set(f.auth).send({ name: 'Not in Perfect Gym', timezone: 'Europe/Berlin' }).expect(201)).body;
    const before = (await runsOf()).length;
    expectOneLine(
      await cli(['sync', 'initial', '--integration', String(f.integrationId), '--location', String(unlinked.id)]),
      new RegExp(`Location ${unlinked.id} is not linked to a Perfect Gym club.*: locationId: not linked`),
    );
    expect(await runsOf()).toHaveLength(before);
  });

  it('starts the jobs the type lets staff start by hand, and refuses anything else naming what there is', async () => {
    for (const job of ['clients', 'access']) {
      const result = await cli(['sync', job, '--integration', String(f.integrationId)]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`run \\d+ \\(${job}, all locations\\) succeeded in [\\d.]+ s: .*pages \\d+`));
    }
    const id = String(f.integrationId);
    expectOneLine(await cli(['sync', 'clients', '--integration', id, '--location', String(f.locations[0]!.id)]), /--location goes with an initial sync/);
    expectOneLine(await cli(['sync', 'everything', '--integration', id]), /a Perfect Gym integration has no everything sync to start: use initial, clients, access$/m);
    expectOneLine(await cli(['sync', 'clients', '--integration', '999999']), /There is no integration 999999; GET \/api\/v1\/admin\/integrations lists them/);
    expectOneLine(await cli(['sync', 'clients', '--integration', 'x']), /--integration/);
    expectOneLine(await cli(['sync', 'clients']), /--integration/);
  });

  it('answers like the API while a run of that job is queued (409), and its worker also runs what was queued before', async () => {
    const queued = (await f.app.http.post(`/api/v1/admin/integrations/${f.integrationId}/sync`).set(f.auth).send({ job: 'clients' }).expect(202)).body.run;
    expectOneLine(await cli(['sync', 'clients', '--integration', String(f.integrationId)]), new RegExp(`The clients run for every location is already queued \\(run ${queued.id}\\); wait for it to finish`));
    // Another job is not blocked; the command's worker takes the older queued run first.
    expect((await cli(['sync', 'access', '--integration', String(f.integrationId)])).code).toBe(0);
    expect(await f.waitForRun(queued.id)).toMatchObject({ status: 'succeeded' });
  });

  it("exits non-zero with the run's error when the run fails", async () => {
    await patchIntegration({ secrets: { clientSecret: 'not-the-secret' } });
    try {
      const result = await cli(['sync', 'clients', '--integration', String(f.integrationId)]);
      expectOneLine(result, /^error: run \d+ \(clients, all locations\) failed: .*refused/);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^run \d+ \(clients, all locations\) failed in [\d.]+ s: /);
      expect((await runsOf()).at(-1)).toMatchObject({ kind: 'clients', status: 'failed' });
    } finally {
      await patchIntegration({ secrets: { clientSecret: f.sb.clientSecret } });
    }
  });

  it('draws a bar with the live counters on a terminal, rewriting one line', async () => {
    // Slow pages, so the run is seen at work between its first and its last page.
    f.sb.injectFaults({ rate: 1, step: { latencyMs: 120 } });
    try {
      const result = await cli(['sync', 'initial', '--integration', String(f.integrationId)], { tty: true });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.indexOf('\n')).toBe(result.stdout.length - 1);
      const frames = result.stdout.split('\r').slice(1).map((frame) => frame.replace(/\x1b\[K\n?$/, ''));
      const working = frames.filter((frame) => / running [\d.]+ s: pages \d+/.test(frame));
      expect(working.length).toBeGreaterThan(2);
      expect(working[0]).toMatch(/^\[ *={4} *\] run \d+ \(initial, all locations\) running/);
      // The counters grow while the line is rewritten.
      const pages = working.map((frame) => Number(/pages (\d+)/.exec(frame)![1]));
      expect(pages.at(-1)!).toBeGreaterThan(pages[0]!);
      expect(frames.at(-1)).toMatch(/^\[={20}\] run \d+ \(initial, all locations\) succeeded in [\d.]+ s: pages \d+, membersSeen \d+/);
    } finally {
      f.sb.clearFaults();
    }
    expect(await clientsAt(f.locations[1]!.id)).toBe(expectedMembers(f.sb, [f.locations[1]!.clubId]).length);
  });

  it('stops following on Ctrl-C in one line; the next worker resumes the run once its lease expires', async () => {
    f.sb.injectFaults({ rate: 1, step: { latencyMs: 150 } });
    const listening = process.listeners('SIGINT').length;
    try {
      const following = cli(['sync', 'initial', '--integration', String(f.integrationId)]);
      let run: { id: number; status: string; progress: string } | undefined;
      for (let i = 0; i < 200 && !(run?.status === 'running' && run.progress !== '{}'); i++) {
        await new Promise((r) => setTimeout(r, 25));
        run = (await runsOf()).at(-1);
      }
      expect(process.listeners('SIGINT')).toHaveLength(listening + 1);
      // What Ctrl-C calls: the listener the command registered.
      (process.listeners('SIGINT').at(-1) as () => void)();
      const result = await following;
      expectOneLine(result, new RegExp(`stopped following run ${run!.id} \\(initial, all locations\\), which is running: a running clubcore serve or worker carries it on`));
      expect(process.listeners('SIGINT')).toHaveLength(listening);
      expect((await runsOf()).at(-1)).toMatchObject({ id: run!.id, status: 'running' });
    } finally {
      f.sb.clearFaults();
    }
    // As if the lease ran out: a worker takes the run over from its last committed page.
    await f.app.ctx.db('sync_runs').where({ status: 'running' }).update({ lease_expires_at: new Date(Date.now() - 1000) });
    const worker = startWorker(f.app.ctx, integrationJobs, { pollMs: 20 });
    try {
      const last = (await runsOf()).at(-1);
      expect(await f.waitForRun(last.id)).toMatchObject({ status: 'succeeded' });
    } finally {
      await worker.stop();
    }
  });

  it('follows a run that a running server worker claims', async () => {
    const server = startWorker(f.app.ctx, integrationJobs, { pollMs: 20 });
    try {
      const result = await cli(['sync', 'clients', '--integration', String(f.integrationId)]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/\(clients, all locations\) succeeded/);
    } finally {
      await server.stop();
    }
  });
});
