import { expect } from '@jest/globals';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { startPerfectGymSandbox, type PerfectGymSandbox } from '../../src/sandbox/perfect-gym/server.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** clubcore (real server + worker) and a Perfect Gym sandbox, wired as a manager would. */
export interface SyncFixture {
  app: TestApp;
  sb: PerfectGymSandbox;
  admin: string;
  auth: { authorization: string };
  identityTypeId: number;
  integrationId: number;
  locations: { id: number; clubId: number }[];
  waitForRun(runId: number): Promise<any>;
  run(path: string, body?: object): Promise<any>;
  close(): Promise<void>;
}

export async function startSyncFixture(opts: { members?: number; clubsToMap?: number; worker?: boolean; pageSize?: number } = {}): Promise<SyncFixture> {
  const sb = await startPerfectGymSandbox({ members: opts.members ?? 300, clubs: 3, seed: 11, pageSize: opts.pageSize ?? 50 });
  const app = await startTestApp();
  const admin = await app.staffToken('admin');
  const auth = { authorization: `Bearer ${admin}` };
  const post = async (path: string, body: object) => {
    const res = await app.http.post(path).set(auth).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const identityTypeId = (await post('/api/v1/admin/identity-types', { name: 'Perfect Gym member', kind: 'perfect_gym_member', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
  const locations = [];
  for (const club of sb.list('Clubs').slice(0, opts.clubsToMap ?? 2)) {
    const loc = await post('/api/v1/admin/locations', { name: club.name, timezone: club.timezoneId, perfectGymClubId: club.id });
    locations.push({ id: loc.id as number, clubId: club.id });
  }
  const integrationId = (
    await post('/api/v1/admin/integrations', {
      type: 'perfect_gym', name: 'Sandbox chain', active: true,
      config: { baseUrl: sb.url, clientId: sb.clientId, identityTypeId, syncMembers: { enabled: false }, syncSwipes: { enabled: false } },
      secrets: { clientSecret: sb.clientSecret },
    })
  ).id;
  const scheduler = opts.worker === false ? null : startScheduler(app.ctx, integrationJobs, { pollMs: 30, leaseMs: 3000, cronExpression: '0 0 1 1 *' });
  async function waitForRun(runId: number) {
    for (let i = 0; i < 600; i++) {
      const run = (await app.http.get(`/api/v1/admin/sync-runs/${runId}`).set(auth)).body;
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }
  return {
    app, sb, admin, auth, identityTypeId, integrationId, locations, waitForRun,
    async run(path, body = {}) {
      const res = await app.http.post(`/api/v1/admin/integrations/${integrationId}/${path}`).set(auth).send(body);
      expect(res.status).toBe(202);
      const run = await waitForRun(res.body.run.id);
      expect(run).toMatchObject({ status: 'succeeded', error: null });
      return run;
    },
    async close() {
      await scheduler?.stop();
      await app.close();
      await sb.close();
    },
  };
}

/** Members the initial sync must import for these clubs: active and not deleted. */
export function expectedMembers(sb: PerfectGymSandbox, clubIds: number[]) {
  return sb.list('Members').filter((m) => clubIds.includes(m.homeClubId as number) && m.isActive && !m.isDeleted);
}

/** An instant as Perfect Gym writes it: the club's local date-time, without an offset. */
export function clubLocalTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(at).replace(' ', 'T');
}
