import { findActivityByName, countSessionsAt } from '../src/classes/repository.js';
import { createActivity, createSession } from '../src/classes/service.js';
import { findClientsByLogin } from '../src/clients/repository.js';
import { createClient, updateClient } from '../src/clients/service.js';
import type { AppContext } from '../src/context.js';
import { findDoorByCode } from '../src/doors/repository.js';
import { createDoor } from '../src/doors/service.js';
import { findIdentityTypeByName, type IdentityTypeFields } from '../src/identities/repository.js';
import { createIdentityType } from '../src/identities/service.js';
import { listLocations } from '../src/locations/repository.js';
import { createLocation } from '../src/locations/service.js';
import { findPackageByAltId, listClientPackages } from '../src/packages/repository.js';
import { assignPackage, createPackage } from '../src/packages/service.js';

export const DEMO_MEMBER = { email: 'member@demo.clubcore', password: 'demo-member-password' };

const IDENTITY_TYPES: IdentityTypeFields[] = [
  { name: 'Perfect Gym member', kind: 'perfect_gym_member', maxPerClient: 1, minDaysBetweenChanges: 0, active: true },
  { name: 'EGYM BMA User ID', kind: 'egym_bma_user', maxPerClient: 1, minDaysBetweenChanges: 0, active: true },
  // Each client's account id at EGYM's MMS API, kept by the egym_mms integration (src/demo.ts pushes the demo's members there).
  { name: 'EGYM account', kind: 'egym_account', maxPerClient: 1, minDaysBetweenChanges: 0, active: true },
  { name: 'Access card', kind: 'card', maxPerClient: 2, minDaysBetweenChanges: 1, active: true },
  // A Wellpass member's aggregator id, kept by the wellpass integration (src/demo.ts offers Spinning through its sandbox).
  { name: 'Wellpass id', kind: 'wellpass', maxPerClient: 1, minDaysBetweenChanges: 0, active: true },
];
const LOCATIONS = [
  { name: 'Downtown', timezone: 'Europe/Berlin', egymLocationId: 'egym-downtown', doors: [['DT-ENTRANCE', 'Main entrance', 'entrance'], ['DT-EXIT', 'Exit turnstile', 'exit']] },
  { name: 'Riverside', timezone: 'Europe/Berlin', egymLocationId: 'egym-riverside', doors: [['RS-ENTRANCE', 'Entrance', 'entrance']] },
] as const;
const ACTIVITIES = ['Yoga', 'Spinning', 'HIIT', 'Pilates'];
// Alt ids follow Perfect Gym: payment_plan_<PaymentPlanId> for contracts, product_<ProductId> for add-ons.
const PACKAGES = [
  { name: 'Basic membership', altId: 'payment_plan_1', activities: ['Yoga', 'HIIT', 'Pilates'] },
  { name: 'Premium membership', altId: 'payment_plan_2', activities: ACTIVITIES },
  { name: 'Spinning add-on', altId: 'product_1', activities: ['Spinning'] },
];
const DAY = 24 * 3600_000;
const CLASS_HOURS_UTC = [6, 11, 17];

/**
 * Demo data through the services, idempotent: everything is looked up by its natural key
 * (name, door code, alt id, e-mail) first, and a week of classes is added only where none exist.
 */
export async function seedDemo(ctx: AppContext): Promise<{ lines: string[] }> {
  for (const type of IDENTITY_TYPES) {
    if (!(await findIdentityTypeByName(ctx.db, type.name))) await createIdentityType(ctx, type);
  }

  const existing = await listLocations(ctx.db);
  const locations = [];
  for (const spec of LOCATIONS) {
    const location =
      existing.find((l) => l.name === spec.name) ??
      (await createLocation(ctx, { name: spec.name, timezone: spec.timezone, egymLocationId: spec.egymLocationId }));
    locations.push(location);
    for (const [doorCode, title, type] of spec.doors) {
      if (!(await findDoorByCode(ctx.db, doorCode))) await createDoor(ctx, { locationId: location.id, doorCode, title, type, accessControl: true });
    }
  }

  const activityIds = new Map<string, number>();
  for (const name of ACTIVITIES) activityIds.set(name, ((await findActivityByName(ctx.db, name)) ?? (await createActivity(ctx, { name, aggregatorBookings: { enabled: false, seatCap: null } }))).id);

  for (const spec of PACKAGES) {
    if (!(await findPackageByAltId(ctx.db, spec.altId))) {
      await createPackage(ctx, { name: spec.name, altId: spec.altId, activityIds: spec.activities.map((a) => activityIds.get(a)!), locationIds: [] });
    }
  }

  const today = new Date(Math.floor(ctx.now().getTime() / DAY) * DAY);
  const weekEnd = new Date(today.getTime() + 7 * DAY);
  for (const [i, location] of locations.entries()) {
    if (await countSessionsAt(ctx.db, location.id, today, weekEnd)) continue;
    for (let day = 0; day < 7; day++) {
      for (const [slot, hour] of CLASS_HOURS_UTC.entries()) {
        const startsAt = new Date(today.getTime() + day * DAY + hour * 3600_000);
        await createSession(ctx, {
          activityId: activityIds.get(ACTIVITIES[(day + slot + i) % ACTIVITIES.length]!)!,
          locationId: location.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 3600_000),
          capacity: slot === 0 ? 3 : 12,
          instructor: ['Ana', 'Ben', 'Chloé'][slot] ?? null,
        });
      }
    }
  }

  let [member] = await findClientsByLogin(ctx.db, DEMO_MEMBER.email);
  if (!member) {
    const created = await createClient(ctx, {
      firstName: 'Dana', lastName: 'Demo', email: DEMO_MEMBER.email, gender: 'female', homeLocationId: locations[0]!.id, password: DEMO_MEMBER.password,
    });
    member = { ...created, passwordHash: null };
  } else if (!member.gender) {
    // EGYM takes no member without a gender: a demo member seeded before genders gets one.
    await updateClient(ctx, member.id, { gender: 'female' });
  }
  if (!(await listClientPackages(ctx.db, member.id)).length) {
    const basic = (await findPackageByAltId(ctx.db, 'payment_plan_1'))!;
    await assignPackage(ctx, member.id, { packageId: basic.id, startsAt: null, endsAt: null });
  }
  return { lines: [`Demo member sign-in: ${DEMO_MEMBER.email} / ${DEMO_MEMBER.password}`] };
}
