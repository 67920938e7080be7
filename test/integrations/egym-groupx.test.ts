import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../support/app.js';
import { loadContract } from '../support/openapi.js';

/*
 * EGYM's canonical GroupX classes API served by clubcore, over real HTTP and a real database: every
 * exchange checked against EGYM's contract file. The contract declares 200 (and a 422 without a
 * body) per operation and describes 400/401/404/422 bodies only in its general "Errors" section, so
 * error bodies are checked against that section here (and their causes and reasons against the
 * operation's own 422 list, read from the file).
 */
const SPEC = fileURLToPath(new URL('../../../shared/specs/egym/canonical-groupx-classes.openapi.json', import.meta.url));
const contract = loadContract(SPEC);
const doc = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>> };

const BASE = '/egym/groupx';
const CLIENT_ID = 'egym-groupx-client';
const CLIENT_SECRET = 'groupx-secret-0123456789abcdef';
const EGYM_LOCATION = 'egym-loc-1';
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const HOUR = 3600_000;
/** A time in the contract's format, `ms` from now, on a whole second. */
const at = (ms: number) => new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The contract's path template of a request path. */
function templateOf(path: string): string {
  return path
    .replace(/^\/classes\/[^/]+\/waitlist\/attendees\/[^/]+$/, '/classes/{classId}/waitlist/attendees/{exerciserId}')
    .replace(/^\/classes\/[^/]+\/attendees\/[^/]+$/, '/classes/{classId}/attendees/{exerciserId}')
    .replace(/^\/classes\/[^/]+$/, '/classes/{classId}')
    .replace(/^\/exercisers\/[^/]+\/schedule$/, '/exercisers/{exerciserId}/schedule');
}

/** The 422 causes and reasons an operation lists in its description. */
function causesOf(method: string, template: string): Map<string, string[]> {
  const text = doc.paths[template]?.[method.toLowerCase()]?.responses['422']?.description ?? '';
  const causes = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const cause = /^\* cause `(\w+)`/.exec(line.trim());
    const reason = /^\* reason `(\w+)`/.exec(line.trim());
    if (cause) causes.set(cause[1]!, (current = []));
    else if (reason) current.push(reason[1]!);
  }
  return causes;
}

/** What the contract's "Errors" section requires of each error body. */
function expectContractError(method: string, path: string, status: number, body: Record<string, unknown>) {
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  if (status === 400) {
    expect(body.cause).toBe('badRequest');
    expect(Object.values(body.errors as object).every((r) => typeof r === 'string')).toBe(true);
    expect(Object.keys(body.errors as object).length).toBeGreaterThan(0);
  } else if (status === 401) {
    expect(body).toMatchObject({ cause: 'unauthorizedAccess', accessLevel: expect.stringMatching(/^(client|location)$/) });
  } else if (status === 404) {
    if (body.cause === 'entityNotFound') expect(typeof body.parameter).toBe('string');
    else expect(body.cause).toBe('resourceNotFound');
  } else if (status === 422) {
    const causes = causesOf(method, templateOf(path));
    expect([...causes.keys()]).toContain(body.cause);
    expect(causes.get(body.cause as string)).toContain(body.reason);
  } else if (status !== 405) {
    throw new Error(`unexpected status ${status}: ${JSON.stringify(body)}`);
  }
}

interface Exchange {
  status: number;
  body: any;
  violations: string[];
}

describe('EGYM canonical GroupX classes API', () => {
  let app: TestApp;
  let auth: { authorization: string };
  let integrationId: number;
  let locationId: number;
  let otherLocationId: number;
  let yogaId: number;
  let seq = 0;
  const statusesSeen = new Set<string>();
  const creds = { 'X-Client-ID': CLIENT_ID, 'X-Client-Secret': CLIENT_SECRET, 'X-Location-ID': EGYM_LOCATION };

  /** One exchange with the API: the request (unless deliberately broken) and the response checked against the contract. */
  async function call(method: string, path: string, opts: { query?: Record<string, string>; headers?: Record<string, string>; broken?: boolean } = {}): Promise<Exchange> {
    const headers = opts.headers ?? creds;
    const qs = new URLSearchParams(opts.query ?? {}).toString();
    const res = await fetch(`${app.url}${BASE}${path}${qs ? `?${qs}` : ''}`, { method, headers });
    const body = await res.json();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    statusesSeen.add(`${method} ${templateOf(path)} ${res.status}`);
    const violations: string[] = [];
    if (!opts.broken) violations.push(...contract.checkRequest({ method, path, query: opts.query, headers }));
    const checked = contract.checkResponse({ method, path, status: res.status, headers: Object.fromEntries(res.headers), body });
    if (res.status < 300) {
      violations.push(...checked);
    } else {
      // Error bodies: the contract declares none per operation; its general section is checked instead.
      violations.push(...checked.filter((v) => !/is not declared|declares no body/.test(v)));
      expectContractError(method, path, res.status, body);
    }
    return { status: res.status, body, violations };
  }
  async function ok(method: string, path: string, opts: Parameters<typeof call>[2] = {}) {
    const res = await call(method, path, opts);
    expect({ status: res.status, violations: res.violations }).toEqual({ status: 200, violations: [] });
    return res.body;
  }
  async function refused(method: string, path: string, status: number, opts: Parameters<typeof call>[2] = {}) {
    const res = await call(method, path, opts);
    expect({ status: res.status, violations: res.violations }).toEqual({ status, violations: [] });
    return res.body;
  }

  async function created(path: string, body: unknown) {
    const res = await app.http.post(path).set(auth).send(body as object);
    expect(res.status).toBe(201);
    return res.body;
  }
  async function session(overrides: Record<string, unknown> = {}): Promise<number> {
    return (await created('/api/v1/admin/sessions', { activityId: yogaId, locationId, startsAt: at(2 * HOUR), endsAt: at(3 * HOUR), capacity: 5, instructor: 'Ann Smith', ...overrides })).id;
  }
  let bmaTypeId: number;
  let memberTypeId: number;
  /** A member: an EGYM user id and/or a membership id, with or without a package granting yoga at the location. */
  async function member(opts: { bma?: string; memberId?: string; withPackage?: boolean } = {}) {
    const client = await created('/api/v1/admin/clients', { firstName: 'M', lastName: `Member${++seq}`, homeLocationId: locationId });
    if (opts.bma) await created(`/api/v1/admin/clients/${client.id}/identities`, { identityTypeId: bmaTypeId, value: opts.bma });
    if (opts.memberId) await created(`/api/v1/admin/clients/${client.id}/identities`, { identityTypeId: memberTypeId, value: opts.memberId });
    if (opts.withPackage !== false) {
      const pkg = await created('/api/v1/admin/packages', { name: `Yoga ${seq}`, activityIds: [yogaId], locationIds: [locationId] });
      await created(`/api/v1/admin/clients/${client.id}/packages`, { packageId: pkg.id });
    }
    return client.id as number;
  }

  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_BASE_URL: 'https://club.example' });
    auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    bmaTypeId = (await created('/api/v1/admin/identity-types', { name: 'EGYM BMA User ID', kind: 'egym_bma_user', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    memberTypeId = (await created('/api/v1/admin/identity-types', { name: 'Member ID', kind: 'membership_number', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).id;
    const integration = await created('/api/v1/admin/integrations', {
      type: 'egym_bma', name: 'EGYM app', active: true,
      config: { verification: { kind: 'hs256' }, membershipIdPrefix: 'gymnation-', bmaUserIdentityTypeId: bmaTypeId, memberIdentityTypeId: memberTypeId, groupx: { clientId: CLIENT_ID } },
      secrets: { hs256Secret: 'hs256-secret-0123456789', groupxClientSecret: CLIENT_SECRET },
    });
    expect(integration.secrets).toEqual({ hs256Secret: 'set', groupxClientSecret: 'set' });
    expect(integration.config.groupx).toEqual({ clientId: CLIENT_ID, locationHeader: true });
    integrationId = integration.id;
    locationId = (await created('/api/v1/admin/locations', { name: 'Main', timezone: 'Europe/Berlin', egymLocationId: EGYM_LOCATION })).id;
    otherLocationId = (await created('/api/v1/admin/locations', { name: 'Other', timezone: 'Europe/Berlin', egymLocationId: 'egym-loc-2' })).id;
    yogaId = (await created('/api/v1/admin/activities', { name: 'Yoga' })).id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('publishes the meta options a club hands to EGYM, the secret only as "the secret you set"', async () => {
    const res = await app.http.get(`/api/v1/admin/integrations/${integrationId}/groupx-meta`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      baseUrl: 'https://club.example/egym/groupx',
      metaOptions: { bookingEnabled: true, spotBookingEnabled: false, includeClientData: true, includeLocationData: true, includeChainData: false, includeUserData: false },
      headers: { 'X-Client-ID': CLIENT_ID, 'X-Client-Secret': expect.stringMatching(/the secret you set/), 'X-Location-ID': expect.any(String) },
    });
    expect(res.body.locations).toEqual(expect.arrayContaining([
      { egymLocationId: EGYM_LOCATION, locationId, name: 'Main' },
      { egymLocationId: 'egym-loc-2', locationId: otherLocationId, name: 'Other' },
    ]));
    expect(JSON.stringify(res.body)).not.toContain(CLIENT_SECRET);
    const shown = await app.http.get(`/api/v1/admin/integrations/${integrationId}`).set(auth);
    expect(JSON.stringify(shown.body)).not.toContain(CLIENT_SECRET);
    expect(shown.body.publicApiUrl).toBe('https://club.example/egym/groupx');
    // Stored encrypted: the row never holds the secret in clear.
    expect(JSON.stringify(await app.ctx.db('integrations').where({ id: integrationId }).first())).not.toContain(CLIENT_SECRET);
    expect((await app.http.post(`/api/v1/admin/integrations/${integrationId}/test`).set(auth)).body).toMatchObject({ ok: true, detail: expect.stringMatching(/GroupX/) });
  });

  it('answers 400 for missing credentials and 401 for wrong ones (client and location level)', async () => {
    const query = { locationId: EGYM_LOCATION, startDateTime: at(0), endDateTime: at(24 * HOUR) };
    const none = await refused('GET', '/classes', 400, { query, headers: {} });
    expect(none.errors).toEqual({ 'X-Client-ID': 'missing', 'X-Client-Secret': 'missing' });
    const noLocation = await refused('GET', '/classes', 400, { query, headers: { 'X-Client-ID': CLIENT_ID, 'X-Client-Secret': CLIENT_SECRET } });
    expect(noLocation.errors).toEqual({ 'X-Location-ID': 'missing' });
    expect(await refused('GET', '/classes', 401, { query, headers: { ...creds, 'X-Client-ID': 'someone-else' } })).toMatchObject({ accessLevel: 'client', message: expect.stringMatching(/X-Client-ID is invalid/) });
    expect(await refused('GET', '/classes', 401, { query, headers: { ...creds, 'X-Client-Secret': `${CLIENT_SECRET}x` } })).toMatchObject({ accessLevel: 'client', message: expect.stringMatching(/X-Client-Secret is invalid/) });
    expect(await refused('GET', '/classes', 401, { query, headers: { ...creds, 'X-Location-ID': 'egym-nowhere' } })).toMatchObject({ accessLevel: 'location' });
    // A location the header does not name is not served to it.
    expect(await refused('GET', '/classes', 401, { query: { ...query, locationId: 'egym-loc-2' } })).toMatchObject({ accessLevel: 'location' });
    // Every operation sits behind the same check.
    await refused('POST', '/classes/1/attendees/bma-x', 400, { headers: {} });
    await refused('GET', '/exercisers/bma-x/schedule', 401, { query: { startDateTime: query.startDateTime, endDateTime: query.endDateTime }, headers: { ...creds, 'X-Client-Secret': 'wrong' } });
  });

  it('searches the classes of an EGYM location, dates in UTC without milliseconds', async () => {
    const id = await session({ startsAt: at(26 * HOUR), endsAt: at(27 * HOUR) });
    await session({ startsAt: at(80 * HOUR), endsAt: at(81 * HOUR) });
    await created('/api/v1/admin/sessions', { activityId: yogaId, locationId: otherLocationId, startsAt: at(26 * HOUR), endsAt: at(27 * HOUR), capacity: 3 });
    const list = await ok('GET', '/classes', { query: { locationId: EGYM_LOCATION, startDateTime: at(25 * HOUR), endDateTime: at(48 * HOUR) } });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      brief: { id: String(id), name: 'Yoga', locationId: EGYM_LOCATION, free: true, reservable: true, instructor: { fullName: 'Ann Smith' }, activity: { name: 'Yoga' } },
      bookingDetails: { capacity: 5, booked: 0, waitlistBooked: 0 },
      details: {},
    });
    expect(list[0].brief.startDateTime).toMatch(UTC);
    expect(list[0].brief.endDateTime).toMatch(UTC);
    expect(list[0].attendeeBookingDetails).toBeUndefined();

    const missing = await refused('GET', '/classes', 400, { broken: true });
    expect(missing.errors).toEqual({ locationId: 'missing', startDateTime: 'missing', endDateTime: 'missing' });
    const formats = await refused('GET', '/classes', 400, { query: { locationId: EGYM_LOCATION, startDateTime: '2030-05-26T07:23:01.500Z', endDateTime: '2030-05-26 07:23:01Z' }, broken: true });
    expect(formats.errors).toEqual({ startDateTime: 'wrongFormat', endDateTime: 'wrongFormat' });
    for (const bad of ['2030-05-26T07:23:01', '2030-05-26T07:23Z', '2030-02-31T10:00:00Z', '2030-05-26T07:23:01+02:00']) {
      expect((await refused('GET', '/classes', 400, { query: { locationId: EGYM_LOCATION, startDateTime: bad, endDateTime: at(HOUR) }, broken: true })).errors).toEqual({ startDateTime: 'wrongFormat' });
    }
    const reversed = await refused('GET', '/classes', 400, { query: { locationId: EGYM_LOCATION, startDateTime: at(2 * HOUR), endDateTime: at(HOUR) } });
    expect(reversed.errors).toEqual({ startDateTime: 'greaterThanEndDateTime', endDateTime: 'lessThanStartDateTime' });
    const unknown = await refused('GET', '/classes', 404, { query: { locationId: 'egym-nowhere', startDateTime: at(0), endDateTime: at(HOUR) }, headers: { 'X-Client-ID': CLIENT_ID, 'X-Client-Secret': CLIENT_SECRET, 'X-Location-ID': EGYM_LOCATION } });
    expect(unknown).toMatchObject({ cause: 'entityNotFound', parameter: 'locationId' });
  });

  it('says truthfully in the class details whether this exerciser can book, cancel or wait, and why not', async () => {
    const id = await session();
    await member({ bma: 'bma-eligible' });
    await member({ bma: 'bma-no-package', withPackage: false });
    const plain = await ok('GET', `/classes/${id}`);
    expect(plain.attendeeBookingDetails).toBeUndefined();
    expect(plain.bookingDetails).toMatchObject({ capacity: 5, booked: 0 });

    const eligible = await ok('GET', `/classes/${id}`, { query: { exerciserId: 'bma-eligible' } });
    expect(eligible.attendeeBookingDetails).toMatchObject({
      exerciserId: 'bma-eligible', booked: false, waitlistBooked: false,
      eligibility: { addToClassEligibility: { eligible: true }, removeFromClassEligibility: { eligible: false }, addToWaitlistEligibility: { eligible: false }, removeFromWaitlistEligibility: { eligible: false } },
    });
    expect(eligible.attendeeBookingDetails.eligibility.addToClassEligibility.lackOfProduct).toBeUndefined();
    const lacking = await ok('GET', `/classes/${id}`, { query: { exerciserId: 'bma-no-package' } });
    expect(lacking.attendeeBookingDetails.eligibility.addToClassEligibility).toMatchObject({ eligible: false, lackOfProduct: true, reason: expect.stringMatching(/package/) });

    const started = await session({ startsAt: at(-HOUR), endsAt: at(HOUR) });
    const late = await ok('GET', `/classes/${started}`, { query: { exerciserId: 'bma-eligible' } });
    expect(late.brief.reservable).toBe(false);
    expect(late.attendeeBookingDetails.eligibility.addToClassEligibility).toMatchObject({ eligible: false, lackOfProduct: false, reason: expect.stringMatching(/started/) });

    expect(await refused('GET', '/classes/999999', 404)).toMatchObject({ cause: 'entityNotFound', parameter: 'classId' });
    expect(await refused('GET', '/classes/abc', 404)).toMatchObject({ parameter: 'classId' });
    expect(await refused('GET', `/classes/${id}`, 404, { query: { exerciserId: 'bma-nobody' } })).toMatchObject({ cause: 'entityNotFound', parameter: 'exerciserId' });
  });

  it('resolves an exerciser as the tile sign-in does, and never guesses someone else', async () => {
    const id = await session();
    const byMembership = await member({ memberId: '5001' });
    const booked = await ok('POST', `/classes/${id}/attendees/gymnation-5001`);
    expect(booked.attendeeBookingDetails).toMatchObject({ exerciserId: 'gymnation-5001', booked: true });
    expect(await app.ctx.db('bookings').where({ session_id: id, client_id: byMembership }).first()).toMatchObject({ status: 'booked', source: 'egym' });
    // Nothing is stored from a server call: the EGYM user identity is linked by the member's own sign-in.
    expect(await app.ctx.db('client_identities').where({ client_id: byMembership, identity_type_id: bmaTypeId }).first()).toBeUndefined();
    // Without the prefix, or with a UUID-like id ending in that member id, nobody is guessed.
    for (const other of ['5001', 'a1b2-5001', 'gymnation-', 'gymnation-9999']) {
      expect(await refused('GET', `/exercisers/${other}/schedule`, 404, { query: { startDateTime: at(0), endDateTime: at(24 * HOUR) } })).toMatchObject({ parameter: 'exerciserId' });
      expect(await refused('POST', `/classes/${id}/attendees/${other}`, 404)).toMatchObject({ parameter: 'exerciserId' });
    }
    // An inactive member is not served either.
    const gone = await member({ bma: 'bma-gone' });
    await app.http.patch(`/api/v1/admin/clients/${gone}`).set(auth).send({ status: 'inactive' }).expect(200);
    expect(await refused('GET', `/classes/${id}`, 404, { query: { exerciserId: 'bma-gone' } })).toMatchObject({ parameter: 'exerciserId' });
  });

  it('books and cancels under the club app\'s rules, with the contract\'s causes and reasons', async () => {
    const id = await session();
    const clientId = await member({ bma: 'bma-booker' });
    await member({ bma: 'bma-nopkg', withPackage: false });
    const booked = await ok('POST', `/classes/${id}/attendees/bma-booker`);
    expect(booked.bookingDetails.booked).toBe(1);
    expect(booked.attendeeBookingDetails).toMatchObject({ booked: true, eligibility: { addToClassEligibility: { eligible: false, lackOfProduct: false }, removeFromClassEligibility: { eligible: true } } });
    // The club app sees the same booking.
    const mine = await app.http.get(`/api/v1/me/classes?locationId=${locationId}`).set({ authorization: `Bearer ${await app.clientToken(clientId)}` });
    expect(mine.body.items.find((i: { id: number }) => i.id === id)).toMatchObject({ bookable: false, reason: 'alreadyBooked' });

    expect(await refused('POST', `/classes/${id}/attendees/bma-booker`, 422)).toMatchObject({ cause: 'bookingFailed', reason: 'userAlreadyAttendee' });
    expect(await refused('POST', `/classes/${id}/attendees/bma-nopkg`, 422)).toMatchObject({ cause: 'bookingFailed', reason: 'lackOfProduct' });
    const started = await session({ startsAt: at(-HOUR), endsAt: at(HOUR) });
    expect(await refused('POST', `/classes/${started}/attendees/bma-booker`, 422)).toMatchObject({ cause: 'bookingFailed', reason: 'partnerRestriction', message: expect.stringMatching(/started/) });
    const cancelled = await session();
    await app.http.patch(`/api/v1/admin/sessions/${cancelled}`).set(auth).send({ status: 'cancelled' }).expect(200);
    expect(await refused('POST', `/classes/${cancelled}/attendees/bma-booker`, 422)).toMatchObject({ cause: 'bookingFailed', reason: 'partnerRestriction', message: expect.stringMatching(/cancelled/) });
    const full = await session({ capacity: 1 });
    await ok('POST', `/classes/${full}/attendees/bma-booker`);
    await member({ bma: 'bma-second' });
    expect(await refused('POST', `/classes/${full}/attendees/bma-second`, 422)).toMatchObject({ cause: 'bookingFailed', reason: 'noFreeSpots' });
    expect(await refused('POST', `/classes/${id}/attendees/bma-booker`, 400, { query: { spot: 'A2' } })).toMatchObject({ errors: { spot: 'notSupported' } });
    expect(await refused('POST', '/classes/999999/attendees/bma-booker', 404)).toMatchObject({ parameter: 'classId' });

    const schedule = await ok('GET', '/exercisers/bma-booker/schedule', { query: { startDateTime: at(0), endDateTime: at(24 * HOUR) } });
    expect(schedule.map((c: { brief: { id: string } }) => c.brief.id).sort()).toEqual([String(id), String(full)].sort());
    for (const c of schedule) {
      expect(c.attendeeBookingDetails).toMatchObject({ exerciserId: 'bma-booker', booked: true });
      expect(c.brief.startDateTime).toMatch(UTC);
    }
    const badRange = await refused('GET', '/exercisers/bma-booker/schedule', 400, { query: { startDateTime: at(HOUR), endDateTime: 'tomorrow' }, broken: true });
    expect(badRange.errors).toEqual({ endDateTime: 'wrongFormat' });
    expect((await refused('GET', '/exercisers/bma-booker/schedule', 400, { broken: true })).errors).toEqual({ startDateTime: 'missing', endDateTime: 'missing' });
    expect((await refused('GET', '/exercisers/bma-booker/schedule', 400, { query: { startDateTime: at(HOUR), endDateTime: at(0) } })).errors).toEqual({ startDateTime: 'greaterThanEndDateTime', endDateTime: 'lessThanStartDateTime' });

    const unbooked = await ok('DELETE', `/classes/${id}/attendees/bma-booker`);
    expect(unbooked.attendeeBookingDetails).toMatchObject({ booked: false, eligibility: { addToClassEligibility: { eligible: true }, removeFromClassEligibility: { eligible: false } } });
    expect(unbooked.bookingDetails.booked).toBe(0);
    expect(await refused('DELETE', `/classes/${id}/attendees/bma-booker`, 422)).toMatchObject({ cause: 'unbookingFailed', reason: 'userNotAttendee' });
    expect(await refused('DELETE', `/classes/${id}/attendees/bma-nobody`, 404)).toMatchObject({ parameter: 'exerciserId' });
    // An attended class is no "not an attendee": it just cannot be cancelled any more.
    await app.ctx.db('bookings').where({ session_id: full, client_id: clientId }).update({ status: 'attended' });
    expect(await refused('DELETE', `/classes/${full}/attendees/bma-booker`, 422)).toMatchObject({ cause: 'unbookingFailed', reason: 'unknown', message: expect.stringMatching(/attended/) });
  });

  it('answers the operations clubcore does not offer as the contract says', async () => {
    const id = await session();
    await member({ bma: 'bma-misc' });
    expect(await refused('PUT', `/classes/${id}/attendees/bma-misc`, 404)).toMatchObject({ cause: 'resourceNotFound' });
    // A path the contract does not have (the checker knows no operation for it): the general 404.
    const other = await fetch(`${app.url}${BASE}/locations`, { headers: creds });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'Requested endpoint is not supported', cause: 'resourceNotFound' });
    // A body it does not take, even one that is not JSON, changes nothing; a broken path is a 400 in the contract's shape.
    const withBody = await fetch(`${app.url}${BASE}/classes/999999/attendees/bma-misc`, { method: 'POST', headers: { ...creds, 'content-type': 'application/json' }, body: '{not json' });
    expect(await withBody.json()).toMatchObject({ cause: 'entityNotFound', parameter: 'classId' });
    const badPath = await fetch(`${app.url}${BASE}/classes/%E0%A4%A/attendees/bma-misc`, { method: 'POST', headers: creds });
    expect({ status: badPath.status, body: await badPath.json() }).toMatchObject({ status: 400, body: { cause: 'badRequest', errors: { path: 'wrongFormat' } } });
    const res = await fetch(`${app.url}${BASE}/classes`, { method: 'PATCH', headers: creds });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ message: expect.any(String), cause: expect.any(String) });
  });

  it('joins and leaves waitlists under the club app\'s rules, and a freed seat goes to the first waiting', async () => {
    const id = await session({ capacity: 1, waitlistCapacity: 2 });
    await member({ bma: 'bma-seated' });
    const waiting = await member({ bma: 'bma-wait' });
    await member({ bma: 'bma-wait-nopkg', withPackage: false });
    expect((await ok('GET', `/classes/${id}`, { query: { exerciserId: 'bma-wait' } })).attendeeBookingDetails.eligibility.addToWaitlistEligibility)
      .toMatchObject({ eligible: false, reason: expect.stringMatching(/free spots/) });
    expect(await refused('POST', `/classes/${id}/waitlist/attendees/bma-wait`, 422)).toMatchObject({ cause: 'addToWaitlistFailed', reason: 'unknown', message: expect.stringMatching(/notFull/) });
    await ok('POST', `/classes/${id}/attendees/bma-seated`);
    const before = await ok('GET', `/classes/${id}`, { query: { exerciserId: 'bma-wait' } });
    expect(before.attendeeBookingDetails.eligibility).toMatchObject({ addToClassEligibility: { eligible: false, lackOfProduct: false }, addToWaitlistEligibility: { eligible: true } });
    const joined = await ok('POST', `/classes/${id}/waitlist/attendees/bma-wait`);
    expect(joined.brief.waitlisted).toBe(true);
    expect(joined.bookingDetails).toEqual({ capacity: 1, booked: 1, waitlistCapacity: 2, waitlistBooked: 1 });
    expect(joined.attendeeBookingDetails).toMatchObject({
      booked: false, waitlistBooked: true, waitlistPosition: 1,
      eligibility: { addToWaitlistEligibility: { eligible: false }, removeFromWaitlistEligibility: { eligible: true } },
    });
    expect(await refused('POST', `/classes/${id}/waitlist/attendees/bma-wait`, 422)).toMatchObject({ cause: 'addToWaitlistFailed', reason: 'userAlreadyInWaitlist' });
    expect(await refused('POST', `/classes/${id}/waitlist/attendees/bma-seated`, 422)).toMatchObject({ reason: 'userAlreadyAttendee' });
    expect(await refused('POST', `/classes/${id}/waitlist/attendees/bma-wait-nopkg`, 422)).toMatchObject({ reason: 'lackOfProduct' });
    const schedule = await ok('GET', '/exercisers/bma-wait/schedule', { query: { startDateTime: at(0), endDateTime: at(24 * HOUR) } });
    expect(schedule.map((c: { brief: { id: string } }) => c.brief.id)).toEqual([String(id)]);
    expect(schedule[0].attendeeBookingDetails).toMatchObject({ booked: false, waitlistBooked: true });

    const left = await ok('DELETE', `/classes/${id}/waitlist/attendees/bma-wait`);
    expect(left.attendeeBookingDetails).toMatchObject({ waitlistBooked: false, eligibility: { addToWaitlistEligibility: { eligible: true } } });
    expect(await refused('DELETE', `/classes/${id}/waitlist/attendees/bma-wait`, 422)).toMatchObject({ cause: 'removeFromWaitlistFailed', reason: 'userNotInWaitlist' });

    // A seat freed by EGYM's cancellation goes to the first waiting member, whatever channel they joined by.
    await ok('POST', `/classes/${id}/waitlist/attendees/bma-wait`);
    await ok('DELETE', `/classes/${id}/attendees/bma-seated`);
    expect(await app.ctx.db('bookings').where({ session_id: id, client_id: waiting }).first()).toMatchObject({ status: 'booked', source: 'waitlist' });
    expect((await ok('GET', `/classes/${id}`, { query: { exerciserId: 'bma-wait' } })).attendeeBookingDetails).toMatchObject({ booked: true, waitlistBooked: false });

    // No waitlist at all, and one past its cut-off.
    const noList = await session({ capacity: 1 });
    await ok('POST', `/classes/${noList}/attendees/bma-seated`);
    expect(await refused('POST', `/classes/${noList}/waitlist/attendees/bma-wait`, 422)).toMatchObject({ reason: 'noFreeSpots', message: expect.stringMatching(/no waitlist/) });
    const soon = await session({ capacity: 1, waitlistCapacity: 2, startsAt: at(30 * 60_000), endsAt: at(HOUR) });
    await ok('POST', `/classes/${soon}/attendees/bma-seated`);
    expect(await refused('POST', `/classes/${soon}/waitlist/attendees/bma-wait`, 422)).toMatchObject({ reason: 'partnerRestriction', message: expect.stringMatching(/waitlistClosed/) });
    expect(await refused('POST', `/classes/${id}/waitlist/attendees/bma-nobody`, 404)).toMatchObject({ parameter: 'exerciserId' });
    expect(await refused('DELETE', '/classes/999999/waitlist/attendees/bma-wait', 404)).toMatchObject({ parameter: 'classId' });
  });

  it('gives the last seat to one of EGYM and the club app booking at the same moment', async () => {
    for (let round = 0; round < 4; round++) {
      const id = await session({ capacity: 1 });
      await member({ bma: `bma-race-${round}` });
      const appToken = await app.clientToken(await member());
      const [egym, club] = await Promise.all([
        call('POST', `/classes/${id}/attendees/bma-race-${round}`),
        app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${appToken}` }).send({ sessionId: id }),
      ]);
      expect(egym.violations).toEqual([]);
      const winners = [egym.status === 200, club.status === 201].filter(Boolean);
      expect(winners).toHaveLength(1);
      if (egym.status === 200) expect(club.body).toMatchObject({ status: 422, code: 'full' });
      else expect(egym.body).toMatchObject({ cause: 'bookingFailed', reason: 'noFreeSpots' });
      const row = await app.ctx.db('class_sessions').where({ id }).first();
      expect(row.booked_count).toBe(1);
      expect(await app.ctx.db('bookings').where({ session_id: id, status: 'booked' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    }
  });

  it('stops answering EGYM when the club switches the API off', async () => {
    const query = { locationId: EGYM_LOCATION, startDateTime: at(0), endDateTime: at(HOUR) };
    const patch = (config: object) => app.http.patch(`/api/v1/admin/integrations/${integrationId}`).set(auth).send({ config });
    const off = await patch({ groupx: null });
    expect(off.status).toBe(200);
    expect(off.body.publicApiUrl).toBeUndefined();
    expect(await refused('GET', '/classes', 401, { query })).toMatchObject({ accessLevel: 'client' });
    expect((await app.http.get(`/api/v1/admin/integrations/${integrationId}/groupx-meta`).set(auth)).body).toMatchObject({ code: 'groupxNotConfigured' });
    // Without the location header option, EGYM sends client credentials only.
    expect((await patch({ groupx: { clientId: CLIENT_ID, locationHeader: false } })).body.publicApiUrl).toBe('https://club.example/egym/groupx');
    await ok('GET', '/classes', { query, headers: { 'X-Client-ID': CLIENT_ID, 'X-Client-Secret': CLIENT_SECRET } });
    expect((await app.http.get(`/api/v1/admin/integrations/${integrationId}/groupx-meta`).set(auth)).body.metaOptions.includeLocationData).toBe(false);
    await patch({ groupx: { clientId: CLIENT_ID } });
    await ok('GET', '/classes', { query });
    expect(await refused('GET', '/classes', 400, { query, headers: { 'X-Client-ID': CLIENT_ID, 'X-Client-Secret': CLIENT_SECRET } })).toMatchObject({ errors: { 'X-Location-ID': 'missing' } });
  });

  it('answers any path and query in the contract\'s shape, never a 5xx', async () => {
    const id = await session();
    await member({ bma: 'bma-fuzz' });
    const segment = fc.oneof(fc.constantFrom(String(id), 'bma-fuzz', '0', '-1', '%E0%A4%A', '%00', '..', 'gymnation-', '9'.repeat(30)), fc.string({ maxLength: 40 }).map(encodeURIComponent));
    const value = fc.oneof(fc.constantFrom(at(0), at(HOUR), '2030-13-01T00:00:00Z', '', EGYM_LOCATION), fc.string({ maxLength: 30 }));
    const query = fc.dictionary(fc.constantFrom('locationId', 'startDateTime', 'endDateTime', 'exerciserId', 'spot', 'other'), value, { maxKeys: 4 });
    const operation = fc.constantFrom(
      ['GET', '/classes'], ['GET', '/classes/{c}'], ['POST', '/classes/{c}/attendees/{e}'], ['PUT', '/classes/{c}/attendees/{e}'], ['DELETE', '/classes/{c}/attendees/{e}'],
      ['POST', '/classes/{c}/waitlist/attendees/{e}'], ['DELETE', '/classes/{c}/waitlist/attendees/{e}'], ['GET', '/exercisers/{e}/schedule'],
    );
    await fc.assert(
      fc.asyncProperty(operation, segment, segment, query, async ([method, template], c, e, q) => {
        const path = template!.replace('{c}', c).replace('{e}', e);
        const res = await fetch(`${app.url}${BASE}${path}?${new URLSearchParams(q)}`, { method, headers: creds });
        const body = (await res.json()) as Record<string, unknown>;
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(body).toMatchObject({ message: expect.any(String), cause: expect.any(String) });
      }),
      { numRuns: 150 },
    );
  });

  it('has produced every 4xx the contract lists for its operations', () => {
    const seen = [...statusesSeen];
    for (const expected of [
      'GET /classes 400', 'GET /classes 401', 'GET /classes 404',
      'GET /classes/{classId} 404',
      'POST /classes/{classId}/attendees/{exerciserId} 400', 'POST /classes/{classId}/attendees/{exerciserId} 404', 'POST /classes/{classId}/attendees/{exerciserId} 422',
      'PUT /classes/{classId}/attendees/{exerciserId} 404',
      'DELETE /classes/{classId}/attendees/{exerciserId} 404', 'DELETE /classes/{classId}/attendees/{exerciserId} 422',
      'POST /classes/{classId}/waitlist/attendees/{exerciserId} 404', 'POST /classes/{classId}/waitlist/attendees/{exerciserId} 422',
      'DELETE /classes/{classId}/waitlist/attendees/{exerciserId} 404', 'DELETE /classes/{classId}/waitlist/attendees/{exerciserId} 422',
      'GET /exercisers/{exerciserId}/schedule 400', 'GET /exercisers/{exerciserId}/schedule 401', 'GET /exercisers/{exerciserId}/schedule 404',
    ]) {
      expect(seen).toContain(expected);
    }
  });
});
