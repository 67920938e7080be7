/**
 * Every admin create is safe to run concurrently (issue 12): N valid creates with distinct bodies
 * fired at once all answer 201 and leave N new rows. On MySQL this is where lock waits and
 * deadlocks show (a create that deletes and re-inserts rows, a row locked FOR UPDATE); each
 * transaction that can deadlock must be retried, not answered with a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { futureIso, makeWorld, startHardening, uid, type Hardening, type World } from './support.js';

const N = 8;
/** Bursts per resource: a deadlock needs the right interleaving, a second burst makes one likelier. */
const ROUNDS = 2;

interface CreateCase {
  name: string;
  path: (w: World) => string;
  body: (w: World, i: number) => unknown;
  /** The table that must gain N rows, and the rows that count (default: all). */
  table: string;
  where?: (w: World) => Record<string, unknown>;
}

const CASES: CreateCase[] = [
  {
    name: 'identity-types', table: 'identity_types', path: () => '/api/v1/admin/identity-types',
    body: (_w, i) => ({ name: uid(`Type ${i} `), kind: 'card', maxPerClient: 2, minDaysBetweenChanges: 0, active: true }),
  },
  { name: 'locations', table: 'locations', path: () => '/api/v1/admin/locations', body: (_w, i) => ({ name: uid(`Club ${i} `), timezone: 'Europe/Berlin', egymLocationId: uid('egym-') }) },
  {
    name: 'doors', table: 'doors', path: () => '/api/v1/admin/doors',
    body: (w, i) => ({ title: `Door ${i}`, doorCode: uid('C'), locationId: w.locationId, type: 'entrance', accessControl: true, active: true }),
  },
  {
    name: 'packages', table: 'packages', path: () => '/api/v1/admin/packages',
    body: (w, i) => ({ name: uid(`Package ${i} `), altId: uid('product_'), activityIds: [w.activityId], locationIds: [w.locationId] }),
  },
  { name: 'activities', table: 'activities', path: () => '/api/v1/admin/activities', body: (_w, i) => ({ name: uid(`Activity ${i} `) }) },
  {
    name: 'sessions', table: 'class_sessions', path: () => '/api/v1/admin/sessions',
    body: (w, i) => ({ activityId: w.activityId, locationId: w.locationId, startsAt: futureIso(100 + 2 * i), endsAt: futureIso(101 + 2 * i), capacity: 10, instructor: `Coach ${i}` }),
  },
  { name: 'clients', table: 'clients', path: () => '/api/v1/admin/clients', body: (_w, i) => ({ firstName: `First${i}`, lastName: 'Concurrent', email: `${uid('c')}@test.clubcore` }) },
  {
    // One client, N identities of a type that allows them: the creates lock the same client row.
    name: "clients' identities", table: 'client_identities', path: (w) => `/api/v1/admin/clients/${w.clientId}/identities`,
    body: (w, i) => ({ identityTypeId: w.cardTypeId, value: uid(`card-${i}-`) }), where: (w) => ({ client_id: w.clientId }),
  },
  {
    name: 'client packages', table: 'client_packages', path: (w) => `/api/v1/admin/clients/${w.clientId}/packages`,
    body: (w, i) => ({ packageId: w.packageId, startsAt: futureIso(24 * i), endsAt: futureIso(24 * i + 720) }), where: (w) => ({ client_id: w.clientId }),
  },
  {
    name: 'door-access-events', table: 'door_access_events', path: () => '/api/v1/admin/door-access-events',
    body: (w, i) => ({ doorId: w.doorId, clientId: w.clientId, occurredAt: futureIso(-i - 1), externalId: uid(`entry-${i}-`) }),
  },
  {
    name: 'integrations', table: 'integrations', path: () => '/api/v1/admin/integrations',
    body: (w, i) => ({
      type: 'egym_bma', name: uid(`EGYM ${i} `), active: false,
      config: { verification: { kind: 'hs256' }, bmaUserIdentityTypeId: w.bmaTypeId, memberIdentityTypeId: w.memberTypeId },
      secrets: { hs256Secret: 'concurrent-secret-0123456789' },
    }),
  },
  {
    name: 'staff', table: 'staff_users', path: () => '/api/v1/admin/staff',
    body: (_w, i) => ({ email: `${uid(`staff${i}-`)}@test.clubcore`, password: 'staff-password', name: `Staff ${i}`, role: i % 2 ? 'admin' : 'manager' }),
  },
];

describe(`${N} concurrent valid creates on every admin resource: ${N} x 201 and ${N} rows`, () => {
  let h: Hardening;
  let w: World;

  beforeAll(async () => {
    h = await startHardening();
    w = await makeWorld(h);
  });
  afterAll(() => h?.close());

  for (const c of CASES) {
    it(`POST ${c.path({ clientId: ':id' } as unknown as World)}`, async () => {
      const count = async () => Number((await h.app.ctx.db(c.table).where(c.where?.(w) ?? {}).count({ n: '*' }).first())!.n);
      for (let round = 0; round < ROUNDS; round++) {
        const before = await count();
        const bodies = Array.from({ length: N }, (_, i) => c.body(w, round * N + i));
        const answers = await Promise.all(bodies.map((body) => h.request('POST', c.path(w), { token: w.admin, body: JSON.stringify(body) })));
        // Each answer as a line, with the server's error for the ones that failed, so a failure says why.
        const lines = answers.map((a, i) =>
          a.status === 201 ? '201' : `${a.status} ${a.text.slice(0, 200)} | server log: ${h.serverError(a.requestId)} | body ${JSON.stringify(bodies[i])}`,
        );
        expect(lines).toEqual(Array(N).fill('201'));
        expect(new Set(answers.map((a) => a.json?.id ?? a.json?.event?.id)).size).toBe(N);
        expect(await count()).toBe(before + N);
      }
    });
  }
});
