import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { scrape } from '../../src/metrics/metrics.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Regression tests for issue 12: each case answered 500, changed unsent fields, leaked or let through before. */
describe('hardening', () => {
  let app: TestApp;
  let auth: { authorization: string };
  const logLines: string[] = [];
  const post = async (path: string, body: object) => {
    const res = await app.http.post(path).set(auth).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  let ids: { location: number; door: number; activity: number; pkg: number; client: number; session: number };

  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'info' }, { logTo: { write: (line: string) => void logLines.push(line) } });
    auth = { authorization: `Bearer ${await app.staffToken()}` };
    const location = (await post('/api/v1/admin/locations', { name: 'Hardened', timezone: 'Europe/Berlin' })).id;
    const door = (await post('/api/v1/admin/doors', { title: 'Front', doorCode: 'H-1', locationId: location, type: 'entrance' })).id;
    const activity = (await post('/api/v1/admin/activities', { name: 'Spin' })).id;
    const pkg = (await post('/api/v1/admin/packages', { name: 'Spin pass', activityIds: [activity] })).id;
    const client = (await post('/api/v1/admin/clients', { firstName: 'Hana', lastName: 'Hard', email: 'hana@hard.example' })).id;
    const session = (await post('/api/v1/admin/sessions', { activityId: activity, locationId: location, startsAt: '2030-01-01T18:00:00Z', endsAt: '2030-01-01T19:00:00Z', capacity: 5 })).id;
    ids = { location, door, activity, pkg, client, session };
  });
  afterAll(() => app.close());

  const expectProblem = (res: { status: number; headers: Record<string, string>; body: any }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  };

  it('answers 400, not 500, to a malformed percent-escape in a path parameter, signed in or not', async () => {
    const member = await app.clientToken(ids.client);
    for (const req of [
      app.http.get('/api/v1/admin/locations/%E0%A4%A').set(auth),
      app.http.get('/api/v1/admin/locations/%E0%A4%A'),
      app.http.delete('/api/v1/me/bookings/%C0').set({ authorization: `Bearer ${member}` }),
      app.http.post('/api/v1/webhooks/perfect-gym/%FF?token=x').send({}),
    ]) {
      const res = await req;
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/percent-encoded/);
    }
  });

  it('refuses date-times outside 1900-2999 with a 400 naming the field', async () => {
    const far = '9999-12-31T23:59:59-14:00';
    const cases: [Promise<any>, string][] = [
      [app.http.post('/api/v1/admin/sessions').set(auth).send({ activityId: ids.activity, locationId: ids.location, startsAt: '2030-01-01T18:00:00Z', endsAt: far, capacity: 5 }), 'endsAt'],
      [app.http.patch(`/api/v1/admin/sessions/${ids.session}`).set(auth).send({ startsAt: '0001-01-01T00:00:00Z' }), 'startsAt'],
      [app.http.post(`/api/v1/admin/clients/${ids.client}/packages`).set(auth).send({ packageId: ids.pkg, endsAt: far }), 'endsAt'],
      [app.http.post('/api/v1/admin/door-access-events').set(auth).send({ doorId: ids.door, clientId: ids.client, occurredAt: far }), 'occurredAt'],
    ];
    for (const [req, field] of cases) {
      const res = await req;
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ path: field, message: expect.stringMatching(/between 1900-01-01 and 2999-12-31/) }]);
    }
    expect(await app.ctx.db('door_access_events').where({ client_id: ids.client }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('PATCH changes only the fields it sends, on every resource', async () => {
    const identityType = await post('/api/v1/admin/identity-types', { name: 'Card', kind: 'card', maxPerClient: 3, minDaysBetweenChanges: 2, active: false });
    const location = await post('/api/v1/admin/locations', { name: 'Patchable', timezone: 'Europe/Warsaw', perfectGymClubId: 77, egymLocationId: 'egym-77' });
    const door = await post('/api/v1/admin/doors', { title: 'Side', doorCode: 'H-2', locationId: ids.location, type: 'exit', accessControl: true, active: false });
    const pkg = await post('/api/v1/admin/packages', { name: 'Both', altId: 'product_77', activityIds: [ids.activity], locationIds: [ids.location] });
    const session = await post('/api/v1/admin/sessions', { activityId: ids.activity, locationId: ids.location, startsAt: '2030-02-01T18:00:00Z', endsAt: '2030-02-01T19:00:00Z', capacity: 9, instructor: 'Ina' });
    const client = await post('/api/v1/admin/clients', { firstName: 'Pat', lastName: 'Ch', email: 'pat@hard.example', phone: '+49 1', memberNumber: 'P-1', status: 'inactive' });
    const staff = await post('/api/v1/admin/staff', { email: 'desk@hard.example', password: 'desk-password', name: 'Desk', role: 'manager', active: false });
    const memberType = await post('/api/v1/admin/identity-types', { name: 'PG number', kind: 'third_party_id', maxPerClient: 1, minDaysBetweenChanges: 0, active: true });
    const integration = await post('/api/v1/admin/integrations', {
      type: 'perfect_gym', name: 'Off', active: false, secrets: { clientSecret: 's' },
      config: { baseUrl: 'http://127.0.0.1:9', clientId: 'c', identityTypeId: memberType.id, syncMembers: { enabled: false }, syncSwipes: { enabled: false } },
    });
    const cases: [string, any, object][] = [
      ['/api/v1/admin/identity-types', identityType, { name: 'Card 2' }],
      ['/api/v1/admin/locations', location, { name: 'Patched' }],
      ['/api/v1/admin/doors', door, { title: 'Side 2' }],
      ['/api/v1/admin/packages', pkg, { name: 'Both 2' }],
      ['/api/v1/admin/activities', { id: ids.activity, name: 'Spin' }, { name: 'Spin 2' }],
      ['/api/v1/admin/sessions', session, { instructor: 'Ola' }],
      ['/api/v1/admin/clients', client, { lastName: 'Ched' }],
      ['/api/v1/admin/staff', staff, { name: 'Desk 2' }],
      ['/api/v1/admin/integrations', integration, { name: 'Renamed' }],
    ];
    for (const [path, before, patch] of cases) {
      const stored = (await app.http.get(`${path}/${before.id}`).set(auth)).body;
      const res = await app.http.patch(`${path}/${before.id}`).set(auth).send(patch);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const after = (await app.http.get(`${path}/${before.id}`).set(auth)).body;
      const { updatedAt: _a, ...rest } = after;
      const { updatedAt: _b, ...expected } = { ...stored, ...patch };
      expect({ path, ...rest }).toEqual({ path, ...expected });
    }
  });

  it('keeps credentials in URLs out of the log, and logs one short line per request', async () => {
    logLines.length = 0;
    await app.http.post('/api/v1/webhooks/perfect-gym/999?token=very-secret-token&x=1').send({});
    await app.http.get('/api/v1/admin/locations').set(auth).set('x-request-id', 'req-short-line');
    const text = logLines.join('');
    expect(text).not.toContain('very-secret-token');
    expect(text).toContain('token=[redacted]&x=1');
    const line = JSON.parse(logLines.find((l) => l.includes('req-short-line'))!);
    expect(line).toMatchObject({ req: { id: 'req-short-line', method: 'GET', url: '/api/v1/admin/locations' }, res: { statusCode: 200 }, user: expect.stringMatching(/^staff:\d+$/), responseTime: expect.any(Number) });
    expect(line.req.headers).toBeUndefined();
    expect(logLines.find((l) => l.includes('req-short-line'))!.length).toBeLessThan(350);
  });

  it('throttles staff sign-in like member sign-in: 5 failures per e-mail, then 429 with Retry-After', async () => {
    await post('/api/v1/admin/staff', { email: 'target@hard.example', password: 'right-password', name: 'Target', role: 'admin' });
    const attempt = (password: string) => app.http.post('/api/v1/staff/login').send({ email: 'target@hard.example', password });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const blocked = await attempt('right-password');
    expectProblem(blocked, 429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(await scrape(app.ctx)).toMatch(/clubcore_signins_throttled_total\{kind="staff"\} 1\n/);
  });
});

describe('request log above info', () => {
  it('writes no request lines and builds no per-request logger, but still answers with the request id', async () => {
    const lines: string[] = [];
    const app = await startTestApp({ LOG_LEVEL: 'warn' }, { logTo: { write: (line: string) => void lines.push(line) } });
    try {
      const res = await app.http.get('/api/v1/admin/locations').set('x-request-id', 'quiet-1');
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).toBe('quiet-1');
      expect((await app.http.get('/api/v1/admin/locations')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('proxy trust', () => {
  it('ignores X-Forwarded-For from an untrusted peer: made-up addresses share the real one\'s limit', async () => {
    const app = await startTestApp({ TRUST_PROXY: 'false' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const res = await app.http.post('/api/v1/auth/login').set('x-forwarded-for', `203.0.113.${i}`).send({ login: `nobody${i}@example.com`, password: 'wrong' });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(statuses[20]).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('accepts false, hop counts and address lists, and refuses "true" and garbage', () => {
    const trust = (TRUST_PROXY: string) => loadConfig({ NODE_ENV: 'test', TRUST_PROXY }).TRUST_PROXY;
    expect(trust('false')).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
    expect(loadConfig({ NODE_ENV: 'test' }).TRUST_PROXY).toBe('loopback');
    expect(() => trust('true')).toThrow(ConfigError);
    expect(() => trust('my-proxy')).toThrow(/TRUST_PROXY: not a proxy list: my-proxy/);
  });
});
