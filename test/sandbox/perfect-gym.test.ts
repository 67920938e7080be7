import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPerfectGymSandbox, type PerfectGymSandbox } from '../../src/sandbox/perfect-gym/server.js';

describe('Perfect Gym sandbox', () => {
  let sb: PerfectGymSandbox;
  let headers: Record<string, string>;
  const get = async (path: string, h: Record<string, string> = headers) => {
    const res = await fetch(path.startsWith('http') ? path : `${sb.url}/Api/v2.2/${path}`, { headers: h });
    return { status: res.status, body: (await res.json().catch(() => null)) as any, headers: res.headers };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sb.url}/Api/v2.2/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** Walks the change feed from version 0 to the end, following nextLink. */
  async function walk(set: string, between?: () => void) {
    const seen: any[] = [];
    let url: string | undefined = `odata/${set}?$filter=version gt 0&$orderby=version`;
    while (url) {
      const page = await get(url);
      expect(page.status).toBe(200);
      seen.push(...page.body.value);
      url = page.body['@odata.nextLink'];
      if (url) between?.();
    }
    return seen;
  }

  beforeAll(async () => {
    sb = await startPerfectGymSandbox({ members: 600, clubs: 3, seed: 42, pageSize: 100 });
    headers = { 'X-Client-Id': sb.clientId, 'X-Client-Secret': sb.clientSecret };
  });
  afterAll(() => sb.close());

  it('checks X-Client-Id / X-Client-Secret, header names in any case', async () => {
    expect((await get('odata/Clubs', {})).status).toBe(401);
    expect((await get('odata/Clubs', { 'x-client-id': sb.clientId, 'x-client-secret': 'wrong' })).status).toBe(401);
    expect((await get('odata/Clubs', { 'X-CLIENT-ID': sb.clientId, 'x-client-SECRET': sb.clientSecret })).status).toBe(200);
  });

  it('answers the documented envelope, shapes and single entities', async () => {
    const page = await get('odata/Members?$count=true');
    expect(page.body['@odata.count']).toBe(600);
    expect(page.body.value).toHaveLength(100);
    expect(page.body['@odata.nextLink']).toMatch(new RegExp(`^${sb.url}/Api/v2.2/odata/Members\\?`));
    const m = page.body.value[0];
    expect(Object.keys(m).sort()).toEqual(
      ['birthdate', 'createdDate', 'email', 'firstName', 'homeClubId', 'id', 'isActive', 'isDeleted', 'lastName', 'memberType', 'number', 'phoneNumber', 'secondName', 'sex', 'version'].sort(),
    );
    expect(m.birthdate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect((await get(`odata/Members/${m.id}`)).body).toEqual(m);
    expect((await get(`odata/Members(${m.id})`)).body).toEqual(m);
    expect((await get('odata/Members/999999')).status).toBe(404);
    const last = await get('odata/Clubs');
    expect(last.body['@odata.nextLink']).toBeUndefined();
    expect(last.body.value[0]).toMatchObject({ timezoneId: expect.stringMatching(/\//), isHidden: false });
  });

  it('generates realistic variety, deterministically', async () => {
    const members = sb.list('Members');
    expect(members.some((m) => /[^\x00-\x7f]/.test(`${m.firstName}${m.lastName}`))).toBe(true);
    expect(members.some((m) => m.email === null)).toBe(true);
    expect(members.some((m) => m.isDeleted)).toBe(true);
    expect(members.some((m) => m.isActive === false)).toBe(true);
    expect(new Set(members.map((m) => m.memberType))).toEqual(new Set(['Member', 'Guest', 'Lead']));
    const emails = members.map((m) => m.email).filter(Boolean);
    expect(new Set(emails).size).toBeLessThan(emails.length);
    const contracts = sb.list('Contracts');
    expect(new Set(contracts.map((c) => c.status))).toEqual(new Set(['Current', 'Ended', 'NotStarted', 'Freezed']));
    expect(contracts.some((c) => c.endDate === null) && contracts.some((c) => c.isAdditionalContract)).toBe(true);
    expect(sb.list('MemberClubVisits').some((v) => v.leaveDate === null)).toBe(true);
    const twin = await startPerfectGymSandbox({ members: 600, clubs: 3, seed: 42 });
    expect(twin.list('Members')).toEqual(members);
    expect(twin.demoLogins).toEqual(sb.demoLogins);
    await twin.close();
  });

  it('walks a change feed without losing or duplicating rows while data changes', async () => {
    const ids = sb.list('Members').map((m) => m.id);
    let n = 0;
    const seen = await walk('Members', () => {
      // between pages: new members, updates of rows already read and not yet read, a deletion
      sb.create('Members', { firstName: `New${n}`, lastName: 'Member', homeClubId: 1, isActive: true, memberType: 'Member' });
      sb.update('Members', ids[n * 7]!, { lastName: `Changed${n}` });
      sb.update('Members', ids[ids.length - 1 - n]!, { phoneNumber: `+1 ${n}` });
      if (n === 2) sb.remove('Members', ids[3]!);
      n++;
    });
    const versions = seen.map((r) => r.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    // every row's latest state is in the feed (a row read early appears again after its update)
    const latest = new Map(seen.map((r) => [r.id, r]));
    for (const row of sb.list('Members')) expect(latest.get(row.id)).toEqual(row);
    expect(latest.get(ids[3]!).isDeleted).toBe(true);
  });

  it('bumps one global version on every create, update and delete', async () => {
    const c = sb.create('Contracts', { memberId: 1, paymentPlanId: 1, clubId: 1, status: 'Current', isActive: true });
    const u = sb.update('Contracts', c.id, { status: 'Freezed' });
    const d = sb.remove('Contracts', c.id);
    const v = sb.create('MemberClubVisits', { memberId: 1, clubId: 1, enterDate: '2026-11-24T10:00:00' });
    expect(u.version).toBeGreaterThan(c.version);
    expect(d.version).toBeGreaterThan(u.version);
    expect(v.version).toBeGreaterThan(d.version);
    const feed = await get(`odata/Contracts?$filter=version gt ${c.version}&$orderby=version`);
    expect(feed.body.value).toEqual([expect.objectContaining({ id: c.id, isDeleted: true, status: 'Freezed' })]);
  });

  it('supports every filter operator, combinators, orderby, top, skip and select', async () => {
    const count = async (filter: string) => (await get(`odata/Members?$filter=${encodeURIComponent(filter)}&$count=true&$top=0`)).body['@odata.count'];
    const all = sb.list('Members');
    const by = (f: (m: any) => boolean) => all.filter(f).length;
    expect(await count('homeClubId eq 2')).toBe(by((m) => m.homeClubId === 2));
    expect(await count('homeClubId ne 2')).toBe(by((m) => m.homeClubId !== 2));
    expect(await count('id gt 100 and id le 200')).toBe(100);
    expect(await count('id lt 10 or id ge 590')).toBe(by((m) => m.id < 10 || m.id >= 590));
    expect(await count("not (memberType eq 'Member')")).toBe(by((m) => m.memberType !== 'Member'));
    expect(await count('email eq null')).toBe(by((m) => m.email === null));
    expect(await count('isActive eq false and isDeleted eq false')).toBe(by((m) => !m.isActive && !m.isDeleted));
    expect(await count('HOMECLUBID eq 1')).toBe(by((m) => m.homeClubId === 1));
    expect(await count("lastName eq 'O''Brien'")).toBe(by((m) => m.lastName === "O'Brien"));
    expect(await count('createdDate ge 2026-01-01T00:00:00Z')).toBe(by((m) => m.createdDate >= '2026-01-01T00:00:00'));
    const sorted = await get('odata/Members?$orderby=homeClubId desc,id asc&$top=5&$skip=2&$select=id,homeClubId');
    expect(sorted.body.value).toHaveLength(5);
    expect(Object.keys(sorted.body.value[0])).toEqual(['id', 'homeClubId']);
    const expected = [...all].sort((a, b) => (b.homeClubId as number) - (a.homeClubId as number) || a.id - b.id).slice(2, 7).map((m) => m.id);
    expect(sorted.body.value.map((m: any) => m.id)).toEqual(expected);
  });

  it('refuses malformed queries with 400 and business errors with 499', async () => {
    for (const q of ['$filter=id eq', '$filter=(id eq 1', '$filter=nosuch eq 1', '$filter=id like 1', '$top=-1', '$orderby=id sideways', '$bogus=1']) {
      const res = await get(`odata/Members?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    const res = await fetch(`${sb.url}/__sandbox/Members/999999`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(499);
    expect(await res.json()).toEqual({
      errors: [{ code: 'MemberNotFoundForGivenId', message: expect.any(String), property: null, data: {}, nestedBusinessErrors: [] }],
    });
  });

  it('verifies member credentials with the documented statuses', async () => {
    const [demo] = sb.demoLogins;
    const member = sb.get('Members', demo!.memberId)!;
    expect((await post('MemberAuth/VerifyCredentials', { login: demo!.login, password: demo!.password })).body).toEqual({ memberId: demo!.memberId, status: 'Success' });
    expect((await post('MemberAuth/VerifyCredentials', { login: member.number, password: demo!.password })).body.status).toBe('Success');
    expect((await post('MemberAuth/VerifyMemberCredentials', { email: demo!.login, password: demo!.password })).body.status).toBe('Success');
    expect((await post('MemberAuth/VerifyCredentials', { login: demo!.login, password: 'wrong' })).body).toEqual({ memberId: null, status: 'InvalidUsernameOrPassword' });
    expect((await post('MemberAuth/VerifyCredentials', { login: 'nobody@nowhere.example', password: 'x' })).body.status).toBe('NoAccount');
    const fresh = sb.create('Members', { firstName: 'No', lastName: 'Password', email: 'nopass@mail.example', isActive: true, memberType: 'Member' });
    expect((await post('MemberAuth/VerifyCredentials', { login: 'nopass@mail.example', password: 'x' })).body.status).toBe('NoPassword');
    sb.setPassword(fresh.id, 'now-set');
    expect((await post('MemberAuth/VerifyCredentials', { login: 'nopass@mail.example', password: 'now-set' })).body.memberId).toBe(fresh.id);
    expect((await post('MemberAuth/VerifyCredentials', { password: 'x' })).status).toBe(499);
  });

  it('injects faults by sequence and by rate, on the real API only', async () => {
    sb.injectFaults({ match: '/odata/Clubs', sequence: [{ status: 429, retryAfterSeconds: 2 }, { status: 503 }, { drop: true }, { latencyMs: 50 }] });
    const limited = await get('odata/Clubs');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await get('odata/Clubs')).status).toBe(503);
    await expect(get('odata/Clubs')).rejects.toThrow();
    const t = Date.now();
    expect((await get('odata/Clubs')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    expect((await get('odata/Clubs')).status).toBe(200);
    sb.injectFaults({ rate: 0.5, step: { status: 500 } });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await get('odata/PaymentPlans')).status);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect((await fetch(`${sb.url}/__sandbox/stats`)).status).toBe(200);
    sb.clearFaults();
    expect((await get('odata/PaymentPlans')).status).toBe(200);
  });

  it('counts requests and sends webhooks when data changes', async () => {
    const received: any[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(received.length === 1 ? 500 : 200).end(); // the first delivery fails and is repeated
      });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => receiver.once('listening', r));
    await fetch(`${sb.url}/__sandbox/webhook`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` }) });
    const created = await fetch(`${sb.url}/__sandbox/Members`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ firstName: 'Hook', lastName: 'Test', isActive: true }) });
    const member = (await created.json()) as any;
    sb.create('Contracts', { memberId: member.id, paymentPlanId: 1, clubId: 1, status: 'Current', isActive: true });
    sb.create('MemberClubVisits', { memberId: member.id, clubId: 1, enterDate: '2026-11-24T10:00:00' });
    for (let i = 0; i < 50 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    // the first delivery failed and came again later
    expect(received.map((e) => e.event).sort()).toEqual(['ContractCreated', 'UserModified', 'UserModified', 'UserPresenceChanged']);
    expect(received[0]).toEqual({ event: 'UserModified', triggeredDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), data: { userId: member.id, contractId: null } });
    sb.setWebhook(null);
    receiver.close();
    receiver.closeAllConnections();
    sb.resetRequestCount();
    await get('odata/Clubs');
    await get('odata/Members?$top=1');
    expect(sb.requestCount()).toBe(2);
    expect(sb.requestCount('/odata/Clubs')).toBe(1);
  });
});
