/**
 * The real API's routes (`/api/v2/...`), in the order EGYM's gateway and server apply them:
 * injected faults, the API key (401), the key's rate limit (429), the route's permission (403),
 * then the operation. Refusals before the API (faults, rate limit) carry a gateway's body
 * `{message}`, not the API's ErrorDTO; every other error is an ErrorDTO.
 */
import { randomBytes } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { accountDto, type AccountStore, type StoredAccount } from './accounts.js';
import type { Churn } from './churn.js';
import { parseAccount, parseAccountPatch, parseEraseQuery, parseListQuery, parsePresence, parseWebhook } from './dto.js';
import { MmsError } from './errors.js';
import type { Faults } from './faults.js';
import type { ApiKey, Permission } from './keys.js';
import type { RateLimiter } from './rate-limit.js';
import type { Webhook, Webhooks } from './webhooks.js';

export const API = '/api/v2';

export interface Visit {
  accountId: string;
  gymId: string;
  type: 'CHECKIN' | 'CHECKOUT';
  /** Epoch ms of the visit (a past one when the sender gave a timestamp). */
  timestamp: number;
  /** `api`: sent by a club system; `egym`: happened at EGYM (the control API), webhooks follow. */
  source: 'api' | 'egym';
}

export interface ApiState {
  keys: Map<string, ApiKey>;
  store: AccountStore;
  webhooks: Webhooks;
  churn: Churn;
  faults: Faults;
  limiter: RateLimiter | null;
  visits: Visit[];
  now(): number;
}

/** The products every location offers (EGYM Smart Strength and EGYM+). */
const PRODUCTS = [
  { productId: 'smart-strength', title: 'EGYM Smart Strength', description: 'Admission to EGYM Smart Strength machines', scope: 'LOCATION' },
  { productId: 'egym-plus', title: 'EGYM+', description: 'EGYM+ in the member app', scope: 'CHAIN' },
];

const keyOf = (res: Response): ApiKey => res.locals.key as ApiKey;

/** An account of the key's chain that has a membership: 404 ACCOUNT or MEMBERSHIP otherwise. */
export function visibleAccount(store: AccountStore, chainId: string, accountId: string): StoredAccount {
  const account = store.get(accountId);
  if (!account || account.chainId !== chainId) throw MmsError.notFound('ACCOUNT', accountId);
  if (!account.membership) throw MmsError.notFound('MEMBERSHIP', accountId);
  return account;
}

export function apiRouter(state: ApiState): Router {
  const { store, webhooks } = state;
  const router = Router();
  const requestPrefix = randomBytes(4).toString('hex');
  let requestNumber = 0;

  router.use((_req, res, next) => {
    res.locals.requestId = `${requestPrefix}-${++requestNumber}`;
    const fault = state.faults.next();
    if (fault) return void gatewayRefusal(res, fault);
    next();
  });
  router.use((req, res, next) => {
    const key = state.keys.get(req.get('x-api-key') ?? '');
    if (!key) throw new MmsError(401, 'unauthorized', req.get('x-api-key') ? 'Unknown API key' : 'Missing x-api-key header');
    res.locals.key = key;
    next();
  });
  router.use((_req, res, next) => {
    if (!state.limiter) return next();
    const { allowed, remaining } = state.limiter.take(keyOf(res).key);
    res.setHeader('X-RateLimit-Remaining', String(remaining));
    if (!allowed) return void gatewayRefusal(res, 429);
    next();
  });
  router.use(express.json({ limit: '1mb' }));

  const allow = (permission: Permission): RequestHandler => (_req, res, next) => {
    if (!keyOf(res).permissions.includes(permission)) throw new MmsError(403, 'forbidden', `The API key lacks the permission ${permission}`, { permission });
    next();
  };
  const account = (req: Request, res: Response) => visibleAccount(store, keyOf(res).chainId, String(req.params.accountId));
  const webhook = (req: Request, res: Response): Webhook => {
    const id = String(req.params.id);
    if (!/^\d+$/.test(id)) throw MmsError.invalid('Validation failed', [{ name: 'id', message: 'must be a whole number', rejectedValue: id }]);
    return webhooks.get(keyOf(res).gymId, Number(id));
  };

  // --- accounts ---
  router.post('/accounts', allow('accounts:write'), (req, res) => {
    const key = keyOf(res);
    res.status(201).json(accountDto(store.create(key.chainId, key.gymId, parseAccount(req.body))));
  });
  router.get('/accounts', allow('accounts:read'), (req, res) => {
    const key = keyOf(res);
    const q = parseListQuery(req.query);
    const gymId = q.currentGymOnly ? key.gymId : null;
    const page = store.page({ chainId: key.chainId, gymId, from: q.fromTimestamp ?? null, to: q.toTimestamp ?? null, offset: q.offset, limit: q.limit });
    res.json({ offset: q.offset, limit: q.limit, items: page.items.map(accountDto), total: page.total, hasNext: page.hasNext, ...(page.nextAfterId === undefined ? {} : { nextAfterId: page.nextAfterId }) });
    // between this page and the next one, a churned list changes under the client's feet
    state.churn.afterPage(store.inChain(key.chainId).filter((a) => a.membership && (gymId === null || a.gymId === gymId)), page.hasNext);
  });
  router.get('/accounts/membership/:membershipId', allow('accounts:read'), (req, res) => {
    const membershipId = String(req.params.membershipId);
    const found = store.byMembershipId(keyOf(res).chainId, membershipId);
    if (!found) throw MmsError.notFound('MEMBERSHIP', membershipId);
    res.json(accountDto(found));
  });
  router.get('/accounts/email/:email', allow('accounts:read'), (req, res) => {
    const email = String(req.params.email);
    if (email.length < 5 || email.length > 320) throw MmsError.invalid('Validation failed', [{ name: 'email', message: 'size must be between 5 and 320', rejectedValue: email }]);
    const found = store.byEmail(keyOf(res).chainId, email);
    if (!found) throw MmsError.notFound('ACCOUNT', email);
    res.json(accountDto(visibleAccount(store, found.chainId, found.accountId)));
  });
  router.get('/accounts/:accountId', allow('accounts:read'), (req, res) => void res.json(accountDto(account(req, res))));
  router.put('/accounts/:accountId', allow('accounts:write'), (req, res) => {
    const target = account(req, res);
    const input = parseAccount(req.body);
    try {
      res.json(accountDto(store.replace(target, input)));
    } catch (err) {
      // The spec declares no 409 for PUT: the same clash comes as a 400 with the same errorCode and metadata.
      if (err instanceof MmsError && err.status === 409) throw new MmsError(400, err.errorCode, err.message, err.metadata);
      throw err;
    }
  });
  router.patch('/accounts/:accountId', allow('accounts:write'), (req, res) => {
    const target = account(req, res);
    store.patch(target, parseAccountPatch(req.body));
    res.status(204).end();
  });
  router.delete('/accounts/:accountId', allow('accounts:write'), (req, res) => {
    const target = account(req, res);
    store.erase(target, parseEraseQuery(req.query).eraseMemberData);
    res.status(204).end();
  });
  for (const [path, type] of [['checkins', 'CHECKIN'], ['checkouts', 'CHECKOUT']] as const) {
    router.post(`/accounts/:accountId/${path}`, allow('visits:write'), (req, res) => {
      const target = account(req, res);
      const { timestamp } = parsePresence(req.body);
      if (timestamp !== undefined && timestamp > state.now()) {
        throw MmsError.invalid('Validation failed', [{ name: 'timestamp', message: 'must be in the past', rejectedValue: timestamp }]);
      }
      state.visits.push({ accountId: target.accountId, gymId: keyOf(res).gymId, type, timestamp: timestamp ?? state.now(), source: 'api' });
      res.status(204).end();
    });
  }

  // --- webhooks (per location) ---
  const webhookDto = (h: Webhook) => ({ id: h.id, url: h.url, secret: h.secret });
  router.get('/webhooks', allow('webhooks'), (_req, res) => void res.json(webhooks.list(keyOf(res).gymId).map(webhookDto)));
  router.post('/webhooks', allow('webhooks'), (req, res) => {
    const { url, secret } = parseWebhook(req.body);
    res.json(webhookDto(webhooks.register(keyOf(res).gymId, url, secret)));
  });
  router.get('/webhooks/:id', allow('webhooks'), (req, res) => void res.json(webhookDto(webhook(req, res))));
  router.put('/webhooks/:id', allow('webhooks'), (req, res) => {
    const hook = webhook(req, res);
    const { url, secret } = parseWebhook(req.body);
    res.json(webhookDto(webhooks.update(hook, url, secret)));
  });
  router.delete('/webhooks/:id', allow('webhooks'), (req, res) => {
    webhooks.remove(webhook(req, res));
    res.status(204).end();
  });
  router.post('/webhooks/:id/trigger', allow('webhooks'), (req, res) => {
    const hook = webhook(req, res);
    webhooks.emit(hook.gymId, { accountId: null, timestamp: state.now(), type: 'TEST' }, hook);
    res.status(200).end();
  });

  // --- products: the cheapest authenticated read, a connection test ---
  router.get('/products', allow('products:read'), (_req, res) => void res.json(PRODUCTS));

  router.use((req) => {
    throw new MmsError(404, 'notFound', `No operation ${req.method} ${API}${req.path} in the sandbox`);
  });
  const errors: ErrorRequestHandler = (err, req, res, _next) => {
    const error =
      err instanceof MmsError ? err
      : (err as { type?: string }).type === 'entity.parse.failed' ? MmsError.invalid('The request body is not valid JSON')
      : new MmsError(500, 'internalError', 'An error has occurred');
    res.status(error.status).json(error.body(req.originalUrl.split('?')[0]!, String(res.locals.requestId), state.now()));
  };
  router.use(errors);
  return router;
}

/** A refusal by the gateway in front of the API: its own body, no `Retry-After`. */
function gatewayRefusal(res: Response, status: 429 | 503) {
  res.status(status).json({ message: status === 429 ? 'Too Many Requests' : 'Service Unavailable' });
}
