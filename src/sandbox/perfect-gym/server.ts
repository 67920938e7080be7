/**
 * A stand-in Perfect Gym API v2.2 server (see shared/design/PERFECTGYM_API.md) for the demo,
 * tests and benchmarks, plus a control API under /__sandbox/ that the real server does not have.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { Faults, type FaultSpec } from './faults.js';
import { generate, type GeneratedLogin } from './generator.js';
import { matches, ODataError, parseQuery, project, sortRows, versionFloor, type Query } from './odata.js';
import { SandboxError, SETS, Store, type Row, type SetName, type Value } from './store.js';
import { Webhooks } from './webhooks.js';

export type { FaultSpec, FaultStep } from './faults.js';
export type { Row, SetName } from './store.js';

export interface PerfectGymSandboxOptions {
  port?: number;
  host?: string;
  members?: number;
  clubs?: number;
  seed?: number;
  pageSize?: number;
  clientId?: string;
  clientSecret?: string;
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
  const store = new Store();
  const demoLogins = generate(store, { members: opts.members ?? 0, clubs: opts.clubs ?? 3, seed: opts.seed ?? 42 });
  const faults = new Faults();
  const webhooks = new Webhooks();
  store.onChange((set, row, kind) => webhooks.send(set, row, kind));
  const requests = new Map<string, number>();
  let baseUrl = '';
  const total = (pathContains = '') => [...requests].reduce((n, [path, c]) => (path.includes(pathContains) ? n + c : n), 0);

  function page(set: SetName, q: Query, req: Request) {
    const seekable = q.orderBy.length === 1 && q.orderBy[0]!.name === 'version' && !q.orderBy[0]!.desc;
    const want = Math.min(pageSize, q.top ?? Infinity);
    const value: Row[] = [];
    let more = false;
    let count: number | undefined;
    if (seekable) {
      // Change feed: seek to the version floor, continue with $skiptoken = last version sent.
      const floor = Math.max(q.skipToken ?? -1, versionFloor(q.filter) ?? -1);
      let skipped = 0;
      for (const row of store.set(set).sinceVersion(floor)) {
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
      if (q.count) count = [...store.set(set).sinceVersion(versionFloor(q.filter) ?? -1)].filter((r) => matches(q.filter, r)).length;
    } else {
      const all = sortRows(store.list(set).filter((r) => matches(q.filter, r)), q.orderBy);
      value.push(...all.slice(q.skip, q.skip + want));
      more = all.length > q.skip + want;
      count = all.length;
    }
    const body: Record<string, unknown> = {};
    if (q.count) body['@odata.count'] = count;
    body.value = value.map((r) => project(r, q.select));
    const remainingTop = q.top === null ? null : q.top - value.length;
    if (more && value.length && remainingTop !== 0) {
      const next = new URL(req.originalUrl, baseUrl);
      if (remainingTop !== null) next.searchParams.set('$top', String(remainingTop));
      if (seekable) {
        next.searchParams.delete('$skip');
        next.searchParams.set('$skiptoken', String(value[value.length - 1]!.version));
      } else {
        next.searchParams.set('$skip', String(q.skip + value.length));
      }
      body['@odata.nextLink'] = next.toString();
    }
    return body;
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
    res.json(row);
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
    });
  });
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
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
