import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import got, { HTTPError, RequestError, type Got, type Method } from 'got';
import type { Db } from '../../db/knex.js';
import { takeRequestSlot } from './rate-limit.js';

/** The account as EGYM's spec shapes it (MemberAccountDTO). */
export interface MmsAccount {
  accountId?: string;
  email: string;
  firstName: string;
  lastName: string;
  dateOfBirth?: string;
  gender: 'MALE' | 'FEMALE' | 'NON_BINARY';
  contact?: { phone?: string };
  membership: {
    membershipId: string;
    membershipType: 'BASIC' | 'PREMIUM' | 'PROSPECT' | 'CORPORATE_FITNESS';
    startOfContract: string;
    endOfContract?: string;
  };
}

export interface MmsPage {
  offset: number;
  limit: number;
  items: MmsAccount[];
  total: number;
  hasNext: boolean;
}

export type MmsErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'notFound' | 'conflict' | 'badRequest' | 'rateLimited' | 'upstream';

/** What EGYM answered, with its errorCode and metadata kept for the conflict rules (never the message). */
export class MmsError extends Error {
  constructor(
    readonly kind: MmsErrorKind,
    message: string,
    readonly status?: number,
    readonly errorCode?: string,
    readonly metadata: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MmsError';
  }
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 8 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 8 }) };
const ATTEMPTS = 6;

/** Exponential backoff with jitter, from 0.5 s to 16 s: EGYM promises no Retry-After. */
const backoff = (attempt: number) => Math.min(500 * 2 ** attempt, 16_000) * (0.75 + Math.random() / 2);

function errorOf(err: unknown, host: string): MmsError {
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const body = (typeof err.response.body === 'object' && err.response.body ? err.response.body : {}) as { errorCode?: string; metadata?: Record<string, unknown>; message?: string };
    const said = body.message ? `: ${String(body.message).slice(0, 200)}` : '';
    if (status === 401) return new MmsError('unauthorized', `EGYM refused the API key (HTTP 401)${said}; check the key set on the location`, status, body.errorCode);
    if (status === 403) return new MmsError('forbidden', `The API key lacks a permission this call needs (HTTP 403)${said}; ask EGYM to grant it`, status, body.errorCode);
    if (status === 404) return new MmsError('notFound', `EGYM has no such ${String(body.metadata?.entity ?? 'entity').toLowerCase()} (HTTP 404)`, status, body.errorCode, body.metadata);
    if (status === 409) return new MmsError('conflict', `EGYM refused the change: ${body.errorCode ?? 'conflict'} (HTTP 409)`, status, body.errorCode, body.metadata);
    if (status === 400) return new MmsError('badRequest', `EGYM did not accept the request (HTTP 400)${said}`, status, body.errorCode, body.metadata);
    if (status === 429) return new MmsError('rateLimited', 'EGYM kept answering 429 (rate limit) after retries', status);
    return new MmsError('upstream', `EGYM answered HTTP ${status} and kept failing after retries`, status);
  }
  if (err instanceof RequestError) return new MmsError('unreachable', `Cannot reach EGYM at ${host}: ${err.code ?? err.message}`);
  return new MmsError('unreachable', `Cannot reach EGYM at ${host}: ${(err as Error).message}`);
}

/**
 * EGYM's MMS API v2 with one gym location's key. Every call first takes a slot of the key's rate
 * limit (shared by all instances). 429 is retried for every method (the request was not served);
 * 502/503/504 and network failures only where repeating cannot do twice what was done once: a POST
 * that may have been served is left to the caller, which looks the member up before creating again.
 */
export class MmsClient {
  private readonly http: Got;
  private readonly host: string;

  constructor(private readonly opts: { db: Db; baseUrl: string; apiKey: string; signal?: AbortSignal }) {
    this.host = new URL(opts.baseUrl).host;
    this.http = got.extend({
      prefixUrl: `${opts.baseUrl.replace(/\/+$/, '')}/api/v2/`,
      headers: { 'x-api-key': opts.apiKey, accept: 'application/json' },
      agent: agents,
      timeout: { request: 20_000 },
      retry: { limit: 0 },
      responseType: 'json',
    });
  }

  private async call<T>(method: Method, path: string, options: { json?: unknown; searchParams?: Record<string, string | number | boolean> } = {}): Promise<T> {
    const repeatable = method !== 'POST';
    for (let attempt = 0; ; attempt++) {
      await takeRequestSlot(this.opts.db, this.opts.apiKey, this.opts.signal);
      try {
        const response = await this.http(path, { method, ...options, signal: this.opts.signal });
        return response.body as T;
      } catch (err) {
        const status = err instanceof HTTPError ? err.response.statusCode : undefined;
        // 429 and 503 say the request was not served; other failures may come after it was.
        const notServed = status === 429 || status === 503;
        const mayRepeat = repeatable && (status === undefined ? err instanceof RequestError : status >= 502);
        if (!(notServed || mayRepeat) || attempt + 1 >= ATTEMPTS || this.opts.signal?.aborted) throw errorOf(err, this.host);
        await sleep(backoff(attempt), undefined, { signal: this.opts.signal });
      }
    }
  }

  /** null when EGYM has no account (404), instead of an error. */
  private async orNull<T>(lookup: Promise<T>): Promise<T | null> {
    try {
      return await lookup;
    } catch (err) {
      if (err instanceof MmsError && err.kind === 'notFound') return null;
      throw err;
    }
  }

  createAccount(account: MmsAccount): Promise<MmsAccount> {
    return this.call('POST', 'accounts', { json: account });
  }

  getAccount(accountId: string): Promise<MmsAccount | null> {
    return this.orNull(this.call('GET', `accounts/${encodeURIComponent(accountId)}`));
  }

  findByMembershipId(membershipId: string): Promise<MmsAccount | null> {
    return this.orNull(this.call('GET', `accounts/membership/${encodeURIComponent(membershipId)}`));
  }

  findByEmail(email: string): Promise<MmsAccount | null> {
    return this.orNull(this.call('GET', `accounts/email/${encodeURIComponent(email)}`));
  }

  /** Full replace: fields left out are cleared. */
  replaceAccount(accountId: string, account: MmsAccount): Promise<MmsAccount> {
    return this.call('PUT', `accounts/${encodeURIComponent(accountId)}`, { json: account });
  }

  /** Only the fields given change (EGYM ignores nulls, so none are sent). */
  async patchAccount(accountId: string, changes: Partial<MmsAccount>): Promise<void> {
    await this.call('PATCH', `accounts/${encodeURIComponent(accountId)}`, { json: changes });
  }

  /** Ends the membership at EGYM and keeps the member's EGYM profile (eraseMemberData=false). */
  async endMembership(accountId: string): Promise<void> {
    await this.call('DELETE', `accounts/${encodeURIComponent(accountId)}`, { searchParams: { eraseMemberData: false } });
  }

  /** Newest first by update time; offset paging (limit <= 100). */
  listAccounts(query: { fromTimestamp?: string; offset: number; limit: number }): Promise<MmsPage> {
    const searchParams: Record<string, string | number> = { offset: query.offset, limit: query.limit };
    if (query.fromTimestamp) searchParams.fromTimestamp = query.fromTimestamp;
    return this.call('GET', 'accounts', { searchParams });
  }

  /** The spec marks the body required although its one field is optional: always send one. */
  async checkIn(accountId: string, timestamp: number): Promise<void> {
    await this.call('POST', `accounts/${encodeURIComponent(accountId)}/checkins`, { json: { timestamp } });
  }

  async checkOut(accountId: string, timestamp: number): Promise<void> {
    await this.call('POST', `accounts/${encodeURIComponent(accountId)}/checkouts`, { json: { timestamp } });
  }

  registerWebhook(url: string, secret: string): Promise<unknown> {
    return this.call('POST', 'webhooks', { json: { url, secret } });
  }

  /** One cheap authenticated read, for "test connection". */
  async ping(): Promise<void> {
    await this.call('GET', 'products');
  }
}
