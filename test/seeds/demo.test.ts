import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_MEMBER, seedDemo } from '../../seeds/demo.js';
import { findClientsByLogin } from '../../src/clients/repository.js';
import { startDemo } from '../../src/demo.js';
import { findDoorByCode } from '../../src/doors/repository.js';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { integrationOutbox } from '../../src/integrations/outbox.js';
import { listIntegrations } from '../../src/integrations/service.js';
import { startWorker } from '../../src/jobs/worker.js';
import { listLocations } from '../../src/locations/repository.js';
import { startOutboxDrainers } from '../../src/outbox/drainers.js';
import { startTestApp, type TestApp } from '../support/app.js';

const TABLES = ['identity_types', 'locations', 'doors', 'activities', 'packages', 'package_activities', 'class_sessions', 'clients', 'client_packages'];

describe('demo seed', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function counts() {
    const result: Record<string, number> = {};
    for (const t of TABLES) result[t] = Number((await app.ctx.db(t).count({ n: '*' }).first())!.n);
    return result;
  }

  it('seeds a usable club and changes nothing when run again', async () => {
    await seedDemo(app.ctx);
    const first = await counts();
    expect(first).toMatchObject({ locations: 2, doors: 3, activities: 4, packages: 3, class_sessions: 42, clients: 1, client_packages: 1 });
    await seedDemo(app.ctx);
    expect(await counts()).toEqual(first);

    const login = await app.http.post('/api/v1/auth/login').send({ login: DEMO_MEMBER.email, password: DEMO_MEMBER.password });
    expect(login.status).toBe(200);
    const classes = await app.http.get('/api/v1/me/classes').set({ authorization: `Bearer ${login.body.token}` });
    expect(classes.status).toBe(200);
    const bookable = classes.body.items.find((c: { bookable: boolean }) => c.bookable);
    expect(bookable).toBeDefined();
    const booking = await app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${login.body.token}` }).send({ sessionId: bookable.id });
    expect(booking.status).toBe(201);
  });
});

describe('demo: EGYM MMS sandbox in push mode', () => {
  let app: TestApp;
  let auth: { authorization: string };
  let demo: Awaited<ReturnType<typeof startDemo>> | null = null;
  let drainers: ReturnType<typeof startOutboxDrainers>;
  beforeAll(async () => {
    app = await startTestApp();
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    drainers = startOutboxDrainers(app.ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
  });
  afterAll(async () => {
    await drainers.stop();
    await demo?.stop();
    await app.close();
  });

  /** What the banner tells the operator to curl: the sandbox's accounts and visits. */
  const sandboxUrl = (lines: string[]) => /^EGYM MMS sandbox at (\S+): members and check-ins arrive there/.exec(lines.find((l) => l.startsWith('EGYM MMS sandbox at')) ?? '')?.[1];
  const curl = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.json() as Promise<any[]>;
  };
  const demoMember = async (url: string) => (await curl(`${url}/_sandbox/accounts`)).find((a) => a.email === DEMO_MEMBER.email);
  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 50))) {
      const found = await probe();
      if (found !== undefined) return found;
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('links each demo location to a sandbox gym; a member and their check-in arrive once the drainers ran, and again after a restart', async () => {
    await seedDemo(app.ctx);
    demo = await startDemo(app.ctx);
    const url = sandboxUrl(demo.lines);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.lines.join('\n')).toContain(`curl ${url}/_sandbox/accounts and curl ${url}/_sandbox/visits`);

    const integration = (await listIntegrations(app.ctx)).find((i) => i.type === 'egym_mms')!;
    expect(integration).toMatchObject({ active: true, config: { baseUrl: url, mode: 'push', membershipId: { source: 'clientId' } } });
    const locations = await listLocations(app.ctx.db);
    expect(locations).toHaveLength(2);
    for (const [i, location] of locations.entries()) {
      const link = await app.http.get(`/api/v1/admin/integrations/${integration.id}/locations/${location.id}`).set(auth).expect(200);
      expect(link.body).toMatchObject({ externalId: `gym-${i + 1}`, secrets: { apiKey: 'set' } });
    }

    // The drainers take the locations up (each queues a push-all); a visit of the demo member sends
    // the member first, then the check-in.
    await drainers.drainNow();
    const member = (await findClientsByLogin(app.ctx.db, DEMO_MEMBER.email))[0]!;
    const door = (await findDoorByCode(app.ctx.db, 'DT-ENTRANCE'))!;
    await app.http.post('/api/v1/admin/door-access-events').set(auth).send({ doorId: door.id, clientId: member.id, occurredAt: new Date(Date.now() - 1000).toISOString() }).expect(201);
    await drainers.drainNow();
    await drainers.drainNow();
    const account = await demoMember(url!);
    expect(account).toMatchObject({ firstName: 'Dana', lastName: 'Demo', gender: 'FEMALE', gymId: 'gym-1', membership: { membershipId: String(member.id) } });
    expect((await curl(`${url}/_sandbox/visits`)).filter((v) => v.accountId === account.accountId)).toEqual([expect.objectContaining({ type: 'CHECKIN', gymId: 'gym-1', source: 'api' })]);

    // A restart: a new, empty sandbox; the same integration re-pointed, what went to the old one
    // forgotten, and the members pushed again by a push-all run (the demo member is the first).
    await demo.stop();
    demo = await startDemo(app.ctx);
    const again = sandboxUrl(demo.lines)!;
    expect(again).not.toBe(url);
    expect((await listIntegrations(app.ctx)).filter((i) => i.type === 'egym_mms')).toEqual([expect.objectContaining({ id: integration.id, active: true, config: expect.objectContaining({ baseUrl: again }) })]);
    expect(await curl(`${again}/_sandbox/accounts`)).toEqual([]);
    const worker = startWorker(app.ctx, integrationJobs, { pollMs: 20 });
    try {
      expect(await until('the demo member in the new sandbox', () => demoMember(again))).toMatchObject({ gymId: 'gym-1', membership: { membershipId: String(member.id) } });
    } finally {
      await worker.stop();
    }
  });
});

describe('demo: EGYM Wellpass sandbox', () => {
  it('publishes the Spinning classes of the first location, and a booking made in the sandbox is reserved in clubcore', async () => {
    const app = await startTestApp();
    const ctx = { ...app.ctx, config: { ...app.ctx.config, PUBLIC_BASE_URL: app.url } };
    const drainers = startOutboxDrainers(ctx, integrationOutbox, { pollMs: 3_600_000, retryBaseMs: 0 });
    await seedDemo(ctx);
    const demo = await startDemo(ctx);
    let worker: ReturnType<typeof startWorker> | null = null;
    try {
      const url = /^EGYM Wellpass sandbox at (\S+):/.exec(demo.lines.find((l) => l.startsWith('EGYM Wellpass sandbox at'))!)![1]!;
      const venue = /venue (\S+) \(/.exec(demo.lines.find((l) => l.startsWith('EGYM Wellpass integration'))!)![1]!;
      await drainers.drainNow(); // the venue's consumer: a reconcile publishes what is scheduled
      // Only the Wellpass run here: the Perfect Gym and EGYM demo runs (minutes at EGYM's rate) would queue ahead of it.
      const wellpassId = (await listIntegrations(ctx)).find((i) => i.type === 'wellpass')!.id;
      await ctx.db('sync_runs').whereNot({ integration_id: wellpassId }).where({ status: 'queued' }).update({ status: 'cancelled', active_key: null });
      worker = startWorker(ctx, integrationJobs, { pollMs: 20 });
      // A class still open for booking (a class under way is published too, with booking closed).
      type Slot = { id: number; cancelled: boolean; occur_date: string; total_capacity: number; total_booked: number };
      let slots: Slot[] = [];
      for (let i = 0; i < 400 && !slots.length; i++) {
        slots = ((await (await fetch(`${url}/_sandbox/state`)).json()) as { slots: Slot[] }).slots.filter(
          (s) => !s.cancelled && Date.parse(s.occur_date) > Date.now() + 60_000 && s.total_capacity > s.total_booked,
        );
        if (!slots.length) await new Promise((r) => setTimeout(r, 50));
      }
      expect(slots.length).toBeGreaterThan(0);
      const res = await fetch(`${url}/_sandbox/gyms/${venue}/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ slot_id: slots[0]!.id, user: { unique_token: 'wp-demo-1', name: 'Wanda Wellpass', email: 'wanda@corp.example' } }),
      });
      expect(res.status).toBe(201);
      const { booking } = (await res.json()) as { booking: { booking_number: string } };
      const decided = await ctx.db('wellpass_bookings').where({ booking_number: booking.booking_number }).first();
      expect(decided).toMatchObject({ status: 'reserved', reason_category: null });
    } finally {
      await demo.stop();
      await worker?.stop();
      await drainers.stop();
      await app.close();
    }
  });
});
