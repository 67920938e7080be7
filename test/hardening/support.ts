import { createHmac } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { startPerfectGymSandbox, type PerfectGymSandbox } from '../../src/sandbox/perfect-gym/server.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * What the hardening tests share: clubcore on a fresh database (real HTTP on port 0), a Perfect Gym
 * sandbox it is connected to, an EGYM (HS256) integration, and helpers that create real records
 * through the admin API, so that generated requests can name ids that exist.
 *
 * The server logs at level error into the harness (HARDENING_LOG=1 also prints it on stdout).
 */
export interface Hardening {
  app: TestApp;
  sb: PerfectGymSandbox;
  /** Staff token of an admin that the tests never target (for setup). */
  admin: string;
  pgTypeId: number;
  bmaTypeId: number;
  cardTypeId: number;
  pgIntegrationId: number;
  webhookToken: string;
  egym: { integrationId: number; secret: string; issuer: string; audience: string; prefix: string };
  /** What the server logged at level error for that request id (the error and where it was thrown), if anything. */
  serverError(requestId: string | null): string | null;
  /** Real HTTP request with the raw body and headers given; never throws on a status. */
  request(method: string, pathAndQuery: string, init?: { token?: string; body?: string; headers?: Record<string, string> }): Promise<Answer>;
  /** POST/PATCH JSON as the admin (or the given token); throws unless 2xx; returns the parsed body. */
  ok(method: string, path: string, body?: unknown, token?: string): Promise<any>;
  signEgym(claims: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: any;
  requestId: string | null;
}

let unique = 0;
/** A value no other call in this process returns (for names, codes, e-mails). */
export const uid = (prefix = 'x') => `${prefix}${process.pid}-${++unique}-${Date.now().toString(36)}`;

export async function startHardening(): Promise<Hardening> {
  const sb = await startPerfectGymSandbox({ members: 30, clubs: 2, seed: 12, pageSize: 50 });
  // The server's error log is kept by request id, so that a failure can say what the server saw.
  const errors = new Map<string, string>();
  const logTo = {
    write(line: string) {
      try {
        const entry = JSON.parse(line) as { req?: { id?: string }; err?: { type?: string; message?: string; stack?: string }; msg?: string };
        const id = entry.req?.id;
        if (!id || errors.has(id) || !entry.err) return;
        const where = entry.err.stack?.split('\n').find((l) => l.includes('/src/'))?.trim();
        errors.set(id, `${entry.err.type ?? 'Error'}: ${entry.err.message?.slice(0, 500)}${where ? ` (${where})` : ''}`);
      } catch {
        /* not a JSON line */
      }
      if (process.env.HARDENING_LOG) process.stdout.write(line);
    },
  };
  const app = await startTestApp({ LOG_LEVEL: 'error' }, { logTo });
  const admin = await app.staffToken('admin');

  async function request(method: string, pathAndQuery: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const res = await fetch(app.url + pathAndQuery, { method, headers, body: init.body });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json, requestId: res.headers.get('x-request-id') };
  }
  async function ok(method: string, path: string, body?: unknown, token = admin) {
    const res = await request(method, path, { token, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`setup ${method} ${path} ${JSON.stringify(body)} -> ${res.status} ${res.text.slice(0, 500)}`);
    return res.json;
  }

  const type = (name: string, kind: string, maxPerClient = 1) =>
    ok('POST', '/api/v1/admin/identity-types', { name, kind, maxPerClient, minDaysBetweenChanges: 0, active: true }).then((t) => t.id as number);
  const pgTypeId = await type('Perfect Gym member', 'perfect_gym_member');
  const bmaTypeId = await type('EGYM BMA user', 'egym_bma_user');
  const cardTypeId = await type('Card', 'card', 100);
  const pg = await ok('POST', '/api/v1/admin/integrations', {
    type: 'perfect_gym', name: 'Sandbox chain', active: true,
    config: { baseUrl: sb.url, clientId: sb.clientId, identityTypeId: pgTypeId, syncMembers: { enabled: false }, syncSwipes: { enabled: false } },
    secrets: { clientSecret: sb.clientSecret },
  });
  const webhookToken = new URL(pg.webhookUrl, 'http://x').searchParams.get('token')!;
  const egymSecret = 'hardening-egym-shared-secret-0123456789';
  const egym = {
    secret: egymSecret, issuer: 'https://bma.egym.example', audience: 'clubcore', prefix: 'gymnation-',
    integrationId: (
      await ok('POST', '/api/v1/admin/integrations', {
        type: 'egym_bma', name: 'EGYM app', active: true,
        config: { verification: { kind: 'hs256' }, issuer: 'https://bma.egym.example', audience: 'clubcore', membershipIdPrefix: 'gymnation-', bmaUserIdentityTypeId: bmaTypeId, memberIdentityTypeId: pgTypeId },
        secrets: { hs256Secret: egymSecret },
      })
    ).id as number,
  };

  return {
    app, sb, admin, pgTypeId, bmaTypeId, cardTypeId, pgIntegrationId: pg.id, webhookToken, egym, request, ok,
    serverError: (requestId) => (requestId ? (errors.get(requestId) ?? null) : null),
    // Signed by hand: jose refuses (stack overflow) claims nested as deep as the generated ones.
    async signEgym(claims) {
      const now = Math.floor(Date.now() / 1000);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const signed = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: egym.issuer, aud: egym.audience, iat: now, exp: now + 600, ...claims })}`;
      return `${signed}.${createHmac('sha256', egymSecret).update(signed).digest('base64url')}`;
    },
    async close() {
      await app.close();
      await sb.close();
    },
  };
}

/** A small world of real records, made through the admin API; each test makes its own so none sees another's changes. */
export interface World {
  admin: string;
  adminEmail: string;
  locationId: number;
  clubId: number;
  doorId: number;
  doorCode: string;
  activityId: number;
  packageId: number;
  altId: string;
  sessionId: number;
  clientId: number;
  memberEmail: string;
  memberNumber: string;
  memberPassword: string;
  identityValue: string;
  memberToken: string;
  /** Identity types of this world (generated requests may change or delete another world's). */
  cardTypeId: number;
  bmaTypeId: number;
  memberTypeId: number;
}

const HOUR = 3600_000;
export const futureIso = (hoursAhead: number) => new Date(Math.floor(Date.now() / HOUR) * HOUR + hoursAhead * HOUR).toISOString();

export async function makeWorld(h: Hardening): Promise<World> {
  // An admin of its own (a generated request may disable the admin of another world); password 'staff-password'.
  const admin = await h.app.staffToken('admin');
  const adminEmail = (await h.app.ctx.db('staff_users').orderBy('id', 'desc').first()).email as string;
  // Each world links a Perfect Gym club of its own to its location, through the Perfect Gym integration of the harness
  // (generated requests may have made more Perfect Gym integrations, or taken the club id meanwhile).
  const template = h.sb.list('Clubs')[0]!;
  let club: { id: unknown } | undefined;
  const locationId = (await h.ok('POST', '/api/v1/admin/locations', { name: uid('Club '), timezone: 'Europe/Berlin' }, admin)).id as number;
  for (let attempt = 0; ; attempt++) {
    club = h.sb.create('Clubs', { name: uid('Club '), symbol: uid('C'), shortName: uid('C'), timezoneId: template.timezoneId, isHidden: false });
    const res = await h.request('PUT', `/api/v1/admin/integrations/${h.pgIntegrationId}/locations/${locationId}`, { token: admin, body: JSON.stringify({ externalId: club.id }) });
    if (res.status === 200) break;
    if (res.status !== 409 || attempt > 20) throw new Error(`setup PUT link of location ${locationId} -> ${res.status} ${res.text.slice(0, 500)}`);
  }
  const doorCode = uid('D');
  const memberEmail = `${uid('member')}@test.clubcore`;
  const memberNumber = uid('M');
  const memberPassword = 'member-password';
  const altId = uid('product_');
  const type = (name: string, kind: string, maxPerClient = 1) =>
    h.ok('POST', '/api/v1/admin/identity-types', { name: uid(name), kind, maxPerClient, minDaysBetweenChanges: 0, active: true }, admin).then((t) => t.id as number);
  const [doorId, activityId, clientId, cardTypeId, bmaTypeId, memberTypeId] = await Promise.all([
    h.ok('POST', '/api/v1/admin/doors', { title: 'Entrance', doorCode, locationId, type: 'entrance', accessControl: true, active: true }, admin).then((r) => r.id as number),
    h.ok('POST', '/api/v1/admin/activities', { name: uid('Yoga ') }, admin).then((r) => r.id as number),
    h.ok('POST', '/api/v1/admin/clients', { firstName: 'Mem', lastName: 'Ber', email: memberEmail, memberNumber, password: memberPassword, homeLocationId: locationId }, admin).then((r) => r.id as number),
    type('Card ', 'card', 100),
    type('EGYM BMA user ', 'egym_bma_user'),
    type('Perfect Gym member ', 'perfect_gym_member'),
  ]);
  const identityValue = uid('card-');
  const [packageId, sessionId] = await Promise.all([
    h.ok('POST', '/api/v1/admin/packages', { name: uid('Pkg '), altId, activityIds: [activityId], locationIds: [locationId] }, admin).then((r) => r.id as number),
    h.ok('POST', '/api/v1/admin/sessions', { activityId, locationId, startsAt: futureIso(48), endsAt: futureIso(49), capacity: 20, instructor: 'Ann' }, admin).then((r) => r.id as number),
    h.ok('POST', `/api/v1/admin/clients/${clientId}/identities`, { identityTypeId: cardTypeId, value: identityValue }, admin),
  ]);
  const [memberToken] = await Promise.all([
    h.app.clientToken(clientId),
    h.ok('POST', `/api/v1/admin/clients/${clientId}/packages`, { packageId, startsAt: null, endsAt: null }, admin),
  ]);
  return {
    admin, adminEmail, locationId, clubId: club!.id as number, doorId, doorCode, activityId, packageId, altId, sessionId,
    clientId, memberEmail, memberNumber, memberPassword, identityValue, memberToken, cardTypeId, bmaTypeId, memberTypeId,
  };
}

/** Fresh records to be changed or deleted by one test run (so a DELETE has something to delete each time). */
export const victims = {
  identityType: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/identity-types', { name: uid('Type '), kind: 'other', maxPerClient: 3, minDaysBetweenChanges: 5, active: false }, w.admin).then((r) => r.id as number),
  /** With a Perfect Gym club id unless that is ambiguous (generated requests may have made a second Perfect Gym integration). */
  async location(h: Hardening, w: World) {
    const body = { name: uid('Loc '), timezone: 'America/New_York', perfectGymClubId: 400_000 + ++unique, egymLocationId: uid('egym-') };
    const res = await h.request('POST', '/api/v1/admin/locations', { token: w.admin, body: JSON.stringify(body) });
    if (res.status === 201) return res.json.id as number;
    const { perfectGymClubId: _ambiguous, ...rest } = body;
    return (await h.ok('POST', '/api/v1/admin/locations', rest, w.admin)).id as number;
  },
  door: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/doors', { title: uid('Door '), doorCode: uid('V'), locationId: w.locationId, type: 'internal', accessControl: true, active: false }, w.admin).then((r) => r.id as number),
  activity: (h: Hardening, w: World) => h.ok('POST', '/api/v1/admin/activities', { name: uid('Act ') }, w.admin).then((r) => r.id as number),
  package: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/packages', { name: uid('Pkg '), altId: uid('payment_plan_'), activityIds: [w.activityId], locationIds: [w.locationId] }, w.admin).then((r) => r.id as number),
  session: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/sessions', { activityId: w.activityId, locationId: w.locationId, startsAt: futureIso(72), endsAt: futureIso(73), capacity: 7, instructor: 'Bob' }, w.admin).then((r) => r.id as number),
  client: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/clients', {
      firstName: 'Vic', lastName: 'Tim', email: `${uid('victim')}@test.clubcore`, phone: '+1 555', birthDate: '1980-02-03', homeLocationId: w.locationId,
      memberNumber: uid('VM'), status: 'inactive', password: 'victim-password',
    }, w.admin).then((r) => r.id as number),
  staff: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/staff', { email: `${uid('staff')}@test.clubcore`, password: 'staff-password', name: 'Victim', role: 'manager', active: false }, w.admin).then((r) => r.id as number),
  integration: (h: Hardening, w: World) =>
    h.ok('POST', '/api/v1/admin/integrations', {
      type: 'egym_bma', name: uid('Victim '), active: false,
      config: { verification: { kind: 'hs256' }, issuer: 'https://victim.example', membershipIdPrefix: 'v-', bmaUserIdentityTypeId: w.bmaTypeId, memberIdentityTypeId: w.memberTypeId },
      secrets: { hs256Secret: 'victim-secret-0123456789' },
    }, w.admin).then((r) => r.id as number),
  /** A booking of the world's member on a class of its own (cancellable: it starts in the future). */
  async booking(h: Hardening, w: World) {
    const sessionId = await victims.session(h, w);
    return (await h.ok('POST', '/api/v1/me/bookings', { sessionId }, w.memberToken)).id as number;
  },
  /** The world's member waiting for a full class of its own (another member holds its one seat). */
  async waitlistEntry(h: Hardening, w: World) {
    const sessionId = (await h.ok('POST', '/api/v1/admin/sessions', { activityId: w.activityId, locationId: w.locationId, startsAt: futureIso(72), endsAt: futureIso(73), capacity: 1, waitlistCapacity: 5 }, w.admin)).id as number;
    const holder = (await h.ok('POST', '/api/v1/admin/clients', { firstName: 'Seat', lastName: 'Holder', homeLocationId: w.locationId }, w.admin)).id as number;
    await h.ok('POST', `/api/v1/admin/clients/${holder}/packages`, { packageId: w.packageId, startsAt: null, endsAt: null }, w.admin);
    await h.ok('POST', '/api/v1/me/bookings', { sessionId }, await h.app.clientToken(holder));
    return (await h.ok('POST', '/api/v1/me/waitlist', { sessionId }, w.memberToken)).id as number;
  },
  /** A client with one card identity: [clientId, identityId]. */
  async identity(h: Hardening, w: World): Promise<[number, number]> {
    const clientId = (await h.ok('POST', '/api/v1/admin/clients', { firstName: 'Id', lastName: 'Holder' }, w.admin)).id as number;
    const identity = await h.ok('POST', `/api/v1/admin/clients/${clientId}/identities`, { identityTypeId: w.cardTypeId, value: uid('card-') }, w.admin);
    return [clientId, identity.id as number];
  },
};
