import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPerfectGymSandbox, type PerfectGymSandbox, type Value } from '../../src/sandbox/perfect-gym/server.js';

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

  it('walks a change feed with $skiptoken links without losing or duplicating rows while data changes', async () => {
    sb.configure({ nextLink: 'skiptoken' });
    try {
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
    } finally {
      sb.configure({ nextLink: 'skip' });
    }
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

describe('Perfect Gym sandbox: paging like a live instance, churn, version gaps, date formats', () => {
  const started: PerfectGymSandbox[] = [];
  afterAll(() => Promise.all(started.map((s) => s.close())));
  async function sandbox(opts: Parameters<typeof startPerfectGymSandbox>[0] = {}) {
    const sb = await startPerfectGymSandbox({ members: 300, clubs: 3, seed: 7, pageSize: 50, ...opts });
    started.push(sb);
    const headers = { 'X-Client-Id': sb.clientId, 'X-Client-Secret': sb.clientSecret };
    const get = async (path: string) => {
      const res = await fetch(path.startsWith('http') ? path : `${sb.url}/Api/v2.2/${path}`, { headers });
      return { status: res.status, body: (await res.json()) as any, headers: res.headers };
    };
    /** Follows @odata.nextLink from the first query to the last page; returns every row served. */
    const followLinks = async (first: string) => {
      const seen: any[] = [];
      for (let url: string | undefined = first; url; ) {
        const page = await get(url);
        expect(page.status).toBe(200);
        seen.push(...page.body.value);
        url = page.body['@odata.nextLink'];
      }
      return seen;
    };
    /** Asks for every page by keyset (version gt the highest received), as clubcore's client does. */
    const keyset = async (set: string) => {
      const seen: any[] = [];
      for (let after = 0, more = true; more; ) {
        const page = await get(`odata/${set}?$filter=version gt ${after}&$orderby=version`);
        seen.push(...page.body.value);
        if (page.body.value.length) after = page.body.value[page.body.value.length - 1].version;
        more = Boolean(page.body['@odata.nextLink']);
      }
      return seen;
    };
    return { sb, get, followLinks, keyset };
  }
  const FEED = 'odata/Members?$filter=version gt 0&$orderby=version';

  it('builds nextLinks with $skip by default, keeping the query; $skiptoken links on request', async () => {
    const { sb, get, followLinks } = await sandbox();
    const first = await get(FEED);
    expect(first.body['@odata.nextLink']).toBe(`${sb.url}/Api/v2.2/odata/Members?$filter=version%20gt%200&$orderby=version&$skip=50`);
    const link = new URL(first.body['@odata.nextLink']);
    expect(link.origin + link.pathname).toBe(`${sb.url}/Api/v2.2/odata/Members`);
    expect(Object.fromEntries(link.searchParams)).toEqual({ $filter: 'version gt 0', $orderby: 'version', $skip: '50' });
    const second = await get(link.toString());
    expect(new URL(second.body['@odata.nextLink']).searchParams.get('$skip')).toBe('100');
    // without changes, following $skip links serves every row once, in version order
    const all = await followLinks(FEED);
    expect(all.map((r) => r.id).sort((a, b) => a - b)).toEqual(sb.list('Members').map((m) => m.id).sort((a, b) => a - b));
    expect(all.map((r) => r.version)).toEqual([...all.map((r) => r.version)].sort((a, b) => a - b));
    // $top across pages: the link carries the rows still wanted
    const topped = await get('odata/Members?$orderby=version&$top=120');
    expect(Object.fromEntries(new URL(topped.body['@odata.nextLink']).searchParams)).toMatchObject({ $top: '70', $skip: '50' });

    expect(sb.configure({ nextLink: 'skiptoken' })).toEqual({ nextLink: 'skiptoken', dateFormat: 'local', versionGap: null });
    const tokened = await get(FEED);
    const params = new URL(tokened.body['@odata.nextLink']).searchParams;
    expect(params.get('$skip')).toBeNull();
    expect(params.get('$skiptoken')).toBe(String(tokened.body.value[49].version));
    expect((await followLinks(FEED)).length).toBe(sb.list('Members').length);
    // a set not ordered by version pages by $skip whatever the style
    expect(new URL((await get('odata/Members?$orderby=id')).body['@odata.nextLink']).searchParams.get('$skip')).toBe('50');
    // the option at start, and through the control API
    const other = await sandbox({ nextLink: 'skiptoken', members: 60 });
    expect(new URL((await other.get(FEED)).body['@odata.nextLink']).searchParams.get('$skiptoken')).not.toBeNull();
    const put = await fetch(`${other.sb.url}/__sandbox/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nextLink: 'skip' }) });
    expect(await put.json()).toMatchObject({ nextLink: 'skip' });
    expect(new URL((await other.get(FEED)).body['@odata.nextLink']).searchParams.get('$skip')).toBe('50');
    const bad = await fetch(`${other.sb.url}/__sandbox/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nextLink: 'cursor' }) });
    expect(bad.status).toBe(499);
  });

  it('answers newest-first queries (the highest version now) like any other order', async () => {
    const { sb, get } = await sandbox();
    sb.update('Members', 5, { lastName: 'Newest' });
    const newest = (await get('odata/Members?$orderby=version desc&$top=1&$select=version')).body;
    expect(newest.value).toEqual([{ version: sb.get('Members', 5)!.version }]);
    const active = sb.list('Members').filter((m) => m.homeClubId === 2 && !m.isDeleted).sort((a, b) => b.version - a.version);
    const page = (await get('odata/Members?$filter=homeClubId eq 2 and isDeleted eq false&$orderby=version desc&$top=60&$skip=3')).body;
    expect(page.value.map((m: any) => m.id)).toEqual(active.slice(3, 53).map((m) => m.id));
    expect(new URL(page['@odata.nextLink']).searchParams.get('$skip')).toBe('53');
    expect((await get('odata/Members?$orderby=version desc&$count=true&$top=0')).body['@odata.count']).toBe(sb.list('Members').length);
  });

  it('keeps idle connections longer than clients pool them (clients close first)', async () => {
    const { get } = await sandbox({ members: 0 });
    expect((await get('odata/Clubs')).headers.get('keep-alive')).toBe('timeout=120');
  });

  it('under churn, a client following $skip links loses rows for good; keyset and $skiptoken walks lose none', async () => {
    const { sb, followLinks, keyset } = await sandbox();
    const before = new Map(sb.list('Members').map((m) => [m.id, m]));
    sb.setChurn({ set: 'Members', updatesPerPage: 2, seed: 5 });
    const served = await followLinks(FEED);
    const [stats] = sb.churnStats();
    expect(stats).toMatchObject({ set: 'Members', active: true, pages: 5, inserted: [], deleted: [] });
    expect(stats!.updated).toHaveLength(10);
    // each update moved a served row to the end of the version order; the row at the next page
    // boundary slid under $skip and was never served
    const servedIds = new Set(served.map((r) => r.id));
    const lost = [...before.keys()].filter((id) => !servedIds.has(id));
    expect(lost).toHaveLength(10);
    const highestServed = Math.max(...served.map((r) => r.version));
    for (const id of lost) {
      const row = sb.get('Members', id)!;
      expect(row).toEqual(before.get(id)); // unchanged: its version stays below the cursor, no delta brings it
      expect(row.version).toBeLessThan(highestServed);
    }
    // the same churn, walked by keyset or by $skiptoken links: the latest state of every row arrives
    const walks: [string, () => Promise<any[]>][] = [['keyset', () => keyset('Members')], ['$skiptoken links', () => followLinks(FEED)]];
    for (const [how, walk] of walks) {
      if (how === '$skiptoken links') sb.configure({ nextLink: 'skiptoken' });
      sb.setChurn({ set: 'Members', updatesPerPage: 2, insertsPerPage: 1, deletesPerPage: 1, seed: 5 });
      const latest = new Map((await walk()).map((r) => [r.id, r]));
      expect(sb.churnStats()[0]!.pages).toBeGreaterThan(4);
      for (const row of sb.list('Members')) expect(latest.get(row.id)).toEqual(row);
    }
  });

  it('churn inserts copies and soft-deletes served rows, stops after `pages`, and is driven over the control API', async () => {
    const { sb, keyset } = await sandbox();
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${sb.url}/__sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const res = await control('PUT', 'churn', { set: 'members', updatesPerPage: 1, insertsPerPage: 2, deletesPerPage: 1, seed: 9, pages: 3 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ set: 'Members', active: true, pages: 0, updated: [], inserted: [], deleted: [] });
    const before = sb.list('Members').length;
    await keyset('Members');
    const [stats] = sb.churnStats();
    expect(stats).toMatchObject({ active: false, pages: 3 });
    expect(stats!.inserted).toHaveLength(6);
    expect(stats!.deleted).toHaveLength(3);
    expect(sb.list('Members')).toHaveLength(before + 6);
    for (const id of stats!.deleted) expect(sb.get('Members', id)!.isDeleted).toBe(true);
    const numbers = new Set(sb.list('Members').map((m) => m.number));
    expect(numbers.size).toBe(before + 6); // inserted members have numbers of their own
    for (const id of stats!.inserted) expect(sb.get('Members', id)).toMatchObject({ isDeleted: false, homeClubId: expect.any(Number), lastName: expect.any(String) });
    expect((await (await control('GET', 'stats')).json()).churn).toEqual([{ set: 'Members', active: false, pages: 3, updated: 3, inserted: 6, deleted: 3 }]);
    // fields of an update, and of inserts; stopping by DELETE
    await control('PUT', 'churn', { set: 'Contracts', updatesPerPage: 1, update: { status: 'Freezed' }, insertsPerPage: 1, insert: { status: 'NotStarted' } });
    await keyset('Contracts');
    const contracts = sb.churnStats().find((c) => c.set === 'Contracts')!;
    expect(contracts.pages).toBeGreaterThan(2);
    expect(sb.get('Contracts', contracts.updated[0]!)!.status).toBe('Freezed');
    expect(sb.get('Contracts', contracts.inserted[0]!)!.status).toBe('NotStarted');
    expect((await control('DELETE', 'churn?set=Contracts')).status).toBe(204);
    expect(sb.churnStats().find((c) => c.set === 'Contracts')!.active).toBe(false);
    expect((await control('PUT', 'churn', { set: 'Nope' })).status).toBe(499);
    expect((await control('PUT', 'churn', { set: 'Members', updatesPerPage: -1 })).status).toBe(499);
    // in-process functions decide per row (a deactivation among updates)
    sb.setChurn({ set: 'Members', updatesPerPage: 2, update: (row, n): Record<string, Value> => (n % 2 ? { isActive: false } : { lastName: `${row.lastName}*` }), pages: 1 });
    await keyset('Members');
    const updated = sb.churnStats().find((c) => c.set === 'Members')!.updated;
    expect(updated).toHaveLength(2);
    expect(updated.some((id) => sb.get('Members', id)!.isActive === false)).toBe(true);
  });

  it('lets the global version jump by up to versionGap per write, and move on without a write', async () => {
    const { sb, keyset } = await sandbox({ versionGap: 500, members: 100 });
    const versions = (await keyset('Members')).map((r) => r.version);
    const steps = versions.slice(1).map((v, i) => v - versions[i]!);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...steps)).toBeGreaterThan(500); // rows of other sets were written in between
    const a = sb.create('Clubs', { name: 'Gap' });
    const b = sb.update('Clubs', a.id, { name: 'Gap 2' });
    expect(b.version - a.version).toBeGreaterThanOrEqual(1);
    expect(b.version - a.version).toBeLessThanOrEqual(500);
    expect(sb.currentVersion()).toBe(b.version);
    expect(sb.advanceVersion(1000)).toBe(b.version + 1000);
    const moved = await fetch(`${sb.url}/__sandbox/version`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceBy: 250 }) });
    expect(await moved.json()).toEqual({ version: b.version + 1250 });
    expect(sb.update('Clubs', a.id, { name: 'Gap 3' }).version).toBeGreaterThan(b.version + 1250);
    sb.configure({ versionGap: null });
    const c = sb.update('Clubs', a.id, { name: 'Gap 4' });
    expect(sb.update('Clubs', a.id, { name: 'Gap 5' }).version - c.version).toBeLessThanOrEqual(3);
    expect(() => sb.configure({ versionGap: 0 })).toThrow(/versionGap/);
    // the same seed, the same data, whatever the gap
    const plain = await sandbox({ members: 100 });
    const strip = (rows: any[]) => rows.map(({ version: _v, ...r }) => r);
    expect(strip(plain.sb.list('Members'))).toEqual(strip(sb.list('Members')));
  });

  it('writes date-times club-local (default), in UTC with Z, or with the club offset', async () => {
    const { sb, get } = await sandbox({ members: 5 });
    const zones = Object.fromEntries(sb.list('Clubs').map((c) => [c.timezoneId, c.id]));
    const warsaw = zones['Europe/Warsaw']!;
    const london = zones['Europe/London']!;
    const summer = sb.create('MemberClubVisits', { memberId: 1, clubId: warsaw, enterDate: '2026-07-01T10:00:00', leaveDate: '2026-07-01T11:30:00', readerName: 'Gate 1' });
    const winter = sb.create('MemberClubVisits', { memberId: 1, clubId: warsaw, enterDate: '2026-11-24T10:00:00', leaveDate: null, readerName: 'Gate 1' });
    const uk = sb.create('MemberClubVisits', { memberId: 1, clubId: london, enterDate: '2026-11-24T10:00:00', leaveDate: null, readerName: 'Gate 1' });
    const member = sb.create('Members', { firstName: 'Date', lastName: 'Format', homeClubId: warsaw, birthdate: '1990-06-15T00:00:00', createdDate: '2026-03-30T02:30:00', isActive: true });
    // 02:30 did not exist in Warsaw that night (clocks went from 02:00 to 03:00): the moment after the switch
    const skipped = sb.create('Members', { firstName: 'Spring', lastName: 'Forward', homeClubId: warsaw, createdDate: '2026-03-29T02:30:00', isActive: true });
    const visits = async () => new Map((await get(`odata/MemberClubVisits?$filter=version ge ${summer.version}&$orderby=version`)).body.value.map((v: any) => [v.id, v]));

    let byId = await visits();
    expect(byId.get(summer.id)).toMatchObject({ enterDate: '2026-07-01T10:00:00', leaveDate: '2026-07-01T11:30:00' });

    sb.configure({ dateFormat: 'utc' });
    byId = await visits();
    expect(byId.get(summer.id)).toMatchObject({ enterDate: '2026-07-01T08:00:00Z', leaveDate: '2026-07-01T09:30:00Z' });
    expect(byId.get(winter.id)).toMatchObject({ enterDate: '2026-11-24T09:00:00Z', leaveDate: null });
    expect(byId.get(uk.id)).toMatchObject({ enterDate: '2026-11-24T10:00:00Z' });
    // birthdate is a calendar date: its digits stay; the single-entity form is formatted too
    expect((await get(`odata/Members(${member.id})`)).body).toMatchObject({ birthdate: '1990-06-15T00:00:00Z', createdDate: '2026-03-30T00:30:00Z' });
    expect((await get(`odata/Members(${skipped.id})`)).body).toMatchObject({ birthdate: null, createdDate: '2026-03-29T01:30:00Z' });

    sb.configure({ dateFormat: 'offset' });
    byId = await visits();
    expect(byId.get(summer.id)).toMatchObject({ enterDate: '2026-07-01T10:00:00+02:00', leaveDate: '2026-07-01T11:30:00+02:00' });
    expect(byId.get(winter.id)).toMatchObject({ enterDate: '2026-11-24T10:00:00+01:00' });
    expect(byId.get(uk.id)).toMatchObject({ enterDate: '2026-11-24T10:00:00+00:00' });
    expect((await get(`odata/Members/${member.id}`)).body).toMatchObject({ birthdate: '1990-06-15T00:00:00+02:00', createdDate: '2026-03-30T02:30:00+02:00' });
    expect((await get(`odata/Members/${skipped.id}`)).body).toMatchObject({ createdDate: '2026-03-29T03:30:00+02:00' });
    // every date-time field of the generated sets carries an offset; the store keeps club-local values
    const contract = (await get('odata/Contracts?$top=1')).body.value[0];
    expect(contract.startDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(sb.get('Contracts', contract.id)!.startDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const started = await sandbox({ members: 5, dateFormat: 'utc' });
    expect((await started.get('odata/Members?$top=1')).body.value[0].createdDate).toMatch(/Z$/);
  });
});
