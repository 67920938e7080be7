import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULT_KEYS, parseKeys, startEgymMmsSandbox, type EgymMmsSandbox, type Exchange } from '../../src/sandbox/egym-mms/server.js';
import { loadContract } from '../support/openapi.js';

const specs = (name: string) => fileURLToPath(new URL(`../../../shared/specs/egym/${name}`, import.meta.url));
const contract = loadContract(specs('mms-api-v2.openapi.json'));

const GYM1 = 'mms-gym-1-key';
const GYM2 = 'mms-gym-2-key';
const READONLY = 'mms-gym-1-readonly-key';
const OTHER_CHAIN = 'other-chain-key';
/** Generated at start, spread over gym-1, gym-2 (chain-1) and gym-9 (chain-2). */
const ACCOUNTS = 40;
const NOON = Date.UTC(2026, 10, 24, 12);

/** A member as a membership system pushes one. */
const member = (n: number, extra: Record<string, unknown> = {}) => ({
  email: `member.${n}@mail.example`,
  firstName: 'Ada',
  lastName: `Member${n}`,
  dateOfBirth: '1990-04-01',
  gender: 'FEMALE',
  membership: { membershipId: `MEM-${n}`, membershipType: 'PREMIUM', startOfContract: '2024-01-01' },
  ...extra,
});

describe('EGYM MMS sandbox', () => {
  let sb: EgymMmsSandbox;
  /** Contract violations of every exchange the sandbox saw since the last take. */
  let violations: string[] = [];
  const checkExchange = ({ request, response }: Exchange) => {
    violations.push(...contract.checkRequest(request), ...contract.checkResponse({ method: request.method, path: request.path, ...response }));
  };
  const takeViolations = () => violations.splice(0);

  async function call(method: string, path: string, opts: { key?: string | null; body?: unknown; raw?: string } = {}) {
    const headers: Record<string, string> = {};
    if (opts.key !== null) headers['x-api-key'] = opts.key ?? GYM1;
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sb.url}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any, headers: res.headers };
  }
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sb.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const created = async (n: number, key = GYM1, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', '/api/v2/accounts', { key, body: member(n, extra) });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    sb = await startEgymMmsSandbox({
      accounts: ACCOUNTS,
      keys: [...DEFAULT_KEYS, { key: OTHER_CHAIN, gymId: 'gym-9', chainId: 'chain-2' }],
      onExchange: checkExchange,
      // time stands still unless a test moves it (advanceClock): rate-limit refills are exact
      clock: () => NOON,
    });
  });
  afterAll(() => sb.close());
  beforeEach(() => {
    sb.reset();
    takeViolations();
  });

  it('creates, reads, replaces, patches and erases accounts exactly as the spec shapes them', async () => {
    const account = await created(1);
    expect(account).toEqual({ accountId: expect.stringMatching(/^[0-9a-f-]{36}$/), ...member(1) });
    const { accountId } = account;
    expect((await call('GET', `/api/v2/accounts/${accountId}`)).body).toEqual(account);
    // chain-wide: the other location's key reads it too, by id, membership id and e-mail (any case)
    expect((await call('GET', `/api/v2/accounts/${accountId}`, { key: GYM2 })).body).toEqual(account);
    expect((await call('GET', '/api/v2/accounts/membership/MEM-1')).body).toEqual(account);
    expect((await call('GET', `/api/v2/accounts/email/${encodeURIComponent('Member.1@Mail.Example')}`)).body).toEqual(account);

    const replaced = await call('PUT', `/api/v2/accounts/${accountId}`, { body: member(1, { firstName: 'Grace', dateOfBirth: undefined, contact: { city: 'Berlin', country: 'DE' } }) });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ accountId, ...member(1, { firstName: 'Grace', dateOfBirth: undefined, contact: { city: 'Berlin', country: 'DE' } }) });
    expect(replaced.body).not.toHaveProperty('dateOfBirth');

    // PATCH: only non-null fields change, nested objects field by field
    const patched = await call('PATCH', `/api/v2/accounts/${accountId}`, { body: { lastName: null, firstName: 'Ada', contact: { city: 'Kraków' }, membership: { membershipType: 'BASIC' } } });
    expect(patched.status).toBe(204);
    // the server takes a null as "no change", but the spec's schema has no nulls: leave the field out
    expect(takeViolations()).toEqual([`PATCH /api/v2/accounts/${accountId}: request body/lastName must be string`]);
    expect(patched.body).toBeUndefined();
    expect((await call('GET', `/api/v2/accounts/${accountId}`)).body).toEqual({
      accountId,
      ...member(1, { dateOfBirth: undefined, contact: { city: 'Kraków', country: 'DE' } }),
      membership: { ...member(1).membership, membershipType: 'BASIC' },
    });

    // DELETE erases the membership: the profile stays behind (its e-mail still counts), the account answers 404 MEMBERSHIP
    expect((await call('DELETE', `/api/v2/accounts/${accountId}`)).status).toBe(204);
    const gone = await call('GET', `/api/v2/accounts/${accountId}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      timestamp: expect.any(String), path: `/api/v2/accounts/${accountId}`, requestId: expect.any(String), status: 404, error: 'Not Found',
      errorCode: 'notFound', message: expect.any(String), metadata: { entity: 'MEMBERSHIP', id: accountId },
    });
    expect((await call('GET', '/api/v2/accounts/membership/MEM-1')).body.metadata.entity).toBe('MEMBERSHIP');
    expect(sb.account(accountId)).toMatchObject({ email: 'member.1@mail.example', membership: null });
    // eraseMemberData=true removes the account: 404 ACCOUNT, and its e-mail is free again
    const other = await created(2);
    expect((await call('DELETE', `/api/v2/accounts/${other.accountId}?eraseMemberData=true`)).status).toBe(204);
    expect((await call('GET', `/api/v2/accounts/${other.accountId}`)).body.metadata).toEqual({ entity: 'ACCOUNT', id: other.accountId });
    expect((await call('GET', `/api/v2/accounts/email/${other.email}`)).body.metadata.entity).toBe('ACCOUNT');
    expect(sb.account(other.accountId)).toBeUndefined();
    await created(2);
    expect(takeViolations()).toEqual([]);
  });

  it('lists accounts newest first by update time, by location or chain-wide, between timestamps, 10 by default and at most 100', async () => {
    const expected = (gymIds: string[]) =>
      sb.accounts().filter((a) => a.membership && gymIds.includes(a.gymId)).sort((a, b) => b.updatedAt - a.updatedAt || b.version - a.version).map((a) => a.accountId);
    const gym1 = expected(['gym-1']);
    const first = await call('GET', '/api/v2/accounts');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ offset: 0, limit: 10, items: expect.any(Array), total: gym1.length, hasNext: true, nextAfterId: expect.any(Number) });
    expect(first.body.items.map((a: any) => a.accountId)).toEqual(gym1.slice(0, 10));
    const chain = expected(['gym-1', 'gym-2']);
    const wide = await call('GET', '/api/v2/accounts?currentGymOnly=false&limit=100');
    expect(wide.body).toMatchObject({ limit: 100, total: chain.length, hasNext: false });
    expect(wide.body).not.toHaveProperty('nextAfterId');
    expect(wide.body.items.map((a: any) => a.accountId)).toEqual(chain);
    // a change moves an account to the front
    sb.advanceClock(1000);
    sb.updateAccount(gym1[5]!, { firstName: 'Moved' });
    expect((await call('GET', '/api/v2/accounts?limit=1')).body.items[0]).toMatchObject({ accountId: gym1[5], firstName: 'Moved' });
    // fromTimestamp / toTimestamp bound the update time (both inclusive)
    const times = sb.accounts().filter((a) => a.gymId === 'gym-1').map((a) => a.updatedAt).sort((a, b) => a - b);
    const from = new Date(times[3]!).toISOString();
    const to = new Date(times[10]!).toISOString();
    const window = await call('GET', `/api/v2/accounts?fromTimestamp=${from}&toTimestamp=${to}&limit=100`);
    expect(window.body.total).toBe(8);
    expect((await call('GET', `/api/v2/accounts?fromTimestamp=${encodeURIComponent(new Date(sb.now() + 1).toISOString())}`)).body).toMatchObject({ items: [], total: 0, hasNext: false });
    // walking by offset without changes serves every account once
    const seen: string[] = [];
    for (let offset = 0, more = true; more; offset += 7) {
      const page = await call('GET', `/api/v2/accounts?currentGymOnly=false&offset=${offset}&limit=7`);
      seen.push(...page.body.items.map((a: any) => a.accountId));
      more = page.body.hasNext;
    }
    expect(seen).toEqual(expected(['gym-1', 'gym-2']));
    // another chain sees its own accounts only
    const otherChain = await call('GET', '/api/v2/accounts?currentGymOnly=false&limit=100', { key: OTHER_CHAIN });
    expect(otherChain.body.items.map((a: any) => a.accountId)).toEqual(expected(['gym-9']));
    expect(takeViolations()).toEqual([]);

    // limit above 100 and malformed parameters: 400 with fieldErrors (and the request broke the contract)
    const tooMany = await call('GET', '/api/v2/accounts?limit=101&offset=-1&currentGymOnly=maybe&fromTimestamp=yesterday');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.fieldErrors.map((e: any) => e.name).sort()).toEqual(['currentGymOnly', 'fromTimestamp', 'limit', 'offset']);
    expect(takeViolations()).toEqual([
      'GET /api/v2/accounts: query parameter currentGymOnly must be boolean',
      'GET /api/v2/accounts: query parameter fromTimestamp must match format "date-time"',
      'GET /api/v2/accounts: query parameter offset must be >= 0',
      'GET /api/v2/accounts: query parameter limit must be <= 100',
    ]);
  });

  describe('409s: e-mail and membership id are unique chain-wide', () => {
    const conflict = (errorCode: string, accountId: string, status = 409) => ({
      timestamp: expect.any(String), path: expect.stringMatching(/^\/api\/v2\/accounts/), requestId: expect.any(String), status,
      error: status === 409 ? 'Conflict' : 'Bad Request', errorCode, message: expect.any(String), metadata: { accountId },
    });

    it('on create: generalConflict, userEmailConflict, membershipExists, forbiddenAccountMerge (or a merge), tanAssociatedWithAnotherAccount', async () => {
      const a = await created(1);
      // 1. the same member again (a create sent twice), from another location of the chain
      const again = await call('POST', '/api/v2/accounts', { key: GYM2, body: member(1) });
      expect(again.status).toBe(409);
      expect(again.body).toEqual(conflict('generalConflict', a.accountId));
      // 2. the membership id under another e-mail
      expect((await call('POST', '/api/v2/accounts', { body: member(1, { email: 'someone.else@mail.example' }) })).body).toEqual(conflict('userEmailConflict', a.accountId));
      // 3. a new membership id with another member's e-mail
      expect((await call('POST', '/api/v2/accounts', { key: GYM2, body: member(2, { email: a.email }) })).body).toEqual(conflict('membershipExists', a.accountId));
      // another chain is another world
      expect((await call('POST', '/api/v2/accounts', { key: OTHER_CHAIN, body: member(1) })).status).toBe(201);

      // 4. the e-mail of a profile whose membership was erased: different personal data may not merge ...
      expect((await call('DELETE', `/api/v2/accounts/${a.accountId}`)).status).toBe(204);
      expect((await call('POST', '/api/v2/accounts', { body: member(3, { email: a.email, firstName: 'Eve' }) })).body).toEqual(conflict('forbiddenAccountMerge', a.accountId));
      expect((await call('POST', '/api/v2/accounts', { body: member(3, { email: a.email, dateOfBirth: undefined }) })).body).toEqual(conflict('forbiddenAccountMerge', a.accountId));
      // ... the same person does: the new membership joins the old profile
      const merged = await call('POST', '/api/v2/accounts', { key: GYM2, body: member(3, { email: a.email, firstName: ' ada ', lastName: a.lastName.toUpperCase() }) });
      expect(merged.status).toBe(201);
      expect(merged.body).toMatchObject({ accountId: a.accountId, membership: { membershipId: 'MEM-3' } });
      expect(sb.account(a.accountId)!.gymId).toBe('gym-2');

      // 5. a corporate-fitness TAN already used
      const tan = { membershipType: 'CORPORATE_FITNESS', startOfContract: '2024-01-01', verificationTAN: 'TAN-1' };
      const c = await created(4, GYM1, { membership: { membershipId: 'MEM-4', ...tan } });
      expect((await call('POST', '/api/v2/accounts', { body: member(5, { membership: { membershipId: 'MEM-5', ...tan } }) })).body).toEqual(conflict('tanAssociatedWithAnotherAccount', c.accountId));
      expect(takeViolations()).toEqual([]);
    });

    it('on change: userEmailUsedByAnotherAccountConflict and generalConflict (PATCH 409; PUT, which declares no 409, 400 with the same code)', async () => {
      const a = await created(1);
      const b = await created(2, GYM2);
      const patchEmail = await call('PATCH', `/api/v2/accounts/${a.accountId}`, { body: { email: b.email.toUpperCase() } });
      expect(patchEmail.status).toBe(409);
      expect(patchEmail.body).toEqual(conflict('userEmailUsedByAnotherAccountConflict', b.accountId));
      expect((await call('PATCH', `/api/v2/accounts/${a.accountId}`, { body: { membership: { membershipId: 'MEM-2' } } })).body).toEqual(conflict('generalConflict', b.accountId));
      expect((await call('PUT', `/api/v2/accounts/${a.accountId}`, { body: member(1, { email: b.email }) })).body).toEqual(conflict('userEmailUsedByAnotherAccountConflict', b.accountId, 400));
      // nothing changed; its own e-mail and membership id are no clash
      expect((await call('PATCH', `/api/v2/accounts/${a.accountId}`, { body: { email: a.email, membership: { membershipId: 'MEM-1' } } })).status).toBe(204);
      expect(sb.account(a.accountId)).toMatchObject({ email: a.email, membership: { membershipId: 'MEM-1' } });
      expect(takeViolations()).toEqual([]);
    });
  });

  it('refuses a missing or unknown key (401), a key without the permission (403), and what the chain does not have (404)', async () => {
    const missing = await call('GET', '/api/v2/products', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ status: 401, error: 'Unauthorized', errorCode: 'unauthorized', path: '/api/v2/products', metadata: {} });
    expect((await call('GET', '/api/v2/products', { key: 'nope' })).status).toBe(401);
    // the missing key broke the contract's security requirement; the unknown one did not (it is present)
    expect(takeViolations()).toEqual(['GET /api/v2/products: no credentials for the security requirement: header x-api-key']);

    const products = await call('GET', '/api/v2/products', { key: READONLY });
    expect(products.status).toBe(200);
    expect(products.body.map((p: any) => p.title)).toEqual(['EGYM Smart Strength', 'EGYM+']);
    const forbidden = await call('POST', '/api/v2/accounts', { key: READONLY, body: member(1) });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ status: 403, error: 'Forbidden', errorCode: 'forbidden', metadata: { permission: 'accounts:write' } });
    expect((await call('GET', '/api/v2/webhooks', { key: READONLY })).status).toBe(403);

    const [someone] = sb.accounts();
    expect((await call('GET', `/api/v2/accounts/${someone!.accountId}`, { key: READONLY })).status).toBe(200);
    const elsewhere = await call('GET', `/api/v2/accounts/${someone!.accountId}`, { key: OTHER_CHAIN });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.metadata).toEqual({ entity: 'ACCOUNT', id: someone!.accountId });
    expect((await call('GET', '/api/v2/accounts/membership/NOPE')).body.metadata).toEqual({ entity: 'MEMBERSHIP', id: 'NOPE' });
    expect((await call('GET', '/api/v2/webhooks/77')).body.metadata).toEqual({ entity: 'WEBHOOK', id: '77' });
    expect((await call('POST', '/api/v2/accounts/unknown/checkins', { body: {} })).body.metadata.entity).toBe('ACCOUNT');
    expect(takeViolations()).toEqual([]);
  });

  it('checks bodies like the real server: 400 with fieldErrors, a required check-in body, malformed JSON', async () => {
    const bad = await call('POST', '/api/v2/accounts', { body: { email: '', firstName: 'A', gender: 'OTHER', membership: { membershipId: 'X', membershipType: 'BASIC', startOfContract: '2024-02-30' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('validationFailed');
    expect(bad.body.fieldErrors.map((e: any) => e.name).sort()).toEqual(['email', 'gender', 'lastName', 'membership.startOfContract']);
    expect(bad.body.fieldErrors.find((e: any) => e.name === 'gender')).toMatchObject({ rejectedValue: 'OTHER' });
    const [someone] = sb.accounts();
    // the spec marks the check-in body required although its one field is optional: none is a 400, {} is fine
    expect((await call('POST', `/api/v2/accounts/${someone!.accountId}/checkins`)).status).toBe(400);
    expect((await call('POST', `/api/v2/accounts/${someone!.accountId}/checkins`, { raw: '{"timestamp":' })).status).toBe(400);
    expect(takeViolations()).toEqual([
      "POST /api/v2/accounts: request body must have required property 'lastName'",
      'POST /api/v2/accounts: request body/email must NOT have fewer than 1 characters',
      'POST /api/v2/accounts: request body/gender must be equal to one of the allowed values (["MALE","FEMALE","NON_BINARY"])',
      'POST /api/v2/accounts: request body/membership/startOfContract must match format "date"',
      `POST /api/v2/accounts/${someone!.accountId}/checkins: a request body is required`,
      // the malformed body never parsed: the exchange shows no body
      `POST /api/v2/accounts/${someone!.accountId}/checkins: a request body is required`,
    ]);
  });

  it('takes check-ins and check-outs, now or in the past, into the visit log without webhooks', async () => {
    const [someone] = sb.accounts();
    const past = sb.now() - 3_600_000;
    expect((await call('POST', `/api/v2/accounts/${someone!.accountId}/checkins`, { body: {} })).status).toBe(204);
    expect((await call('POST', `/api/v2/accounts/${someone!.accountId}/checkouts`, { key: GYM2, body: { timestamp: past } })).status).toBe(204);
    expect(sb.visits()).toEqual([
      { accountId: someone!.accountId, gymId: 'gym-1', type: 'CHECKIN', timestamp: expect.any(Number), source: 'api' },
      { accountId: someone!.accountId, gymId: 'gym-2', type: 'CHECKOUT', timestamp: past, source: 'api' },
    ]);
    const future = await call('POST', `/api/v2/accounts/${someone!.accountId}/checkins`, { body: { timestamp: sb.now() + 60_000 } });
    expect(future.status).toBe(400);
    expect(future.body.fieldErrors).toEqual([{ name: 'timestamp', message: 'must be in the past', rejectedValue: expect.any(Number) }]);
    expect(takeViolations()).toEqual([]);
  });

  it('limits each key to a bucket of 60 refilling 6/s: the 61st request of a burst gets 429 without Retry-After', async () => {
    for (let i = 0; i < 60; i++) {
      const res = await call('GET', '/api/v2/products');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(59 - i));
    }
    const limited = await call('GET', '/api/v2/products');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ message: 'Too Many Requests' });
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    // another location's key has a bucket of its own
    expect((await call('GET', '/api/v2/products', { key: GYM2 })).status).toBe(200);
    // one second later: six more
    sb.advanceClock(1000);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call('GET', '/api/v2/products')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // ten seconds: full again, and never more than 60
    sb.advanceClock(60_000);
    expect((await call('GET', '/api/v2/products')).headers.get('x-ratelimit-remaining')).toBe('59');
    // the spec declares no 429: the checker says so, and nothing else
    expect(takeViolations()).toEqual(Array(2).fill('GET /api/v2/products -> 429: status 429 is not declared (declared: 200, 400, 401, 403, 404, 500)'));
  });

  it('shifts newest-first pages under churn: an offset walk serves rows again and misses erased ones', async () => {
    const walk = async () => {
      const served: string[] = [];
      for (let offset = 0, more = true; more; offset += 5) {
        const page = await call('GET', `/api/v2/accounts?currentGymOnly=false&offset=${offset}&limit=5`);
        served.push(...page.body.items.map((a: any) => a.accountId));
        more = page.body.hasNext;
      }
      return served;
    };
    const before = sb.accounts().filter((a) => a.chainId === 'chain-1').map((a) => a.accountId);
    // inserts land in front: every later page starts one row earlier, so a row comes twice
    sb.setChurn({ insertsPerPage: 1, seed: 3 });
    const withInserts = await walk();
    const inserted = sb.churnStats().inserted;
    expect(inserted.length).toBeGreaterThan(2);
    expect(withInserts.length - new Set(withInserts).size).toBe(inserted.length);
    for (const id of inserted) expect(withInserts).not.toContain(id);
    expect(new Set(withInserts)).toEqual(new Set(before));

    // erased memberships leave the list: a row behind them slides onto a page already read
    sb.reset();
    sb.setChurn({ deletesPerPage: 1, seed: 3 });
    const withDeletes = await walk();
    const { deleted } = sb.churnStats();
    const lost = before.filter((id) => !withDeletes.includes(id) && !deleted.includes(id));
    expect(lost.length).toBeGreaterThan(0);
    for (const id of lost) expect(sb.account(id)!.membership).not.toBeNull();

    // the same over the control API, stopping by itself after `pages`
    sb.reset();
    expect((await control('PUT', 'churn', { updatesPerPage: 2, pages: 2, seed: 1 })).body).toEqual({ active: true, pages: 0, updated: [], inserted: [], deleted: [] });
    await walk();
    expect((await control('GET', 'churn')).body).toMatchObject({ active: false, pages: 2, updated: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)] });
    expect((await control('PUT', 'churn', { updatesPerPage: -1 })).status).toBe(400);
    expect((await control('DELETE', 'churn')).status).toBe(204);
    expect(takeViolations()).toEqual([]);
  });

  describe('webhooks', () => {
    let receiver: Server;
    let hookUrl: string;
    const received: { path: string; apiKey: string | undefined; body: any }[] = [];
    let answer = 200;

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ path: req.url!, apiKey: req.headers['x-api-key'] as string | undefined, body: JSON.parse(body) });
          res.writeHead(answer).end();
        });
      }).listen(0, '127.0.0.1');
      await new Promise((r) => receiver.once('listening', r));
      hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      receiver.close();
      receiver.closeAllConnections();
    });
    beforeEach(() => {
      received.length = 0;
      answer = 200;
    });

    it('registers per location (409 webhookUrlAlreadyRegistered), lists, triggers TEST, and delivers every event twice with the secret in x-api-key', async () => {
      const registered = await call('POST', '/api/v2/webhooks', { body: { url: `${hookUrl}/gym-1`, secret: 's3cret' } });
      expect(registered.status).toBe(200);
      expect(registered.body).toEqual({ id: expect.any(Number), url: `${hookUrl}/gym-1`, secret: 's3cret' });
      const again = await call('POST', '/api/v2/webhooks', { body: { url: `${hookUrl}/gym-1`, secret: 'other' } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ status: 409, errorCode: 'webhookUrlAlreadyRegistered', metadata: { webhookId: String(registered.body.id) } });
      expect((await call('POST', '/api/v2/webhooks', { key: GYM2, body: { url: `${hookUrl}/gym-2`, secret: 'two' } })).status).toBe(200);
      expect((await call('GET', '/api/v2/webhooks')).body).toEqual([registered.body]);
      expect((await call('GET', `/api/v2/webhooks/${registered.body.id}`)).body).toEqual(registered.body);

      const trigger = await call('POST', `/api/v2/webhooks/${registered.body.id}/trigger`);
      expect(trigger.status).toBe(200);
      await sb.webhooksSettled();
      expect(received).toEqual(Array(2).fill({ path: '/gym-1', apiKey: 's3cret', body: { accountId: null, timestamp: expect.any(Number), type: 'TEST' } }));

      // what happens at EGYM reaches the webhooks of the location concerned
      received.length = 0;
      const [atGym1, atGym2] = [sb.accounts().find((a) => a.gymId === 'gym-1')!, sb.accounts().find((a) => a.gymId === 'gym-2')!];
      sb.checkIn(atGym1.accountId);
      sb.checkOut(atGym1.accountId, { timestamp: 1_700_000_000_000 });
      sb.deleteAccount(atGym2.accountId);
      await sb.webhooksSettled();
      // an event's two copies come one after the other; different events' deliveries interleave
      const events = (path: string) => received.filter((r) => r.path === path).map((r) => [r.apiKey, r.body.type, r.body.accountId]).sort();
      expect(events('/gym-1')).toEqual([
        ['s3cret', 'GYM_CHECKIN', atGym1.accountId],
        ['s3cret', 'GYM_CHECKIN', atGym1.accountId],
        ['s3cret', 'GYM_CHECKOUT', atGym1.accountId],
        ['s3cret', 'GYM_CHECKOUT', atGym1.accountId],
      ]);
      expect(received.find((r) => r.body.type === 'GYM_CHECKOUT')!.body.timestamp).toBe(1_700_000_000_000);
      expect(events('/gym-2')).toEqual([
        ['two', 'MEMBERSHIP_DELETE', atGym2.accountId],
        ['two', 'MEMBERSHIP_DELETE', atGym2.accountId],
      ]);
      expect(sb.visits().map((v) => [v.type, v.source])).toEqual([['CHECKIN', 'egym'], ['CHECKOUT', 'egym']]);

      // once, on request; a failing receiver's answers are recorded
      received.length = 0;
      sb.configure({ webhookCopies: 1 });
      answer = 500;
      sb.checkIn(atGym1.accountId);
      await sb.webhooksSettled();
      expect(received).toHaveLength(1);
      expect(sb.deliveries().at(-1)).toMatchObject({ webhookId: registered.body.id, url: `${hookUrl}/gym-1`, attempt: 1, status: 500, event: { type: 'GYM_CHECKIN' } });
      expect(sb.deliveries().filter((d) => d.event.type === 'MEMBERSHIP_DELETE').map((d) => [d.attempt, d.status])).toEqual([[1, 200], [2, 200]]);

      // change the URL, then remove it
      const moved = await call('PUT', `/api/v2/webhooks/${registered.body.id}`, { body: { url: `${hookUrl}/moved`, secret: 'new' } });
      expect(moved.body).toEqual({ id: registered.body.id, url: `${hookUrl}/moved`, secret: 'new' });
      expect((await call('DELETE', `/api/v2/webhooks/${registered.body.id}`)).status).toBe(204);
      expect((await call('GET', '/api/v2/webhooks')).body).toEqual([]);
      expect(takeViolations()).toEqual([]);
    });

    it('records a receiver that cannot be reached', async () => {
      const dead = createServer().listen(0, '127.0.0.1');
      await new Promise((r) => dead.once('listening', r));
      const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/gone`;
      await new Promise((r) => dead.close(r));
      await call('POST', '/api/v2/webhooks', { body: { url, secret: 'x' } });
      sb.checkIn(sb.accounts().find((a) => a.gymId === 'gym-1')!.accountId);
      await sb.webhooksSettled();
      expect(sb.deliveries()).toEqual([
        expect.objectContaining({ url, attempt: 1, status: null, error: expect.any(String) }),
        expect.objectContaining({ url, attempt: 2, status: null, error: expect.any(String) }),
      ]);
    });
  });

  it('injects faults: a seeded share of requests answered 429 or 503, until cleared', async () => {
    sb.setFaults({ rate: 0.4, seed: 5 });
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await call('GET', '/api/v2/products', { key: i % 2 ? GYM1 : GYM2 })).status);
      return statuses;
    };
    const first = await run();
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(2);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(2);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(10);
    sb.setFaults({ rate: 0.4, seed: 5 });
    expect(await run()).toEqual(first);
    const unavailable = await (async () => {
      sb.setFaults({ rate: 1, statuses: [503] });
      return call('GET', '/api/v2/products');
    })();
    expect(unavailable.body).toEqual({ message: 'Service Unavailable' });
    // over HTTP too
    expect((await control('PUT', 'faults', { rate: 2 })).status).toBe(400);
    expect((await control('DELETE', 'faults')).status).toBe(204);
    expect((await run()).every((s) => s === 200)).toBe(true);
    const undeclared = takeViolations();
    expect(new Set(undeclared)).toEqual(
      new Set([429, 503].map((s) => `GET /api/v2/products -> ${s}: status ${s} is not declared (declared: 200, 400, 401, 403, 404, 500)`)),
    );
    expect(undeclared).toHaveLength(2 * first.filter((s) => s !== 200).length + 1);
  });

  it('lets tests and other processes play the other side over the control API, and lists what clients sent', async () => {
    const made = await control('POST', 'accounts', { ...member(1), gymId: 'gym-2' });
    expect(made.status).toBe(201);
    expect(sb.account(made.body.accountId)).toMatchObject({ gymId: 'gym-2', chainId: 'chain-1' });
    expect((await control('POST', 'accounts', member(1))).body).toMatchObject({ status: 409, errorCode: 'generalConflict' });
    expect((await control('POST', 'accounts', { ...member(2), gymId: 'nowhere' })).status).toBe(400);
    expect((await control('PATCH', `accounts/${made.body.accountId}`, { lastName: 'Changed' })).body).toMatchObject({ lastName: 'Changed' });
    expect((await control('POST', `accounts/${made.body.accountId}/checkins`, {})).status).toBe(204);
    expect((await control('POST', `accounts/${made.body.accountId}/checkouts`, { gymId: 'gym-9' })).status).toBe(400); // another chain
    expect((await control('GET', 'visits')).body).toEqual([expect.objectContaining({ accountId: made.body.accountId, gymId: 'gym-2', type: 'CHECKIN', source: 'egym' })]);
    expect((await control('DELETE', `accounts/${made.body.accountId}?eraseMemberData=true`)).status).toBe(204);
    expect(sb.account(made.body.accountId)).toBeUndefined();
    expect((await control('GET', 'accounts')).body).toHaveLength(ACCOUNTS);

    await call('POST', '/api/v2/accounts', { key: GYM2, body: member(3) });
    await call('GET', '/api/v2/accounts?limit=2&currentGymOnly=false');
    const { body: requests } = await control('GET', 'requests');
    expect(requests).toEqual([
      {
        method: 'POST', path: '/api/v2/accounts', query: {}, headers: expect.objectContaining({ 'content-type': 'application/json' }),
        body: member(3), gymId: 'gym-2', status: 201, at: expect.any(Number),
      },
      expect.objectContaining({ method: 'GET', path: '/api/v2/accounts', query: { limit: '2', currentGymOnly: 'false' }, gymId: 'gym-1', status: 200 }),
    ]);
    expect(requests[0].headers).not.toHaveProperty('x-api-key');
    expect((await control('DELETE', 'requests')).status).toBe(204);
    expect(sb.requests()).toEqual([]);

    expect((await control('PUT', 'settings', { webhookCopies: 1 })).body).toEqual({ webhookCopies: 1 });
    expect((await control('PUT', 'settings', { webhookCopies: 3 })).status).toBe(400);
    const before = sb.now();
    expect((await control('POST', 'clock', { advanceMs: 86_400_000 })).body.now).toBeGreaterThanOrEqual(before + 86_400_000);
    expect((await control('POST', 'reset')).status).toBe(204);
    expect(sb.settings()).toEqual({ webhookCopies: 2 });
    expect(sb.now()).toBeLessThan(before + 86_400_000);
    expect(sb.accounts()).toHaveLength(ACCOUNTS);
    expect(takeViolations()).toEqual([]);
  });

  it('generates the same accounts from the same seed, and starts with the given keys', async () => {
    const twin = await startEgymMmsSandbox({ accounts: ACCOUNTS, keys: [...DEFAULT_KEYS, { key: OTHER_CHAIN, gymId: 'gym-9', chainId: 'chain-2' }], clock: () => NOON });
    expect(twin.accounts()).toEqual(sb.accounts());
    await twin.close();
    expect(sb.keys.map((k) => [k.key, k.gymId, k.chainId, k.permissions.length])).toEqual([
      [GYM1, 'gym-1', 'chain-1', 5],
      [GYM2, 'gym-2', 'chain-1', 5],
      [READONLY, 'gym-1', 'chain-1', 2],
      [OTHER_CHAIN, 'gym-9', 'chain-2', 5],
    ]);
    await expect(startEgymMmsSandbox({ keys: [{ key: 'k', gymId: 'g', permissions: ['everything' as never] }] })).rejects.toThrow(/unknown permission everything/);
    // the CLI's --keys
    expect(parseKeys('k1=gym-a, k2=gym-b@chain-2,k3=gym-a:accounts:read+products:read')).toEqual([
      { key: 'k1', gymId: 'gym-a' },
      { key: 'k2', gymId: 'gym-b', chainId: 'chain-2' },
      { key: 'k3', gymId: 'gym-a', permissions: ['accounts:read', 'products:read'] },
    ]);
    expect(() => parseKeys('k1=gym-a:everything')).toThrow(/unknown permission/);
    expect(() => parseKeys('k1')).toThrow(/KEY=GYM/);
  });
});

describe('OpenAPI contract checker', () => {
  const account = {
    accountId: 'a1', email: 'a@b.example', firstName: 'A', lastName: 'B', gender: 'MALE',
    membership: { membershipId: 'M1', membershipType: 'BASIC', startOfContract: '2024-01-01' },
  };
  const ok = { method: 'GET', path: '/api/v2/accounts/a1', status: 200, headers: { 'content-type': 'application/json' } };

  it('catches a wrong response body, status and content type', () => {
    expect(contract.checkResponse({ ...ok, body: account })).toEqual([]);
    const { email: _e, ...noEmail } = account;
    expect(contract.checkResponse({ ...ok, body: { ...noEmail, gender: 'male', membership: { ...account.membership, startOfContract: '01.01.2024' } } })).toEqual([
      "GET /api/v2/accounts/a1 -> 200: body must have required property 'email'",
      'GET /api/v2/accounts/a1 -> 200: body/gender must be equal to one of the allowed values (["MALE","FEMALE","NON_BINARY"])',
      'GET /api/v2/accounts/a1 -> 200: body/membership/startOfContract must match format "date"',
    ]);
    expect(contract.checkResponse({ ...ok, body: { ...account, dateOfBirth: null } })).toEqual(['GET /api/v2/accounts/a1 -> 200: body/dateOfBirth must be string']);
    expect(contract.checkResponse({ ...ok, status: 201, body: account })).toEqual(['GET /api/v2/accounts/a1 -> 201: status 201 is not declared (declared: 200, 400, 401, 403, 404, 500)']);
    expect(contract.checkResponse({ ...ok, headers: { 'content-type': 'text/plain' }, body: 'hi' })).toEqual(['GET /api/v2/accounts/a1 -> 200: body: content type text/plain is not declared (declared: application/json)']);
    expect(contract.checkResponse({ ...ok, body: undefined })).toEqual(['GET /api/v2/accounts/a1 -> 200: a response body is declared (application/json) but none came']);
    expect(contract.checkResponse({ method: 'PATCH', path: '/api/v2/accounts/a1', status: 204, body: {} })).toEqual(['PATCH /api/v2/accounts/a1 -> 204: the response declares no body']);
    expect(contract.checkResponse({ method: 'GET', path: '/api/v2/webhooks', status: 200, headers: { 'content-type': 'application/json' }, body: [{ id: '1', url: 'u' }] })).toEqual([
      "GET /api/v2/webhooks -> 200: body/0 must have required property 'secret'",
      'GET /api/v2/webhooks -> 200: body/0/id must be integer',
    ]);
  });

  it('matches literal path segments before templated ones, and checks parameters, security and request bodies', () => {
    const key = { 'x-api-key': 'k' };
    // /accounts/email/{email}, not /accounts/{accountId}/...: its email parameter has a minimum length
    expect(contract.checkRequest({ method: 'GET', path: '/api/v2/accounts/email/a%40b', headers: key })).toEqual(['GET /api/v2/accounts/email/a%40b: path parameter email must NOT have fewer than 5 characters']);
    // /accounts/corporate-fitness, not /accounts/{accountId}: it has required query parameters
    expect(contract.checkRequest({ method: 'GET', path: '/api/v2/accounts/corporate-fitness', headers: key })).toEqual([
      'GET /api/v2/accounts/corporate-fitness: query parameter endDateFrom is required',
      'GET /api/v2/accounts/corporate-fitness: query parameter endDateTo is required',
    ]);
    expect(contract.checkRequest({ method: 'GET', path: '/api/v2/accounts/some-id', headers: key })).toEqual([]);
    expect(contract.checkRequest({ method: 'GET', path: '/api/v2/accounts', query: { limit: '10', fromTimeStamp: 'x' }, headers: key })).toEqual([
      'GET /api/v2/accounts: query parameter fromTimeStamp is not declared',
    ]);
    expect(contract.checkRequest({ method: 'POST', path: '/api/v2/webhooks/abc/trigger', headers: key })).toEqual(['POST /api/v2/webhooks/abc/trigger: path parameter id must be integer']);
    expect(contract.checkRequest({ method: 'POST', path: '/api/v2/accounts/a1/checkins', headers: { 'X-Api-Key': 'k', 'Content-Type': 'application/json; charset=utf-8' }, body: { timestamp: 'yesterday' } })).toEqual([
      'POST /api/v2/accounts/a1/checkins: request body/timestamp must be integer',
    ]);
    expect(contract.checkRequest({ method: 'POST', path: '/api/v2/accounts/a1/checkins', headers: key, body: {} })).toEqual(['POST /api/v2/accounts/a1/checkins: request body: no content-type header']);
    expect(contract.checkRequest({ method: 'GET', path: '/api/v2/products', headers: { 'content-type': 'application/json' }, body: {} })).toEqual([
      'GET /api/v2/products: no credentials for the security requirement: header x-api-key',
      'GET /api/v2/products: the operation takes no request body',
    ]);
    expect(contract.checkRequest({ method: 'PATCH', path: '/api/v2/products', headers: key })).toEqual(['PATCH /api/v2/products: /api/v2/products declares no PATCH (only GET)']);
    expect(contract.checkRequest({ method: 'GET', path: '/api/v3/accounts', headers: key })).toEqual(['GET /api/v3/accounts: no path of the contract matches']);
  });

  it('is not tied to one contract: the GroupX classes contract (OpenAPI 3.0) loads and checks', () => {
    const groupx = loadContract(specs('canonical-groupx-classes.openapi.json'));
    expect(groupx.checkRequest({ method: 'GET', path: '/classes', query: { locationId: 'L1', startDateTime: '2025-01-01T00:00:00Z' } })).toEqual([
      'GET /classes: query parameter endDateTime is required',
    ]);
    expect(groupx.checkResponse({ method: 'GET', path: '/classes/c1', status: 200, headers: { 'content-type': 'application/json' }, body: 'not a class' })).not.toEqual([]);
  });
});
