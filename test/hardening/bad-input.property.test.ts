/**
 * Bad input as a property (issue 12): for every write route of the API, generated bodies, path
 * parameters and query strings get a 4xx problem+json (or a 2xx when the input happens to be
 * valid), never a 5xx. Real HTTP against a real server on a fresh database, with real records
 * made first so that generated requests can name ids that exist and reach deep code paths.
 *
 * Seeded and bounded: every property has a fixed seed (printed by fast-check on failure, with the
 * path of the shrunk counterexample) and a time budget. To explore beyond the fixed seeds:
 *   HARDENING_SEED=123 HARDENING_RUNS=5 npm test -- test/hardening/bad-input   (5x the runs)
 * A failure quotes what the server logged for that request; HARDENING_LOG=1 prints the whole error log.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createApp } from '../../src/app.js';
import { integrationTypes } from '../../src/integrations/registry.js';
import { futureIso, makeWorld, startHardening, uid, victims, type Answer, type Hardening, type World } from './support.js';

const SEED = Number(process.env.HARDENING_SEED ?? 20_240_612);
const RUNS = Number(process.env.HARDENING_RUNS ?? 1);
/** Per property: generous for a healthy route, and it also bounds shrinking when one fails. */
const TIME_LIMIT_MS = Number(process.env.HARDENING_TIME_LIMIT_MS ?? 6000 * RUNS);

// ---------------------------------------------------------------------------------------------
// Generated values
// ---------------------------------------------------------------------------------------------

/** Date-times a client may send: out of any database's range, impossible calendar dates, odd offsets. */
/** Just past what MySQL DATETIME (1000-9999), TIMESTAMP (1970-2038) and 32-bit epochs (2106) hold, on either side. */
const EDGE_DATES = [
  '9999-12-31T23:59:59-14:00', '9999-12-31T23:59:59-00:01', '9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00Z', '0000-01-01T00:00:00+14:00',
  '0001-01-01T00:00:00Z', '0999-12-31T23:59:59Z', '1000-01-01T00:00:00+00:01', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z',
  '2038-01-19T03:14:08Z', '2106-02-07T06:28:16Z',
];
const BAD_DATES = [
  ...EDGE_DATES, '9999-12-31T23:59:59-14:00', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1000-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2038-01-19T03:14:08Z', '2106-02-07T06:28:16Z',
  '2024-02-30T10:00:00Z', '2023-02-29T10:00:00Z', '2024-02-29T24:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T25:61:61Z',
  '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '2024-01-01', '2024-01-01T00:00:00', '2024-01-01T00:00:00.123456789Z',
  '2024-01-01T00:00:00+99:99', '2024-01-01T00:00:00+14:00', '2030-01-01T00:00:00-12:00', '9999-12-31', '0000-01-01', '2024-02-30',
];
const NUMBERS = [
  0, -0, -1, 1.5, -1.5, 0.1, 1e308, -1e308, 5e-324, 1e21, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 4294967295, 18446744073709551615,
];
const STRINGS = [
  '', ' ', '\t\n', '0', '-1', '1', '1e999', 'NaN', 'Infinity', 'null', 'true', '[]', '{}', '\u0000', 'a\u0000b', '\uD800', '\uDFFF\uD800',
  '😀', '👨‍👩‍👧‍👦', 'ß', 'İ', 'ǅ', '\u202Eevil', '\uFEFF', 'Ω≈ç√', '𝕏', "' OR 1=1 --", '"; DROP TABLE clients; --', '%', '_', '\\', '%00', '0x10',
  '../../etc/passwd', '<script>alert(1)</script>', '${7*7}', '__proto__', 'constructor', 'toString',
];
const longString = fc
  .tuple(fc.constantFrom('x', 'é', '😀', ' ', '\u0000'), fc.constantFrom(101, 192, 201, 256, 1001, 10_001, 70_000, 300_000))
  .map(([c, n]) => c.repeat(n));
const weirdScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, ...NUMBERS, ...STRINGS, ...BAD_DATES),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  longString,
);
/** A wrong value for a field: a weird scalar, or a structure where a scalar belongs. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: weirdScalar },
  { weight: 1, arbitrary: fc.array(weirdScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'id', 'value', '__proto__', 'constructor', '$gt', ''), weirdScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((depth) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Body = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'none' };
const RAW_BODIES = [
  '', '{', '}', '{"a":', '{"a":1,}', "{'a':1}", 'null', 'true', '0', '"str"', 'nul', '[', '[]', '{}', '\u0000', '\uFEFF{}', '{"a":1}{"b":2}',
  '{"__proto__":{"admin":true,"role":"admin"},"constructor":{"prototype":{"polluted":1}}}', '[' .repeat(100_000), '{"a":"\\ud800"}', '{"a":"\\u0000"}',
  '{"a":1e999999}', '{"a":-0}', '{"a":' + '9'.repeat(400) + '}',
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** Date-times near and beyond the edges of what databases store (years 0-9999, 1970, 2038, 2106), with extreme offsets. */
const edgeDateTime = fc
  .record({
    year: fc.oneof(fc.constantFrom(0, 1, 999, 1000, 1752, 1899, 1969, 1970, 2037, 2038, 2106, 9998, 9999), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.oneof(fc.constantFrom(1, 28, 31), fc.integer({ min: 1, max: 28 })),
    time: fc.constantFrom('00:00:00', '23:59:59', '03:14:08', '12:00:00.5', '23:59:59.999'),
    offset: fc.constantFrom('Z', '-14:00', '+14:00', '-12:00', '+05:45', '+00:00'),
  })
  .map(({ year, month, day, time, offset }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}${offset}`);
const ISO_DATE_TIME = /^[+-]?\d{4,6}-\d\d-\d\dT/;
const ISO_DATE = /^\d{4}-\d\d-\d\d$/;
const BAD_DAYS = ['0000-01-01', '9999-12-31', '2024-02-30', '2023-02-29', '1000-01-01', '0999-12-31', '1899-12-31', '-0001-01-01', '+275760-09-13', '2024-1-1', '2024-01-01T00:00:00Z'];

/**
 * A wrong value shaped after a valid one, so that it gets past the checks of the other fields: an
 * out-of-range date for a date, an extreme number for a number, a long or odd string for a string,
 * and so on, inside objects and arrays too. Sometimes any wrong value at all.
 */
function nearMiss(v: unknown): fc.Arbitrary<unknown> {
  const mostly = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: weirdValue });
  if (typeof v === 'string' && ISO_DATE_TIME.test(v)) {
    return mostly(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...EDGE_DATES) },
        { weight: 1, arbitrary: fc.constantFrom(...BAD_DATES) },
        { weight: 2, arbitrary: edgeDateTime },
        { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
      ),
    );
  }
  if (typeof v === 'string' && ISO_DATE.test(v)) return mostly(fc.constantFrom(...BAD_DAYS, ...BAD_DATES));
  if (typeof v === 'number') return mostly(fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(String(v), v + 0.5, -v, v * 2 ** 32)));
  if (typeof v === 'string') {
    return mostly(fc.oneof(longString, fc.constantFrom(...STRINGS), fc.constantFrom(`${v}\u0000`, ' '.repeat(Math.max(1, v.length)), v.toUpperCase(), `${v}😀`, `  ${v}  `)));
  }
  if (typeof v === 'boolean') return mostly(fc.constantFrom('true', 'false', 0, 1, null, 'yes', [true]));
  if (Array.isArray(v)) {
    return mostly(fc.oneof(fc.array(fc.constantFrom(...NUMBERS), { maxLength: 4 }), fc.constantFrom([...v, ...v], v.map(String), new Array(501).fill(v[0] ?? 1), [v], [null])));
  }
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (!keys.length) return weirdValue;
    return mostly(fc.constantFrom(...keys).chain((k) => nearMiss((v as Record<string, unknown>)[k]).map((bad) => ({ ...(v as object), [k]: bad }))));
  }
  return weirdValue;
}

/**
 * Bodies for a route: arbitrary JSON, its real field names with wrong values, valid bodies with one
 * field near-missed, mostly valid ones, valid ones. `shapes` lists the field sets that make a valid
 * body when the fields exclude each other (default: all of them).
 */
function bodies(fields: Record<string, fc.Arbitrary<unknown>>, shapes?: string[][]): fc.Arbitrary<Body> {
  const names = Object.keys(fields);
  const json = (a: fc.Arbitrary<unknown>) => a.map((value): Body => ({ kind: 'json', value }));
  const extraKeys = fc.dictionary(fc.constantFrom('id', 'createdAt', 'extra', '__proto__', 'constructor', 'toString', 'x'.repeat(300)), weirdValue, { maxKeys: 2 });
  const all: fc.WeightedArbitrary<Body>[] = [
    { weight: 2, arbitrary: json(fc.jsonValue({ maxDepth: 4 })) },
    { weight: 1, arbitrary: fc.constantFrom<Body>(...RAW_BODIES.map((text): Body => ({ kind: 'raw', text })), { kind: 'none' }) },
  ];
  if (names.length) {
    const wrong = Object.fromEntries(names.map((n) => [n, weirdValue]));
    const mostlyValid = Object.fromEntries(names.map((n) => [n, fc.oneof({ weight: 3, arbitrary: fields[n]! }, { weight: 1, arbitrary: weirdValue })]));
    const valid = fc.oneof(...(shapes ?? [names]).map((shape) => fc.record(Object.fromEntries(shape.map((n) => [n, fields[n]!])))));
    // Date-times are where storage limits bite: they are picked three times as often.
    const oneWrong = valid.chain((body) => {
      const keys = Object.keys(body).map((k) => ({ weight: typeof body[k] === 'string' && ISO_DATE_TIME.test(body[k]) ? 3 : 1, arbitrary: fc.constant(k) }));
      return fc.oneof(...keys).chain((k) => nearMiss(body[k]).map((bad) => ({ ...body, [k]: bad })));
    });
    all.push(
      { weight: 2, arbitrary: json(fc.record(wrong, { requiredKeys: [] })) },
      { weight: 8, arbitrary: json(oneWrong) },
      { weight: 2, arbitrary: json(fc.record(mostlyValid, { requiredKeys: [] })) },
      { weight: 1, arbitrary: json(fc.tuple(fc.record(mostlyValid, { requiredKeys: [] }), extraKeys).map(([a, b]) => ({ ...b, ...a }))) },
      { weight: 2, arbitrary: json(valid) },
    );
  }
  return fc.oneof(...all);
}

const VALID = '<valid>';
/** Path parameters: an id that exists, or malformed escapes, huge, negative, non-integer, non-numeric ones. */
const BAD_PARAMS = [
  '%E0%A4%A', '%C0', '%FF', '%C0%AF', '%ED%A0%80', '%', '%%', '%zz', '%2', '%00', '%2F', '%5C', '%20', '%0A', '0', '-1', '-0', '+1', '1.5', '1.0', '1e3',
  '1e999', 'Infinity', '-Infinity', 'NaN', '0x1F', '0b11', '1_0', '007', ' 1', '1%20', 'abc', 'null', 'undefined', 'true', '[]', '%7B%7D',
  '99999999999999999999999', '9007199254740993', '9007199254740992', '2147483647', '2147483648', '4294967296', '%EF%BC%91', '%F0%9F%98%80', '%u0031',
  '1;DROP%20TABLE%20x', "1'", '%27', '1%00', '1,2', '__proto__', 'constructor',
];
const safeEncode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as UTF-8 bytes
  }
};
const badParam: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_PARAMS) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 0 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 50_000_000, max: Number.MAX_SAFE_INTEGER }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(safeEncode) },
  { weight: 1, arbitrary: fc.constantFrom(300, 3000).map((n) => '9'.repeat(n)) },
);
const param = fc.oneof({ weight: 2, arbitrary: fc.constant(VALID) }, { weight: 3, arbitrary: badParam });

/*
 * Query strings stay well under Node's 16 KB limit for the request line and headers: beyond it Node's
 * HTTP parser answers a bare 431 before clubcore sees the request (see the note on issue 12).
 */
const QUERY_VALUE_MAX = 300;
const QUERY_KEYS = ['token', 'limit', 'cursor', 'id', 'locationId', 'from', 'to', 'q', 'status', '__proto__', 'a[b]', 'token[]', ''];
const RAW_QUERIES = [
  '?%E0%A4%A=1', '?token=%FF', '?token=%', '?token=%E0%A4%A', '?a=1&a=2&a=3', '?token=a&token=b', '?token[]=x', '?token[a]=b', '?=&=&', '?%00=%00', '??', '?&&&',
  '?' + 'a=1&'.repeat(1500), '?token=' + 'x'.repeat(6000), '?token', '?limit=-1&cursor=%FF', '?__proto__[admin]=1', '?constructor[prototype][x]=1',
];
const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(...QUERY_KEYS),
        fc.oneof(weirdScalar.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, QUERY_VALUE_MAX)), fc.string()),
        { minKeys: 1, maxKeys: 3 },
      )
      .map((d) => '?' + Object.entries(d).map(([k, v]) => `${safeEncode(k)}=${safeEncode(v)}`).join('&')),
  },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) },
);

// Valid values, for bodies that get far enough to reach the services and the database.
const text = (min: number, max: number) => fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => s.trim().length >= min);
const instant = fc.oneof(
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 1, max: 24 * 60 }).map((h) => futureIso(h)),
  fc.constantFrom('2030-01-01T18:00:00+02:00', '2030-06-30T23:30:00-09:30'),
);
const day = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const email = fc.emailAddress().filter((e) => e.length <= 191);
const TIMEZONES = ['Europe/Berlin', 'UTC', 'Etc/UTC', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires', 'europe/warsaw', 'Etc/GMT+12', 'Pacific/Kiritimati', 'GMT'];

// ---------------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------------

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface RouteSpec {
  method: Method;
  path: string;
  /** Who calls it: nobody signed in, the world's member, or an admin. */
  auth: 'none' | 'member' | 'admin';
  runs: number;
  /** The route's body fields with valid values (real names, right types). */
  fields?: (h: Hardening, w: World) => Record<string, fc.Arbitrary<unknown>>;
  /** Field sets that make a valid body, when fields exclude each other. */
  shapes?: string[][];
  /** Path parameters that exist; `perRun` makes fresh ones for every run (DELETE needs something to delete each time). */
  valid?: { perRun?: boolean; make: (h: Hardening, w: World) => Promise<Record<string, number | string>> };
  /** Query strings this route reads, on top of the generated ones. */
  query?: (h: Hardening, w: World) => fc.Arbitrary<string>;
  /** Turns generated placeholders into real values just before sending (e.g. signs EGYM tokens). */
  prepare?: (h: Hardening, w: World, body: unknown) => Promise<unknown>;
  /** Inputs always tried first, in this order (regressions of issue 12, sequences that random runs rarely line up). */
  examples?: (h: Hardening, w: World) => Example[];
  /** More to check on an answer, with state kept over the runs of one test: a problem, or that a 2xx is a replay (its instants may differ). */
  answers?: (seen: Map<string, unknown>, sent: Record<string, unknown>, answer: Answer) => { problem?: string; replay?: boolean };
  /** A bearer token per run instead of the standard one (logout ends the session it is given). */
  token?: (h: Hardening, w: World) => Promise<string>;
}

interface Example {
  params: Record<string, string>;
  body: Body;
  query: string;
}
const json = (value: unknown): Body => ({ kind: 'json', value });
const A = '/api/v1/admin';
const once = (make: (h: Hardening, w: World) => Promise<number>) => ({ make: async (h: Hardening, w: World) => ({ id: await make(h, w) }) });
const each = (make: (h: Hardening, w: World) => Promise<number>) => ({ perRun: true, make: async (h: Hardening, w: World) => ({ id: await make(h, w) }) });

const identityTypeFields = () => ({
  name: text(1, 100), kind: fc.constantFrom('perfect_gym_member', 'egym_bma_user', 'membership_number', 'card', 'wellpass', 'other'),
  maxPerClient: fc.integer({ min: 1, max: 100 }), minDaysBetweenChanges: fc.integer({ min: 0, max: 3650 }), active: fc.boolean(),
});
const locationFields = () => ({
  name: text(1, 200), timezone: fc.constantFrom(...TIMEZONES),
  perfectGymClubId: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 })), egymLocationId: fc.option(text(1, 100)),
});
const doorFields = (_h: Hardening, w: World) => ({
  title: text(1, 200), doorCode: text(1, 60).map((s) => s + uid('-')), locationId: fc.constant(w.locationId),
  type: fc.constantFrom('entrance', 'exit', 'internal'), accessControl: fc.boolean(), active: fc.boolean(),
});
const packageFields = (_h: Hardening, w: World) => ({
  name: text(1, 200), altId: fc.option(fc.oneof(text(1, 150), fc.nat().map((n) => `payment_plan_${n}`), fc.nat().map((n) => `product_${n}`))),
  activityIds: fc.subarray([w.activityId, w.activityId]), locationIds: fc.subarray([w.locationId]),
});
const sessionFields = (_h: Hardening, w: World) => ({
  activityId: fc.constant(w.activityId), locationId: fc.constant(w.locationId), startsAt: instant, endsAt: instant,
  capacity: fc.integer({ min: 1, max: 10_000 }), waitlistCapacity: fc.integer({ min: 0, max: 10_000 }), instructor: fc.option(text(1, 200)),
});
const clientFields = (_h: Hardening, w: World) => ({
  firstName: text(1, 100), lastName: text(1, 100), email: fc.option(email), phone: fc.option(text(0, 50)), birthDate: fc.option(day),
  homeLocationId: fc.option(fc.constant(w.locationId)), memberNumber: fc.option(text(1, 40).map((s) => s + uid('-'))),
  status: fc.constantFrom('active', 'inactive'), password: fc.option(fc.constantFrom('password1', 'correct horse battery', '😀😀😀😀😀😀😀😀')),
});
const staffFields = () => ({
  email, password: fc.constantFrom('password1', 'staff password 😀'), name: text(1, 200), role: fc.constantFrom('admin', 'manager'), active: fc.boolean(),
});
const egymConfig = (w: World) =>
  fc.record(
    {
      verification: fc.oneof(
        fc.constant({ kind: 'hs256' }),
        fc.constant({ kind: 'publicKey', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----' }),
        fc.constant({ kind: 'jwks', jwksUrl: 'http://127.0.0.1:9/jwks.json' }),
      ),
      issuer: text(0, 50), audience: text(0, 50), membershipIdPrefix: text(0, 20),
      bmaUserIdentityTypeId: fc.constant(w.bmaTypeId), memberIdentityTypeId: fc.constant(w.memberTypeId),
    },
    { requiredKeys: ['verification', 'bmaUserIdentityTypeId', 'memberIdentityTypeId'] },
  );
const pgConfig = (h: Hardening, w: World) =>
  fc.record({
    baseUrl: fc.constantFrom(h.sb.url, `${h.sb.url}/Api`, 'http://127.0.0.1:9', 'ftp://example.com', 'https://example.invalid'),
    clientId: fc.constantFrom(h.sb.clientId, 'wrong'), identityTypeId: fc.constant(w.memberTypeId),
    syncMembers: fc.record({ enabled: fc.boolean(), everyMinutes: fc.integer({ min: 1, max: 1440 }) }, { requiredKeys: [] }),
    syncSwipes: fc.record({ enabled: fc.boolean(), everyMinutes: fc.integer({ min: 1, max: 1440 }) }, { requiredKeys: [] }),
  }, { requiredKeys: ['baseUrl', 'clientId', 'identityTypeId'] });
const secrets = (h: Hardening) =>
  fc.oneof(fc.constant({}), fc.record({ clientSecret: fc.constantFrom(h.sb.clientSecret, 'wrong') }), fc.record({ hs256Secret: fc.constantFrom('sixteen-chars-secret', h.egym.secret) }));

/**
 * Every write route (`grep -rn "router\.\(post\|put\|patch\|delete\)" src`), in an order that keeps the
 * sign-in routes clear of integrations made by later routes (an active integration pointing at an
 * unreachable host rightly makes a member sign-in answer 503).
 */
const ROUTES: RouteSpec[] = [
  {
    method: 'POST', path: '/api/v1/auth/login', auth: 'none', runs: 15,
    fields: (h, w) => ({
      login: fc.constantFrom(w.memberEmail, w.memberNumber, w.memberEmail.toUpperCase(), h.sb.demoLogins[0]!.login, 'nobody@example.com'),
      password: fc.constantFrom(w.memberPassword, h.sb.demoLogins[0]!.password, 'wrong-password'),
    }),
  },
  {
    method: 'POST', path: '/api/v1/auth/egym', auth: 'none', runs: 25,
    fields: (h, w) => {
      const claim = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: weirdValue });
      const member = h.sb.list('Members').find((m) => m.isActive && !m.isDeleted)!;
      const claims = fc.record(
        {
          sub: claim(fc.oneof(fc.uuid(), text(1, 40))),
          membershipId: claim(fc.constantFrom(`${h.egym.prefix}${member.id}`, `${h.egym.prefix}999999`, String(member.id), h.egym.prefix)),
          email: claim(fc.constantFrom(w.memberEmail, 'nobody@example.com')),
          externalGymId: claim(fc.constantFrom('egym-loc-1', '1')),
        },
        { requiredKeys: [] },
      );
      return { token: fc.oneof({ weight: 3, arbitrary: claims.map((c) => ({ $signClaims: c })) }, { weight: 1, arbitrary: text(1, 100) }) };
    },
    prepare: async (h, _w, body) => {
      const token = (body as { token?: { $signClaims?: Record<string, unknown> } } | null)?.token;
      const claims = token && typeof token === 'object' && '$signClaims' in token ? token.$signClaims : undefined;
      if (claims && typeof claims === 'object' && !Array.isArray(claims)) return { ...(body as object), token: await h.signEgym(claims) };
      return body;
    },
  },
  { method: 'POST', path: '/api/v1/auth/logout', auth: 'none', runs: 10, token: (h, w) => h.app.clientToken(w.clientId) },
  {
    method: 'POST', path: '/api/v1/staff/login', auth: 'none', runs: 12,
    fields: (_h, w) => ({ email: fc.constantFrom(w.adminEmail, w.adminEmail.toUpperCase(), 'nobody@example.com'), password: fc.constantFrom('staff-password', 'wrong') }),
  },
  { method: 'POST', path: '/api/v1/me/bookings', auth: 'member', runs: 20, fields: (_h, w) => ({ sessionId: fc.constant(w.sessionId) }) },
  { method: 'DELETE', path: '/api/v1/me/bookings/:id', auth: 'member', runs: 15, valid: each(victims.booking) },
  { method: 'POST', path: '/api/v1/me/waitlist', auth: 'member', runs: 15, fields: (_h, w) => ({ sessionId: fc.constant(w.sessionId) }) },
  { method: 'DELETE', path: '/api/v1/me/waitlist/:id', auth: 'member', runs: 10, valid: each(victims.waitlistEntry) },
  {
    // Every integration type's inbound route; Perfect Gym's authenticates with a token in the URL.
    method: 'POST', path: '/api/v1/webhooks/:path/:integrationId', auth: 'none', runs: 25,
    valid: { make: async (h) => ({ path: 'perfect-gym', integrationId: h.pgIntegrationId }) },
    fields: () => ({ event: fc.constantFrom('UserModified', 'UserPresenceChanged', 'UserCardScanned', 'ContractCreated'), id: fc.nat() }),
    // The right token, a wrong one, and wrong ones of the right length (also in characters that take more bytes).
    query: (h) =>
      fc
        .oneof(
          fc.constant(h.webhookToken),
          fc.constantFrom('é', 'ü', '😀', 'x', '\u0000').map((c) => c.repeat(h.webhookToken.length)),
          fc.constantFrom('é', '\u00ff').map((c) => h.webhookToken.slice(1) + c),
          fc.constant(h.webhookToken.slice(0, -1)),
        )
        .map((t) => `?token=${safeEncode(t)}`),
  },
  { method: 'POST', path: `${A}/identity-types`, auth: 'admin', runs: 20, fields: identityTypeFields },
  { method: 'PATCH', path: `${A}/identity-types/:id`, auth: 'admin', runs: 20, fields: identityTypeFields, valid: once(victims.identityType) },
  { method: 'DELETE', path: `${A}/identity-types/:id`, auth: 'admin', runs: 12, valid: each(victims.identityType) },
  { method: 'POST', path: `${A}/locations`, auth: 'admin', runs: 20, fields: locationFields },
  { method: 'PATCH', path: `${A}/locations/:id`, auth: 'admin', runs: 20, fields: locationFields, valid: once(victims.location) },
  { method: 'DELETE', path: `${A}/locations/:id`, auth: 'admin', runs: 12, valid: each(victims.location) },
  { method: 'POST', path: `${A}/doors`, auth: 'admin', runs: 20, fields: doorFields },
  { method: 'PATCH', path: `${A}/doors/:id`, auth: 'admin', runs: 20, fields: doorFields, valid: once(victims.door) },
  { method: 'DELETE', path: `${A}/doors/:id`, auth: 'admin', runs: 12, valid: each(victims.door) },
  { method: 'POST', path: `${A}/activities`, auth: 'admin', runs: 15, fields: () => ({ name: text(1, 200) }) },
  { method: 'PATCH', path: `${A}/activities/:id`, auth: 'admin', runs: 15, fields: () => ({ name: text(1, 200) }), valid: once(victims.activity) },
  { method: 'DELETE', path: `${A}/activities/:id`, auth: 'admin', runs: 12, valid: each(victims.activity) },
  { method: 'POST', path: `${A}/packages`, auth: 'admin', runs: 20, fields: packageFields },
  { method: 'PATCH', path: `${A}/packages/:id`, auth: 'admin', runs: 20, fields: packageFields, valid: once(victims.package) },
  { method: 'DELETE', path: `${A}/packages/:id`, auth: 'admin', runs: 12, valid: each(victims.package) },
  {
    method: 'POST', path: `${A}/sessions`, auth: 'admin', runs: 50, fields: sessionFields,
    examples: (_h, w) =>
      [{ startsAt: futureIso(5), endsAt: '9999-12-31T23:59:59-14:00' }, { startsAt: '0000-01-01T00:00:00+14:00', endsAt: futureIso(5) }].map((times) => ({
        params: {}, query: '', body: json({ activityId: w.activityId, locationId: w.locationId, capacity: 5, ...times }),
      })),
  },
  {
    method: 'PATCH', path: `${A}/sessions/:id`, auth: 'admin', runs: 50,
    examples: () => [{ params: { id: VALID }, query: '', body: json({ endsAt: '9999-12-31T23:59:59-14:00' }) }],
    fields: (h, w) => ({ ...sessionFields(h, w), status: fc.constantFrom('scheduled', 'cancelled') }), valid: once(victims.session),
  },
  { method: 'DELETE', path: `${A}/sessions/:id`, auth: 'admin', runs: 12, valid: each(victims.session) },
  { method: 'POST', path: `${A}/bookings`, auth: 'admin', runs: 20, fields: (_h, w) => ({ sessionId: fc.constant(w.sessionId), clientId: fc.constant(w.clientId) }) },
  { method: 'DELETE', path: `${A}/bookings/:id`, auth: 'admin', runs: 12, valid: each(victims.booking) },
  { method: 'POST', path: `${A}/clients`, auth: 'admin', runs: 15, fields: clientFields },
  { method: 'PATCH', path: `${A}/clients/:id`, auth: 'admin', runs: 15, fields: clientFields, valid: once(victims.client) },
  {
    method: 'POST', path: `${A}/clients/:id/identities`, auth: 'admin', runs: 20, valid: once(victims.client),
    fields: (_h, w) => ({ identityTypeId: fc.constantFrom(w.cardTypeId, w.memberTypeId), value: text(1, 150) }),
  },
  {
    method: 'DELETE', path: `${A}/clients/:id/identities/:identityId`, auth: 'admin', runs: 12,
    valid: { perRun: true, make: async (h, w) => { const [id, identityId] = await victims.identity(h, w); return { id, identityId }; } },
  },
  {
    method: 'POST', path: `${A}/clients/:id/packages`, auth: 'admin', runs: 50, valid: { make: async (_h, w) => ({ id: w.clientId }) },
    examples: (_h, w) => [
      { params: { id: VALID }, query: '', body: json({ packageId: w.packageId, startsAt: '0000-01-01T00:00:00Z', endsAt: null }) },
      { params: { id: VALID }, query: '', body: json({ packageId: w.packageId, startsAt: null, endsAt: '9999-12-31T23:59:59-14:00' }) },
    ],
    fields: (_h, w) => ({ packageId: fc.constant(w.packageId), startsAt: fc.option(instant), endsAt: fc.option(instant) }),
  },
  {
    method: 'POST', path: `${A}/door-access-events`, auth: 'admin', runs: 50,
    fields: (_h, w) => ({
      doorId: fc.constant(w.doorId), doorCode: fc.constant(w.doorCode), clientId: fc.constant(w.clientId),
      identity: fc.constant({ typeId: w.cardTypeId, value: w.identityValue }),
      occurredAt: fc.oneof(instant, fc.constant('2030-01-01T18:00:00.000Z')),
      // Ids that a door system may send, some of them equal but for case, accents or characters outside the BMP.
      externalId: fc.oneof({ weight: 1, arbitrary: text(1, 100) }, { weight: 2, arbitrary: fc.constantFrom('ext-abc', 'EXT-ABC', 'résumé', 'resume', '😀', '𐚉', 'ß', 'ss') }),
    }),
    examples: (_h, w) => [
      ...['9999-12-31T23:59:59-14:00', '0000-01-01T00:00:00Z'].map((occurredAt) => ({ params: {}, query: '', body: json({ doorId: w.doorId, clientId: w.clientId, occurredAt }) })),
      // Pairs of ids equal under MySQL's utf8mb4_unicode_ci, at one time and at another.
      ...[['ext-abc', 'EXT-ABC'], ['résumé', 'resume'], ['😀', '𐚉']].flatMap(([a, b], i) =>
        [a, b, b].map((externalId, j) => ({
          params: {}, query: '',
          body: json({ doorId: w.doorId, clientId: w.clientId, occurredAt: `203${i}-01-01T18:00:0${j === 2 ? 1 : 0}.000Z`, externalId: `${externalId}` }),
        })),
      ),
    ],
    // Idempotent on externalId: the answer is the event of that very id, and sending it again answers that event.
    // Ids differing in any character are different entries (whatever the database's collation says).
    answers: (seen, sent, answer) => {
      if (typeof sent.externalId !== 'string') return {};
      const id = sent.externalId.trim();
      if (answer.status >= 400) {
        const reused = answer.json?.code === 'externalIdReused' && !seen.has(id);
        return reused ? { problem: `externalId ${JSON.stringify(id)} was never recorded before, yet refused as reused` } : {};
      }
      const ref = answer.json?.event?.sourceRef;
      if (ref !== id) return { problem: `externalId ${JSON.stringify(id)} was answered with the event of externalId ${JSON.stringify(ref)}` };
      if (seen.has(id)) return { replay: true };
      seen.set(id, answer.json.event.id);
      return {};
    },
    shapes: [['doorId', 'clientId', 'occurredAt'], ['doorCode', 'identity', 'occurredAt', 'externalId'], ['doorId', 'identity', 'occurredAt', 'externalId']],
  },
  { method: 'POST', path: `${A}/staff`, auth: 'admin', runs: 12, fields: staffFields },
  { method: 'PATCH', path: `${A}/staff/:id`, auth: 'admin', runs: 12, fields: staffFields, valid: once(victims.staff) },
  {
    method: 'POST', path: `${A}/integrations/:id/test`, auth: 'admin', runs: 10,
    valid: { make: async (h) => ({ id: h.pgIntegrationId }) },
  },
  {
    // What a type declares for itself (Perfect Gym: POST initial-sync {locationId?}).
    method: 'POST', path: `${A}/integrations/:id/:action`, auth: 'admin', runs: 15,
    valid: { make: async (h) => ({ id: h.pgIntegrationId, action: 'initial-sync' }) }, fields: (_h, w) => ({ locationId: fc.constant(w.locationId) }),
  },
  {
    method: 'PUT', path: `${A}/integrations/:id/locations/:locationId`, auth: 'admin', runs: 20,
    valid: { make: async (h, w) => ({ id: h.pgIntegrationId, locationId: await victims.location(h, w) }) },
    fields: (h, w) => ({
      externalId: fc.oneof(fc.constant(w.clubId), fc.integer({ min: 1_000_000, max: 2 ** 31 - 1 }), text(1, 100)),
      secrets: fc.oneof(fc.constant({}), fc.record({ clientSecret: fc.constant(h.sb.clientSecret) })),
    }),
    shapes: [['externalId'], ['externalId', 'secrets']],
  },
  {
    method: 'DELETE', path: `${A}/integrations/:id/locations/:locationId`, auth: 'admin', runs: 12,
    valid: {
      perRun: true,
      async make(h, w) {
        const locationId = await victims.location(h, w);
        // Links are checked against Perfect Gym's clubs: each run links a club of its own.
        const club = h.sb.create('Clubs', { name: `Delete ${locationId}`, symbol: null, shortName: null, timezoneId: 'Europe/Warsaw', isHidden: false });
        await h.ok('PUT', `${A}/integrations/${h.pgIntegrationId}/locations/${locationId}`, { externalId: club.id }, w.admin);
        return { id: h.pgIntegrationId, locationId };
      },
    },
  },
  {
    method: 'POST', path: `${A}/integrations/:id/sync`, auth: 'admin', runs: 15,
    valid: { make: async (h) => ({ id: h.pgIntegrationId }) }, fields: () => ({ job: fc.constantFrom('clients', 'access', 'initial') }),
  },
  {
    method: 'POST', path: `${A}/integrations`, auth: 'admin', runs: 20,
    fields: (h, w) => ({
      type: fc.constantFrom('perfect_gym', 'egym_bma'), name: text(1, 200), active: fc.boolean(),
      config: fc.oneof(egymConfig(w), pgConfig(h, w)), secrets: secrets(h),
    }),
  },
  {
    method: 'PATCH', path: `${A}/integrations/:id`, auth: 'admin', runs: 20, valid: once(victims.integration),
    fields: (h, w) => ({
      name: text(1, 200), active: fc.boolean(),
      config: fc.oneof(egymConfig(w), fc.record({ issuer: text(0, 50) }), fc.record({ verification: fc.constant({ kind: 'jwks' }) })), secrets: secrets(h),
    }),
  },
  { method: 'DELETE', path: `${A}/integrations/:id`, auth: 'admin', runs: 12, valid: each(victims.integration) },
];

// ---------------------------------------------------------------------------------------------
// Running one request and judging the answer
// ---------------------------------------------------------------------------------------------

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

interface Sent {
  method: string;
  url: string;
  body: string | undefined;
  answer: Answer;
}

/** Same-named fields of the answer, at the top or one level down (a door event answers `{event: {...}}`). */
function answered(json: unknown, key: string): unknown[] {
  if (!json || typeof json !== 'object') return [];
  const top = json as Record<string, unknown>;
  return [top, ...Object.values(top).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v))]
    .filter((o) => key in o)
    .map((o) => o[key]);
}

function parsedObject(body: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = body === undefined ? undefined : JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A 2xx that took a date-time must keep that instant (a database that cannot store it must not store another one). */
function lostInstant(body: string | undefined, answer: Answer): string | null {
  const sent = parsedObject(body);
  if (!sent) return null;
  for (const [key, value] of Object.entries(sent)) {
    if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) continue;
    for (const got of answered(answer.json, key)) {
      if (typeof got !== 'string' || got === value) continue;
      const [a, b] = [Math.floor(Date.parse(value) / 1000), Math.floor(Date.parse(got) / 1000)];
      if (Number.isNaN(a) || a !== b) return `${key} was sent as ${value} and answered as ${got}`;
    }
  }
  return null;
}

/** The property: a 4xx problem+json whose status matches, or a 2xx that kept what it was given; never a 5xx. */
function judge({ method, url, body, answer }: Sent, more?: (sent: Record<string, unknown>, answer: Answer) => { problem?: string; replay?: boolean }): void {
  const { status, contentType } = answer;
  const ok2xx = status >= 200 && status < 300;
  const problem4xx = status >= 400 && status < 500 && contentType.startsWith('application/problem+json') && answer.json?.status === status;
  const sent = parsedObject(body);
  const extra = sent && more && (ok2xx || problem4xx) ? more(sent, answer) : {};
  const lost = extra.problem ?? (ok2xx && !extra.replay ? lostInstant(body, answer) : null);
  if ((ok2xx || problem4xx) && !lost) return;
  const logged = h.serverError(answer.requestId);
  throw new Error(
    `${method} ${clip(url, 200)} body ${body === undefined ? '(none)' : clip(body)}\n  -> ${status} ${contentType} ${clip(answer.text)}` +
      ` (X-Request-Id ${answer.requestId})${logged ? `\n  server log: ${logged}` : ''}${lost ? `\n  ${lost}` : ''}`,
  );
}

function renderBody(body: Body): string | undefined {
  if (body.kind === 'none') return undefined;
  if (body.kind === 'raw') return body.text;
  return JSON.stringify(body.value) ?? 'null';
}

/**
 * fc.assert, with a report that stays readable when the counterexample holds 300 000-character
 * strings: the seed and path to replay it, the counterexample clipped, and the request that failed.
 */
async function check<T>(property: fc.IAsyncPropertyWithHooks<T>, params: fc.Parameters<T>): Promise<void> {
  const out = await fc.check(property, params);
  if (!out.failed) return;
  const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(
    `Property failed after ${out.numRuns} run(s), shrunk ${out.numShrinks} time(s)${out.interrupted ? ' (shrinking cut short by the time limit)' : ''}\n` +
      `Replay: { seed: ${out.seed}, path: "${out.counterexamplePath}" }\n` +
      `Counterexample: ${clip(fc.stringify(out.counterexample), 1500)}\n${cause}`,
  );
}

const seedOf = (name: string) => [...name].reduce((s, c) => (Math.imul(s, 31) + c.charCodeAt(0)) | 0, SEED);

// One server and database for the whole file (a fresh database costs seconds on MySQL); each test makes its own world.
let h: Hardening;
beforeAll(async () => {
  h = await startHardening();
});
afterAll(() => h?.close());

describe('bad input on every write route: a 4xx problem+json, never a 5xx', () => {
  it('covers every write route the app registers', () => {
    // Walk the routers of the real app so a new write route without a property here fails this test.
    const registered = new Set<string>();
    const walk = (stack: any[]) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const m of Object.keys(layer.route.methods)) if (['post', 'put', 'patch', 'delete'].includes(m)) registered.add(`${m.toUpperCase()} ${layer.route.path}`);
        } else if (layer.handle?.stack && !publicApi(layer)) walk(layer.handle.stack);
      }
    };
    // APIs in a remote system's own shape (an integration's publicApi, e.g. EGYM GroupX) answer that
    // system's errors, not problem+json: their own tests check them against the remote contract.
    const bases = integrationTypes().flatMap((d) => (d.publicApi ? [d.publicApi.basePath] : []));
    const publicApi = (layer: any) => !layer.slash && bases.some((b) => layer.matchers?.some((m: (p: string) => unknown) => m(b)));
    walk((createApp(h.app.ctx) as any).router.stack);
    expect(registered.size).toBeGreaterThan(30);
    expect([...registered].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}`, async () => {
      const w = await makeWorld(h);
      const token = route.auth === 'admin' ? w.admin : route.auth === 'member' ? w.memberToken : undefined;
      const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const fixedValid = route.valid && !route.valid.perRun ? await route.valid.make(h, w) : undefined;
      const seen = new Map<string, unknown>();
      const input = fc.record({
        params: fc.record(Object.fromEntries(names.map((n) => [n, param]))) as fc.Arbitrary<Record<string, string>>,
        body: bodies(route.fields?.(h, w) ?? {}, route.shapes),
        query: route.query ? fc.oneof(queryString, route.query(h, w)) : queryString,
      });
      // Malformed escapes in every path parameter and in the query (issue 12, 1), then the route's own examples.
      const examples: Example[] = [
        ...(names.length ? [{ params: Object.fromEntries(names.map((n) => [n, '%E0%A4%A'])), body: json({}), query: '' }] : []),
        { params: Object.fromEntries(names.map((n) => [n, VALID])), body: json({}), query: '?%E0%A4%A=%C0' },
        ...(route.examples?.(h, w) ?? []),
      ];
      await check(
        fc.asyncProperty(input, async ({ params, body, query }) => {
          const needsValid = names.some((n) => params[n] === VALID);
          const valid = needsValid ? (fixedValid ?? (await route.valid!.make(h, w))) : {};
          const path = route.path.replace(/:(\w+)/g, (_, n: string) => (params[n] === VALID ? String(valid[n]) : params[n]!));
          const prepared: Body = body.kind === 'json' && route.prepare ? { kind: 'json', value: await route.prepare(h, w, body.value) } : body;
          const sentBody = renderBody(prepared);
          const answer = await h.request(route.method, path + query, {
            token: route.token ? await route.token(h, w) : token,
            body: sentBody,
            headers: prepared.kind === 'none' ? {} : { 'content-type': 'application/json' },
          });
          judge({ method: route.method, url: path + query, body: sentBody, answer }, route.answers && ((sent, a) => route.answers!(seen, sent, a)));
        }),
        {
          seed: seedOf(`${route.method} ${route.path}`), numRuns: route.runs * RUNS + examples.length,
          examples: examples.map((e) => [e]), plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
        },
      );
    });
  }

  it('the request envelope: odd content types, charsets, encodings and sizes on every write route', async () => {
    const w = await makeWorld(h);
    const envelopes: { name: string; headers: Record<string, string>; body: string | Blob }[] = [
      { name: 'latin1 charset', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' },
      { name: 'unknown charset', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{}' },
      { name: 'utf-16 charset', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' },
      { name: 'gzip claimed, plain sent', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' },
      { name: 'deflate claimed, plain sent', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, body: '{}' },
      { name: 'unknown encoding', headers: { 'content-type': 'application/json', 'content-encoding': 'x-klingon' }, body: '{}' },
      { name: 'invalid UTF-8', headers: { 'content-type': 'application/json' }, body: new Blob([new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])]) },
      { name: 'larger than 1 MB', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(1_100_000) }) },
      { name: 'deeply nested', headers: { 'content-type': 'application/json' }, body: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) },
      { name: 'text/plain JSON', headers: { 'content-type': 'text/plain' }, body: '{"name":"x"}' },
      { name: 'form encoded', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x&a[b]=c' },
      { name: 'merge-patch JSON', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"name":"x"}' },
      { name: 'no content type', headers: {}, body: '{"name":"x"}' },
    ];
    await check(
      fc.asyncProperty(fc.constantFrom(...ROUTES.map((r) => `${r.method} ${r.path}`)), fc.constantFrom(...envelopes), async (name, envelope) => {
        const route = ROUTES.find((r) => `${r.method} ${r.path}` === name)!;
        const token = route.auth === 'admin' ? w.admin : route.auth === 'member' ? w.memberToken : undefined;
        const path = route.path.replace(/:(\w+)/g, '999999');
        const res = await fetch(h.app.url + path, { method: route.method, headers: { ...envelope.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: envelope.body });
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          /* judged below */
        }
        judge({
          method: route.method, url: `${path} [${envelope.name}]`, body: typeof envelope.body === 'string' ? envelope.body : '(bytes 7b2261223a22fffe227d)',
          answer: { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json, requestId: res.headers.get('x-request-id') },
        });
      }),
      { seed: seedOf('envelope'), numRuns: 60 * RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// PATCH changes the fields sent and nothing else (no zod default sneaking in through .partial())
// ---------------------------------------------------------------------------------------------

interface PatchSpec {
  path: string;
  victim: (h: Hardening, w: World) => Promise<number>;
  fields: (h: Hardening, w: World) => Record<string, fc.Arbitrary<unknown>>;
  /** Keys of the answer that a change to a sent field rightly changes too. */
  derived?: Record<string, string[]>;
}
const PATCHES: PatchSpec[] = [
  { path: `${A}/identity-types`, victim: victims.identityType, fields: identityTypeFields },
  { path: `${A}/locations`, victim: victims.location, fields: locationFields },
  { path: `${A}/doors`, victim: victims.door, fields: doorFields },
  { path: `${A}/activities`, victim: victims.activity, fields: () => ({ name: text(1, 200) }) },
  { path: `${A}/packages`, victim: victims.package, fields: packageFields },
  {
    path: `${A}/sessions`, victim: victims.session, derived: { capacity: ['seatsLeft'] },
    fields: (h, w) => ({ ...sessionFields(h, w), status: fc.constantFrom('scheduled', 'cancelled') }),
  },
  { path: `${A}/clients`, victim: victims.client, fields: clientFields, derived: { password: ['hasPassword'] } },
  { path: `${A}/staff`, victim: victims.staff, fields: staffFields },
  {
    path: `${A}/integrations`, victim: victims.integration, derived: { config: ['config'], secrets: ['secrets'] },
    fields: () => ({ name: text(1, 200), active: fc.boolean(), config: fc.record({ issuer: text(0, 50) }), secrets: fc.record({ hs256Secret: fc.constant('another-sixteen-chars') }) }),
  },
];
const VOLATILE = ['updatedAt', 'updated_at', 'version'];

describe('PATCH changes only the fields sent', () => {
  let w: World;

  beforeAll(async () => {
    w = await makeWorld(h);
  });

  for (const spec of PATCHES) {
    it(`PATCH ${spec.path}/:id`, async () => {
      const fields = spec.fields(h, w);
      const subset = fc.record(fields, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0);
      await check(
        fc.asyncProperty(subset, async (patch) => {
          const id = await spec.victim(h, w);
          const before = await h.ok('GET', `${spec.path}/${id}`, undefined, w.admin);
          const res = await h.request('PATCH', `${spec.path}/${id}`, { token: w.admin, body: JSON.stringify(patch) });
          judge({ method: 'PATCH', url: `${spec.path}/${id}`, body: JSON.stringify(patch), answer: res });
          if (res.status >= 300) return;
          const after = await h.ok('GET', `${spec.path}/${id}`, undefined, w.admin);
          const changes = new Set([...Object.keys(patch), ...Object.keys(patch).flatMap((k) => spec.derived?.[k] ?? []), ...VOLATILE]);
          const unsent = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !changes.has(k)));
          expect({ patch, fieldsNotSent: unsent(after) }).toEqual({ patch, fieldsNotSent: unsent(before) });
        }),
        { seed: seedOf(`PATCH ${spec.path}`), numRuns: 8 * RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
      );
    });
  }
});
