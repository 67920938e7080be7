/**
 * A stand-in Perfect Gym API v2.2 server (see shared/design/PERFECTGYM_API.md) for the demo,
 * tests and benchmarks, plus a control API under /__sandbox/ that the real server does not have.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { Churn, type ChurnSpec, type ChurnStats } from './churn.js';
import { DATE_FORMATS, formatRow, type DateFormat } from './dates.js';
import { Faults, type FaultSpec } from './faults.js';
import { generate, seededRandom, type GeneratedLogin } from './generator.js';
import { matches, ODataError, parseQuery, project, sortRows, versionFloor, type Query } from './odata.js';
import { SandboxError, SETS, Store, type Row, type SetName, type Value } from './store.js';
import { Webhooks } from './webhooks.js';

export type { ChurnSpec, ChurnStats } from './churn.js';
export type { DateFormat } from './dates.js';
export type { FaultSpec, FaultStep } from './faults.js';
export type { Row, SetName, Value } from './store.js';

export const NEXT_LINK_STYLES = ['skip', 'skiptoken'] as const;
/**
 * How `@odata.nextLink` continues a collection: `skip` (the default) adds `$skip=<rows so far>`
 * to the same query, as ASP.NET OData servers do, so rows that change during a walk slide and the
 * row at a page boundary can be lost; `skiptoken` continues a version-ordered query after the last
 * version sent, which never loses a row.
 */
export type NextLinkStyle = (typeof NEXT_LINK_STYLES)[number];

/** What can change while the sandbox runs (`configure`, `PUT /__sandbox/settings`). */
export interface SandboxSettings {
  nextLink: NextLinkStyle;
  dateFormat: DateFormat;
  /** Each write advances the global version by a random 1..versionGap; null: by a small step (1-3). */
  versionGap: number | null;
}

export interface PerfectGymSandboxOptions extends Partial<SandboxSettings> {
  port?: number;
  host?: string;
  members?: number;
  clubs?: number;
  seed?: number;
  pageSize?: number;
  clientId?: string;
  clientSecret?: string;
  /**
   * How long an idle keep-alive connection stays open (default 120 s, IIS's default connection
   * timeout). It must outlast clients' idle pools (undici: 4 s, got/Node agents: a few seconds),
   * so that a client always drops an idle connection first and never reuses one the server has
   * just closed ("other side closed").
   */
  keepAliveTimeoutMs?: number;
}

export interface PerfectGymSandbox {
  /** Base URL as an integration stores it (the API lives under `${url}/Api/v2.2/`). */
  url: string;
  clientId: string;
  clientSecret: string;
  demoLogins: GeneratedLogin[];
  create(set: SetName, fields: Record<string, Value>): Row;
  update(set: SetName, id: number, patch: Record<string, Value>): Row;
  remove(set: SetName, id: number): Row;
  get(set: SetName, id: number): Row | undefined;
  list(set: SetName): Row[];
  setPassword(memberId: number, password: string | null): void;
  injectFaults(spec: FaultSpec): void;
  clearFaults(): void;
  setWebhook(url: string | null): void;
  /** Requests to the real API (not the control API), optionally only paths containing the text. */
  requestCount(pathContains?: string): number;
  resetRequestCount(): void;
  /**
   * Changes data between the pages of a set while a client walks it (see churn.ts); replaces that
   * set's churn. Off until set; `clearChurn` stops it.
   */
  setChurn(spec: ChurnSpec): void;
  /** Stops the churn of one set, or of every set. */
  clearChurn(set?: SetName): void;
  /** What churn has done per set since each was set: pages, and the ids updated, inserted, deleted. */
  churnStats(): ChurnStats[];
  /** The global version counter now (the highest version that exists). */
  currentVersion(): number;
  /** Moves the global counter on by `by` without writing a row (other tables' writes); returns it. */
  advanceVersion(by: number): number;
  /** Changes settings while running; answers them all. */
  configure(settings: Partial<SandboxSettings>): SandboxSettings;
  settings(): SandboxSettings;
  close(): Promise<void>;
}

const API = '/Api/v2.2';

function odataError(res: Response, status: number, message: string) {
  res.status(status).json({ error: { code: '', message } });
}

/** Perfect Gym's business error: HTTP 499 with the documented body. */
function businessError(res: Response, code: string, message: string, property: string | null = null) {
  res.status(499).json({ errors: [{ code, message, property, data: {}, nestedBusinessErrors: [] }] });
}

function setNamed(name: string): SetName | undefined {
  return SETS.find((s) => s.toLowerCase() === name.toLowerCase());
}

export async function startPerfectGymSandbox(opts: PerfectGymSandboxOptions = {}): Promise<PerfectGymSandbox> {
  const clientId = opts.clientId ?? 'sandbox-client';
  const clientSecret = opts.clientSecret ?? 'sandbox-secret';
  const pageSize = opts.pageSize ?? 500;
  const seed = opts.seed ?? 42;
  const store = new Store();
  const settings: SandboxSettings = { nextLink: 'skip', dateFormat: 'local', versionGap: null };
  const gapRandom = seededRandom(seed ^ 0x5eed);
  function configure(patch: Partial<SandboxSettings>): SandboxSettings {
    const next = { ...settings };
    if (patch.nextLink !== undefined) {
      if (!NEXT_LINK_STYLES.includes(patch.nextLink)) throw new SandboxError('InvalidSetting', `nextLink must be one of ${NEXT_LINK_STYLES.join(', ')}`, 'nextLink');
      next.nextLink = patch.nextLink;
    }
    if (patch.dateFormat !== undefined) {
      if (!DATE_FORMATS.includes(patch.dateFormat)) throw new SandboxError('InvalidSetting', `dateFormat must be one of ${DATE_FORMATS.join(', ')}`, 'dateFormat');
      next.dateFormat = patch.dateFormat;
    }
    if (patch.versionGap !== undefined) {
      store.setVersionGap(patch.versionGap, gapRandom);
      next.versionGap = patch.versionGap;
    }
    return Object.assign(settings, next);
  }
  configure({ nextLink: opts.nextLink, dateFormat: opts.dateFormat, versionGap: opts.versionGap });
  const demoLogins = generate(store, { members: opts.members ?? 0, clubs: opts.clubs ?? 3, seed });
  const churn = new Churn(store);
  const faults = new Faults();
  const webhooks = new Webhooks();
  store.onChange((set, row, kind) => webhooks.send(set, row, kind));
  const requests = new Map<string, number>();
  let baseUrl = '';
  const total = (pathContains = '') => [...requests].reduce((n, [path, c]) => (path.includes(pathContains) ? n + c : n), 0);

  /**
   * Where a `$skip` page of a version-ordered query ended in the set's log: the next page of the
   * same walk resumes there instead of counting `$skip` rows again, as long as the set has not been
   * written since (then it counts again, and rows slide exactly as on a live instance).
   */
  const skipResume = new Map<string, { skip: number; next: number; writes: number }>();

  function page(set: SetName, q: Query, req: Request) {
    const seekable = q.orderBy.length === 1 && q.orderBy[0]!.name === 'version' && !q.orderBy[0]!.desc;
    const want = Math.min(pageSize, q.top ?? Infinity);
    const value: Row[] = [];
    let more = false;
    let count: number | undefined;
    if (seekable) {
      // Change feed: seek to the version floor ($skiptoken = last version sent), then skip $skip matching rows.
      const entities = store.set(set);
      const floor = Math.max(q.skipToken ?? -1, versionFloor(q.filter) ?? -1);
      const key = `${set} ${q.filterText} ${floor}`;
      const resume = skipResume.get(key);
      let from = entities.seek(floor);
      let skipped = 0;
      if (q.skip && resume && resume.skip === q.skip && resume.writes === entities.writes) {
        from = resume.next;
        skipped = q.skip;
      }
      let next = from;
      for (const entry of entities.scan(from)) {
        if (!matches(q.filter, entry.row)) continue;
        if (skipped < q.skip) {
          skipped++;
          continue;
        }
        if (value.length === want) {
          more = true;
          break;
        }
        value.push(entry.row);
        next = entry.next;
      }
      if (more) {
        skipResume.delete(key);
        skipResume.set(key, { skip: q.skip + value.length, next, writes: entities.writes });
        if (skipResume.size > 64) skipResume.delete(skipResume.keys().next().value!);
      }
      if (q.count) count = [...entities.sinceVersion(versionFloor(q.filter) ?? -1)].filter((r) => matches(q.filter, r)).length;
    } else if (q.orderBy.length === 1 && q.orderBy[0]!.name === 'version' && !q.count) {
      // newest first (`$orderby=version desc&$top=1`: "the highest version now"), without sorting the set
      let skipped = 0;
      for (const row of store.set(set).newestFirst()) {
        if (!matches(q.filter, row)) continue;
        if (skipped < q.skip) {
          skipped++;
          continue;
        }
        if (value.length === want) {
          more = true;
          break;
        }
        value.push(row);
      }
    } else {
      const all = sortRows(store.list(set).filter((r) => matches(q.filter, r)), q.orderBy);
      value.push(...all.slice(q.skip, q.skip + want));
      more = all.length > q.skip + want;
      count = all.length;
    }
    const body: Record<string, unknown> = {};
    if (q.count) body['@odata.count'] = count;
    body.value = value.map((r) => project(formatRow(set, r, settings.dateFormat, zoneOf), q.select));
    const remainingTop = q.top === null ? null : q.top - value.length;
    const hasNext = more && value.length > 0 && remainingTop !== 0;
    if (hasNext) {
      const next = new URL(req.originalUrl, baseUrl);
      if (remainingTop !== null) next.searchParams.set('$top', String(remainingTop));
      if (seekable && settings.nextLink === 'skiptoken') {
        next.searchParams.delete('$skip');
        next.searchParams.set('$skiptoken', String(value[value.length - 1]!.version));
      } else {
        next.searchParams.set('$skip', String(q.skip + value.length));
      }
      // spelled as ASP.NET OData spells it: `?$filter=version%20gt%200&$orderby=version&$skip=500`
      const query = [...next.searchParams].map(([k, v]) => `${/^\$?\w+$/.test(k) ? k : encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      body['@odata.nextLink'] = `${next.origin}${next.pathname}?${query}`;
    }
    // between this page and the next one, a churned set changes under the client's feet
    churn.afterPage(set, value, hasNext);
    return body;
  }

  /** A club's time zone, for date-times with an offset (UTC when the club is unknown). */
  function zoneOf(clubId: Value): string {
    const club = typeof clubId === 'number' ? store.get('Clubs', clubId) : undefined;
    return typeof club?.timezoneId === 'string' ? club.timezoneId : 'UTC';
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  // --- the real API ---
  app.use(API, (req, _res, next) => {
    requests.set(req.path, (requests.get(req.path) ?? 0) + 1);
    next();
  });
  app.use(API, faults.middleware());
  app.use(API, (req, res, next) => {
    if (req.get('x-client-id') !== clientId || req.get('x-client-secret') !== clientSecret) {
      return void res.status(401).json({ message: 'Authorization has been denied for this request.' });
    }
    next();
  });

  app.get(`${API}/odata/:segment`, (req, res) => {
    const keyed = /^(\w+)\((\d+)\)$/.exec(req.params.segment);
    const set = setNamed(keyed ? keyed[1]! : req.params.segment);
    if (!set) return odataError(res, 404, `No HTTP resource was found that matches the request URI '${req.originalUrl}'.`);
    if (keyed) return sendEntity(res, set, Number(keyed[2]));
    try {
      res.json(page(set, parseQuery(set, new URL(req.originalUrl, 'http://x').searchParams), req));
    } catch (err) {
      if (err instanceof ODataError) return odataError(res, 400, `The query specified in the URI is not valid. ${err.message}`);
      throw err;
    }
  });
  app.get(`${API}/odata/:set/:id`, (req, res) => {
    const set = setNamed(req.params.set);
    if (!set || !/^\d+$/.test(req.params.id)) return odataError(res, 404, `No HTTP resource was found that matches the request URI '${req.originalUrl}'.`);
    sendEntity(res, set, Number(req.params.id));
  });
  function sendEntity(res: Response, set: SetName, id: number) {
    const row = store.get(set, id);
    if (!row) return odataError(res, 404, `${set} with key ${id} was not found.`);
    res.json(formatRow(set, row, settings.dateFormat, zoneOf));
  }

  // Members by e-mail and number, rebuilt only after members changed (credential checks are hot).
  let index = { version: -1, byEmail: new Map<string, number[]>(), byNumber: new Map<string, number[]>() };
  function loginIndex() {
    const version = store.setVersion('Members');
    if (index.version === version) return index;
    index = { version, byEmail: new Map(), byNumber: new Map() };
    for (const m of store.list('Members')) {
      if (typeof m.email === 'string') index.byEmail.set(m.email.toLowerCase(), [...(index.byEmail.get(m.email.toLowerCase()) ?? []), m.id]);
      if (typeof m.number === 'string') index.byNumber.set(m.number, [...(index.byNumber.get(m.number) ?? []), m.id]);
    }
    return index;
  }

  function verify(res: Response, login: unknown, password: unknown, byNumber: boolean) {
    if (typeof login !== 'string' || !login || typeof password !== 'string') {
      return businessError(res, 'InvalidRequest', 'Login and password are required', typeof login !== 'string' || !login ? (byNumber ? 'login' : 'email') : 'password');
    }
    const index = loginIndex();
    const candidates = [...(index.byEmail.get(login.toLowerCase()) ?? []), ...(byNumber ? (index.byNumber.get(login) ?? []) : [])]
      .map((id) => store.get('Members', id)!)
      .filter((m) => !m.isDeleted);
    if (!candidates.length) return res.json({ memberId: null, status: 'NoAccount' });
    // Shared e-mails (families): the first member whose password matches signs in.
    const match = candidates.find((m) => store.passwords.get(m.id) === password);
    if (match) return res.json({ memberId: match.id, status: 'Success' });
    const anyPassword = candidates.some((m) => store.passwords.has(m.id));
    res.json({ memberId: null, status: anyPassword ? 'InvalidUsernameOrPassword' : 'NoPassword' });
  }
  app.post(`${API}/MemberAuth/VerifyMemberCredentials`, (req, res) => verify(res, req.body?.email, req.body?.password, false));
  app.post(`${API}/MemberAuth/VerifyCredentials`, (req, res) => verify(res, req.body?.login, req.body?.password, true));
  app.use(API, (req, res) => odataError(res, 404, `No HTTP resource was found that matches the request URI '${req.originalUrl}'.`));

  // --- the control API (sandbox only) ---
  const control = express.Router();
  control.put('/webhook', (req, res) => {
    webhooks.url = typeof req.body?.url === 'string' ? req.body.url : null;
    res.json({ url: webhooks.url });
  });
  control.post('/faults', (req, res) => {
    faults.inject(req.body as FaultSpec);
    res.status(204).end();
  });
  control.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  control.get('/stats', (_req, res) => {
    res.json({
      requests: total(),
      webhooksDelivered: webhooks.delivered,
      rows: Object.fromEntries(SETS.map((s) => [s, store.set(s).rows.size])),
      version: store.currentVersion(),
      churn: churn.list().map((c) => ({ ...c, updated: c.updated.length, inserted: c.inserted.length, deleted: c.deleted.length })),
    });
  });
  control.get('/settings', (_req, res) => void res.json(settings));
  control.put('/settings', (req, res) => void res.json(configure(req.body ?? {})));
  control.put('/churn', (req, res) => {
    churn.set(req.body);
    res.json(churn.list().find((c) => c.set.toLowerCase() === String(req.body.set).toLowerCase()));
  });
  control.get('/churn', (_req, res) => void res.json(churn.list()));
  control.delete('/churn', (req, res) => {
    const set = typeof req.query.set === 'string' ? setNamed(req.query.set) : undefined;
    if (typeof req.query.set === 'string' && !set) return odataError(res, 404, `Unknown entity set ${req.query.set}`);
    churn.clear(set);
    res.status(204).end();
  });
  control.post('/version', (req, res) => void res.json({ version: store.advanceVersion(req.body?.advanceBy ?? 0) }));
  control.put('/Members/:id/password', (req, res) => {
    store.setPassword(Number(req.params.id), req.body?.password ?? null);
    res.status(204).end();
  });
  const withSet = (req: Request, res: Response, fn: (set: SetName) => unknown) => {
    const set = setNamed(String(req.params.set));
    if (!set) return odataError(res, 404, `Unknown entity set ${req.params.set}`);
    res.status(req.method === 'POST' ? 201 : 200).json(fn(set));
  };
  control.post('/:set', (req, res) => withSet(req, res, (set) => store.create(set, req.body ?? {})));
  control.get('/:set/:id', (req, res) => withSet(req, res, (set) => store.getOrThrow(set, Number(req.params.id))));
  control.patch('/:set/:id', (req, res) => withSet(req, res, (set) => store.update(set, Number(req.params.id), req.body ?? {})));
  control.delete('/:set/:id', (req, res) => withSet(req, res, (set) => store.remove(set, Number(req.params.id))));
  app.use('/__sandbox', control);

  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof SandboxError) return businessError(res, err.code, err.message, err.property);
    if ((err as { type?: string }).type === 'entity.parse.failed') return odataError(res, 400, 'The request body is not valid JSON.');
    odataError(res, 500, 'An error has occurred.');
  };
  app.use(errors);

  const server: Server = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  // Node's default (5 s) is shorter than undici's idle pool keeps a socket (4 s, or longer when the
  // client's event loop is busy): a client could send its next request on a socket the server had
  // closed. Clients must always be the ones to drop an idle connection.
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 120_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    clientId,
    clientSecret,
    demoLogins,
    create: (set, fields) => store.create(set, fields),
    update: (set, id, patch) => store.update(set, id, patch),
    remove: (set, id) => store.remove(set, id),
    get: (set, id) => store.get(set, id),
    list: (set) => store.list(set),
    setPassword: (memberId, password) => store.setPassword(memberId, password),
    injectFaults: (spec) => faults.inject(spec),
    clearFaults: () => faults.clear(),
    setWebhook: (url) => {
      webhooks.url = url;
    },
    requestCount: (pathContains) => total(pathContains),
    resetRequestCount: () => requests.clear(),
    setChurn: (spec) => churn.set(spec),
    clearChurn: (set) => churn.clear(set),
    churnStats: () => churn.list(),
    currentVersion: () => store.currentVersion(),
    advanceVersion: (by) => store.advanceVersion(by),
    configure: (patch) => ({ ...configure(patch) }),
    settings: () => ({ ...settings }),
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
