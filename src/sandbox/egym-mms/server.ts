/**
 * A stand-in EGYM MMS API v2 server (shared/specs/egym/mms-api-v2.openapi.json, see
 * shared/design/EGYM.md section 3) for the demo, tests and benchmarks, behaving at its worst where
 * EGYM's docs allow: keys per location of a chain, chain-wide conflicts, a rate limit per key,
 * newest-first pages that shift, every webhook event delivered twice, injected faults. A control
 * API under /_sandbox/ (which the real server does not have) and the returned object's methods
 * play the other side: another membership system, members checking in at EGYM, the test.
 */
import type { Server } from 'node:http';
import { exchangeLog, type Exchange, type ExchangeRequest } from '../exchanges.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { seededRandom } from '../perfect-gym/generator.js';
import { accountDto, AccountStore, type StoredAccount } from './accounts.js';
import { API, apiRouter, visibleAccount, type Visit } from './api.js';
import { Churn, type ChurnSpec, type ChurnStats } from './churn.js';
import { controlRouter } from './control.js';
import { parseAccount, parseAccountPatch, type AccountInput, type AccountPatch } from './dto.js';
import { MmsError } from './errors.js';
import { Faults, type FaultSpec } from './faults.js';
import { generateAccounts, seededUuid } from './generator.js';
import { apiKeys, DEFAULT_KEYS, type ApiKey, type ApiKeySpec } from './keys.js';
import { EGYM_RATE_LIMIT, RateLimiter, type RateLimit } from './rate-limit.js';
import { Webhooks, type Delivery, type EventType, type Webhook } from './webhooks.js';

export type { StoredAccount } from './accounts.js';
export type { Visit } from './api.js';
export type { ChurnSpec, ChurnStats } from './churn.js';
export type { Exchange, ExchangeRequest } from '../exchanges.js';
export type { AccountInput, AccountPatch } from './dto.js';
export type { ErrorBody } from './errors.js';
export type { FaultSpec } from './faults.js';
export type { ApiKey, ApiKeySpec, Permission } from './keys.js';
export type { RateLimit } from './rate-limit.js';
export type { Delivery, EventType, Webhook, WebhookEvent } from './webhooks.js';
export { MmsError } from './errors.js';
export { DEFAULT_KEYS, parseKeys, PERMISSIONS } from './keys.js';

/** What can change while the sandbox runs (`configure`, `PUT /_sandbox/settings`). */
export interface SandboxSettings {
  /** Deliveries of each webhook event: 2 (the default, as retries happen in real life) or 1. */
  webhookCopies: number;
}

export interface EgymMmsSandboxOptions extends Partial<SandboxSettings> {
  port?: number;
  host?: string;
  /** Default DEFAULT_KEYS: two locations of one chain, and a read-only key. */
  keys?: ApiKeySpec[];
  /** Accounts generated at start, spread over the keys' locations (default 0). */
  accounts?: number;
  seed?: number;
  /** Per key; default EGYM's (60, refilling 6/s); null: no limit. */
  rateLimit?: RateLimit | null;
  /** The clock the sandbox clock runs on (default Date.now); a frozen one makes rate limits exact in tests. */
  clock?: () => number;
  /** Faults from the start (default none). */
  faults?: FaultSpec;
  /** Called with every request the real API receives and what it answered (tests check both against the spec). */
  onExchange?: (exchange: Exchange) => void;
  /** How long an idle keep-alive connection stays open (default 120 s, so clients always close first). */
  keepAliveTimeoutMs?: number;
}

/** A request to the real API as the control API lists it: headers without the API key. */
export interface RecordedRequest extends ExchangeRequest {
  /** The location of the key used, when it was a known one. */
  gymId: string | null;
  status: number;
  at: number;
}

export interface EgymMmsSandbox {
  /** Base URL as an integration stores it (the API lives under `${url}/api/v2/`). */
  url: string;
  keys: ApiKey[];
  /** Pushes a membership as another membership system would: POST /accounts' rules and 409s. */
  createAccount(input: AccountInput, opts?: { gymId?: string }): ReturnType<typeof accountDto>;
  /** Changes an account as PATCH does (only the fields given). */
  updateAccount(accountId: string, patch: AccountPatch): ReturnType<typeof accountDto>;
  /** Erases the membership (or all member data), delivering MEMBERSHIP_DELETE to the location's webhooks. */
  deleteAccount(accountId: string, opts?: { eraseMemberData?: boolean }): void;
  /** A member checks in or out at EGYM (default: at the membership's location, now): GYM_CHECKIN / GYM_CHECKOUT. */
  checkIn(accountId: string, opts?: { gymId?: string; timestamp?: number }): void;
  checkOut(accountId: string, opts?: { gymId?: string; timestamp?: number }): void;
  account(accountId: string): StoredAccount | undefined;
  accounts(): StoredAccount[];
  /** Check-ins and check-outs, sent by clients (`api`) and made at EGYM (`egym`). */
  visits(): Visit[];
  setChurn(spec: ChurnSpec): void;
  clearChurn(): void;
  churnStats(): ChurnStats;
  setFaults(spec: FaultSpec): void;
  clearFaults(): void;
  /** Every request the real API received, oldest first. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  webhooks(): Webhook[];
  deliveries(): Delivery[];
  /** Resolves once every webhook delivery begun so far is done. */
  webhooksSettled(): Promise<void>;
  configure(settings: Partial<SandboxSettings>): SandboxSettings;
  settings(): SandboxSettings;
  /** The sandbox clock (epoch ms): timestamps, update times and rate-limit refills follow it. */
  now(): number;
  /** Moves the sandbox clock on; answers the new time. */
  advanceClock(ms: number): number;
  /** Back to the state at start: generated accounts, no webhooks, requests, churn or clock offset. */
  reset(): void;
  close(): Promise<void>;
}

export async function startEgymMmsSandbox(opts: EgymMmsSandboxOptions = {}): Promise<EgymMmsSandbox> {
  const keys = apiKeys(opts.keys ?? DEFAULT_KEYS);
  const seed = opts.seed ?? 42;
  const clock = opts.clock ?? Date.now;
  let clockOffset = 0;
  const now = () => clock() + clockOffset;
  const initial: SandboxSettings = { webhookCopies: opts.webhookCopies ?? 2 };
  const settings: SandboxSettings = { ...initial };

  let newId = seededUuid(seededRandom(seed ^ 0x1d));
  const store = new AccountStore(now, () => newId());
  const webhooks = new Webhooks(settings.webhookCopies, now);
  const faults = new Faults();
  const limiter = opts.rateLimit === null ? null : new RateLimiter(opts.rateLimit ?? EGYM_RATE_LIMIT, now);
  const visits: Visit[] = [];
  const requests: RecordedRequest[] = [];
  const chainOf = new Map(keys.map((k) => [k.gymId, k.chainId]));

  const gymOf = (gymId: string | undefined, fallback: string): string => {
    const id = gymId ?? fallback;
    if (!chainOf.has(id)) throw MmsError.invalid(`Unknown gym ${id} (known: ${[...chainOf.keys()].join(', ')})`);
    return id;
  };
  /** Any account with a membership, whatever its chain: the control API plays every chain. */
  const member = (accountId: string) => {
    const account = store.get(accountId);
    return visibleAccount(store, account?.chainId ?? '', accountId);
  };

  function deleteAccount(accountId: string, o: { eraseMemberData?: boolean } = {}) {
    const account = member(accountId);
    webhooks.emit(account.gymId, { accountId, timestamp: now(), type: 'MEMBERSHIP_DELETE' });
    store.erase(account, o.eraseMemberData ?? false);
  }
  function visit(type: Visit['type'], accountId: string, o: { gymId?: string; timestamp?: number } = {}) {
    const account = member(accountId);
    const gymId = gymOf(o.gymId, account.gymId);
    if (chainOf.get(gymId) !== account.chainId) throw MmsError.invalid(`Gym ${gymId} is not in the account's chain`);
    if (o.timestamp !== undefined && !Number.isInteger(o.timestamp)) throw MmsError.invalid('timestamp must be epoch milliseconds');
    const timestamp = o.timestamp ?? now();
    visits.push({ accountId, gymId, type, timestamp, source: 'egym' });
    const event: EventType = type === 'CHECKIN' ? 'GYM_CHECKIN' : 'GYM_CHECKOUT';
    webhooks.emit(gymId, { accountId, timestamp, type: event });
  }

  const churn = new Churn({
    update: (account, n) => store.patch(account, { contact: { phone: `+49 170 ${String(n).padStart(7, '0')}` } }),
    insert: (template, n) => {
      // the same person under a new e-mail and membership id, as a second membership would be
      const { accountId: _id, membership, ...personal } = accountDto(template);
      return store.create(template.chainId, template.gymId, {
        ...personal,
        email: `churn.${n}@mail.example`,
        membership: { membershipId: `CHURN-${n}`, membershipType: 'BASIC', startOfContract: membership!.startOfContract },
      });
    },
    remove: (account) => deleteAccount(account.accountId),
  });

  function start() {
    generateAccounts(store, keys, { count: opts.accounts ?? 0, seed, now: now() });
    if (opts.faults) faults.set(opts.faults);
  }
  start();

  const sandbox: Omit<EgymMmsSandbox, 'url' | 'close'> = {
    keys,
    createAccount: (input, o = {}) => {
      const gymId = gymOf(o.gymId, keys[0]!.gymId);
      return accountDto(store.create(chainOf.get(gymId)!, gymId, parseAccount(input)));
    },
    updateAccount: (accountId, patch) => accountDto(store.patch(member(accountId), parseAccountPatch(patch))),
    deleteAccount,
    checkIn: (accountId, o) => visit('CHECKIN', accountId, o),
    checkOut: (accountId, o) => visit('CHECKOUT', accountId, o),
    account: (accountId) => store.get(accountId),
    accounts: () => store.all(),
    visits: () => visits.map((v) => ({ ...v })),
    setChurn: (spec) => churn.set(spec),
    clearChurn: () => churn.clear(),
    churnStats: () => churn.current(),
    setFaults: (spec) => faults.set(spec),
    clearFaults: () => faults.clear(),
    requests: () => [...requests],
    clearRequests: () => void (requests.length = 0),
    webhooks: () => webhooks.list().map((h) => ({ ...h })),
    deliveries: () => webhooks.deliveries(),
    webhooksSettled: () => webhooks.settled(),
    configure: (patch) => {
      if (patch.webhookCopies !== undefined) {
        if (patch.webhookCopies !== 1 && patch.webhookCopies !== 2) throw MmsError.invalid('webhookCopies must be 1 or 2');
        settings.webhookCopies = webhooks.copies = patch.webhookCopies;
      }
      return { ...settings };
    },
    settings: () => ({ ...settings }),
    now,
    advanceClock: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw MmsError.invalid('the clock only moves forward');
      clockOffset += ms;
      return now();
    },
    reset: () => {
      clockOffset = 0;
      newId = seededUuid(seededRandom(seed ^ 0x1d));
      store.clear();
      webhooks.reset();
      churn.clear();
      faults.clear();
      limiter?.reset();
      visits.length = 0;
      requests.length = 0;
      sandbox.configure(initial);
      start();
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(
    API,
    exchangeLog(now, (exchange, at, _req, res) => {
      const { 'x-api-key': _key, ...headers } = exchange.request.headers;
      requests.push({ ...exchange.request, headers, gymId: (res.locals.key as ApiKey | undefined)?.gymId ?? null, status: res.statusCode, at });
      opts.onExchange?.(exchange);
    }),
  );
  app.use(API, apiRouter({ keys: new Map(keys.map((k) => [k.key, k])), store, webhooks, churn, faults, limiter, visits, now }));
  app.use('/_sandbox', controlRouter(sandbox, now));

  const server: Server = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 120_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));

  return {
    ...sandbox,
    url: `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

