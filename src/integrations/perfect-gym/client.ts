import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { HTTPError, RequestError, type Got } from 'got';
import type { CredentialsStatus } from './types.js';

export type PerfectGymErrorKind = 'unauthorized' | 'unreachable' | 'business' | 'badRequest' | 'notFound' | 'upstream';

/** What went wrong talking to Perfect Gym, in words a manager can act on. */
export class PerfectGymError extends Error {
  constructor(readonly kind: PerfectGymErrorKind, message: string, readonly status?: number, readonly code?: string) {
    super(message);
    this.name = 'PerfectGymError';
  }
}

export interface PerfectGymClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Retries of transient failures (network, 429, 5xx); 0 for quick checks. */
  retries?: number;
  /** Called when Perfect Gym refuses the credentials (401). */
  onUnauthorized?: () => void;
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 16 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 16 }) };
const MAX_DELAY_MS = 30_000;

/** Exponential backoff with jitter; a Retry-After header wins (capped). */
function retryDelay(attempt: number, retryAfter: string | undefined): number {
  const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_DELAY_MS);
  return Math.min(200 * 2 ** (attempt - 1), 5_000) + Math.random() * 100;
}

function toPerfectGymError(err: unknown, host: string): PerfectGymError {
  if (err instanceof PerfectGymError) return err;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    if (status === 401) return new PerfectGymError('unauthorized', 'Perfect Gym refused the client id / client secret (HTTP 401)', status);
    if (status === 499) {
      const body = err.response.body;
      const parsed = (typeof body === 'string' ? JSON.parse(body || '{}') : body) as { errors?: { code?: string; message?: string }[] };
      const first = parsed?.errors?.[0];
      return new PerfectGymError('business', `Perfect Gym refused the request: ${first?.code ?? 'unknown'} ${first?.message ?? ''}`.trim(), status, first?.code);
    }
    if (status === 400) return new PerfectGymError('badRequest', `Perfect Gym did not accept the query (HTTP 400): ${JSON.stringify(err.response.body).slice(0, 300)}`, status);
    if (status === 404) return new PerfectGymError('notFound', `Not found at ${host} (HTTP 404): is the base URL the Perfect Gym API host (…/Api/v2.2 must exist)?`, status);
    return new PerfectGymError('upstream', `Perfect Gym answered HTTP ${status} and kept failing after retries`, status);
  }
  if (err instanceof RequestError) {
    return new PerfectGymError('unreachable', `Cannot reach Perfect Gym at ${host}: ${err.code ?? err.message}`);
  }
  return new PerfectGymError('unreachable', `Cannot reach Perfect Gym at ${host}: ${(err as Error).message}`);
}

export class PerfectGymClient {
  private readonly http: Got;
  private readonly host: string;

  constructor(private readonly opts: PerfectGymClientOptions) {
    this.host = new URL(opts.baseUrl).host;
    const retries = opts.retries ?? 6;
    this.http = got.extend({
      prefixUrl: `${opts.baseUrl.replace(/\/+$/, '')}/Api/v2.2/`,
      headers: { 'X-Client-Id': opts.clientId, 'X-Client-Secret': opts.clientSecret, accept: 'application/json' },
      agent: agents,
      timeout: { request: 30_000 },
      retry: {
        limit: retries,
        methods: ['GET', 'POST'],
        statusCodes: [429, 500, 502, 503, 504],
        maxRetryAfter: MAX_DELAY_MS,
        calculateDelay: ({ attemptCount, computedValue, error }) =>
          computedValue === 0 ? 0 : retryDelay(attemptCount, error.response?.headers['retry-after'] as string | undefined),
      },
      responseType: 'json',
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const pgError = toPerfectGymError(err, this.host);
      if (pgError.kind === 'unauthorized') this.opts.onUnauthorized?.();
      throw pgError;
    }
  }

  /**
   * Pages of a set in version order after `sinceVersion` (cursor 0 for the first full download).
   * Every page is asked for by keyset, `version gt <highest version received>`: a live instance may
   * build its @odata.nextLink with `$skip`, and then rows that change during the walk slide, and the
   * row at a page boundary is never served. The nextLink only says that more rows exist. The next
   * page is requested before the current one is handed out, so Perfect Gym prepares it while we write.
   */
  async *pages<T extends { version: number }>(set: string, opts: { sinceVersion: number; filter?: string; top?: number }): AsyncGenerator<T[]> {
    type Page = { value: T[]; '@odata.nextLink'?: string };
    const fetchPage = (after: number) => {
      const filter = `version gt ${after}${opts.filter ? ` and (${opts.filter})` : ''}`;
      const page = this.call(() =>
        this.http.get(`odata/${set}`, { searchParams: { $filter: filter, $orderby: 'version', ...(opts.top ? { $top: opts.top } : {}) } }).json<Page>(),
      );
      page.catch(() => undefined); // a prefetch the caller no longer wants must not fail the process
      return page;
    };
    for (let pending: Promise<Page> | null = fetchPage(opts.sinceVersion); pending; ) {
      const body: Page = await pending;
      const last = body.value[body.value.length - 1];
      pending = body['@odata.nextLink'] && last ? fetchPage(last.version) : null;
      if (body.value.length) yield body.value;
    }
  }

  /** The highest version a set holds now (0 when empty): where a walk that starts now may bookmark at most. */
  async highestVersion(set: string): Promise<number> {
    const body = await this.call(() =>
      this.http.get(`odata/${set}`, { searchParams: { $orderby: 'version desc', $top: 1, $select: 'version' } }).json<{ value: { version: number }[] }>(),
    );
    return body.value[0]?.version ?? 0;
  }

  async listAll<T extends { version: number }>(set: string, opts: { filter?: string } = {}): Promise<T[]> {
    const rows: T[] = [];
    for await (const page of this.pages<T>(set, { sinceVersion: -1, filter: opts.filter })) rows.push(...page);
    return rows;
  }

  async getById<T>(set: string, id: number): Promise<T | null> {
    try {
      return await this.call(() => this.http.get(`odata/${set}/${id}`).json<T>());
    } catch (err) {
      if (err instanceof PerfectGymError && err.kind === 'notFound') return null;
      throw err;
    }
  }

  /** login = e-mail or member number. Passwords go to Perfect Gym only; nothing is stored. */
  verifyCredentials(login: string, password: string): Promise<{ memberId: number | null; status: CredentialsStatus }> {
    return this.call(() => this.http.post('MemberAuth/VerifyCredentials', { json: { login, password } }).json());
  }

  /** One cheap real call, for "test connection". */
  async ping(): Promise<void> {
    await this.call(() => this.http.get('odata/Clubs', { searchParams: { $top: 1 } }).json());
  }
}
