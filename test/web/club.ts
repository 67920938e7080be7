import { expect } from '@jest/globals';
import type { SyncFixture } from '../integrations/support.js';
import { tomorrowAt } from '../support/time.js';

/** A Perfect Gym member with a current contract and a password, at a location clubcore links, not synced into clubcore. */
export interface ClubMember {
  login: string;
  password: string;
  memberId: number;
  locationId: number;
}

/**
 * Classes tomorrow at a Perfect Gym member's home location, as a manager would set them up: Yoga
 * (12 places) and Spinning (1 place, taken by someone else, 3 on the waitlist), which the member's
 * contract grants through a package with its payment plan's alt id, and Boxing, which it does not.
 */
export async function clubWithClasses(f: SyncFixture, skip: number[] = []) {
  const post = async (path: string, body: object, auth = f.auth) => {
    const res = await f.app.http.post(path).set(auth).send(body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const mappedClubs = f.locations.map((l) => l.clubId);
  const login = f.sb.demoLogins.find((l) => !skip.includes(l.memberId) && mappedClubs.includes(f.sb.get('Members', l.memberId)!.homeClubId as number))!;
  const location = f.locations.find((l) => l.clubId === f.sb.get('Members', login.memberId)!.homeClubId)!;
  const contract = f.sb.list('Contracts').find((c) => c.memberId === login.memberId && c.status === 'Current')!;
  const [yoga, spinning, boxing] = await Promise.all(['Yoga', 'Spinning', 'Boxing'].map((name) => post('/api/v1/admin/activities', { name })));
  const pkg = await post('/api/v1/admin/packages', { name: 'Classes', altId: `payment_plan_${contract.paymentPlanId}`, activityIds: [yoga.id, spinning.id] });
  const session = (activityId: number, hour: number, capacity: number, waitlistCapacity = 0) =>
    post('/api/v1/admin/sessions', { activityId, locationId: location.id, startsAt: tomorrowAt(hour), endsAt: tomorrowAt(hour + 1), capacity, waitlistCapacity, instructor: 'Alex' });
  const sessions = { yoga: await session(yoga.id, 9, 12), spinning: await session(spinning.id, 10, 1, 3), boxing: await session(boxing.id, 11, 10) };
  // someone else takes Spinning's one place
  const other = await post('/api/v1/admin/clients', { firstName: 'Other', lastName: 'Member', homeLocationId: location.id });
  await post(`/api/v1/admin/clients/${other.id}/packages`, { packageId: pkg.id });
  await post('/api/v1/me/bookings', { sessionId: sessions.spinning.id }, { authorization: `Bearer ${await f.app.clientToken(other.id)}` });
  const member: ClubMember = { ...login, locationId: location.id };
  return { member, sessions };
}
