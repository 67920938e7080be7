/**
 * The control API under /_sandbox/: the in-process methods over HTTP, for the demo, benchmarks
 * and tests in other processes. Refusals are ErrorDTOs like the real API's.
 */
import express, { Router, type ErrorRequestHandler } from 'express';
import { sharedControlRoutes } from '../control.js';
import { MmsError } from './errors.js';
import type { EgymMmsSandbox } from './server.js';

type Control = Omit<EgymMmsSandbox, 'url' | 'close'>;

export function controlRouter(sandbox: Control, now: () => number): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  const id = (params: Record<string, string>) => String(params.accountId);

  router.get('/accounts', (_req, res) => void res.json(sandbox.accounts()));
  router.post('/accounts', (req, res) => {
    const { gymId, ...input } = req.body ?? {};
    res.status(201).json(sandbox.createAccount(input, { gymId }));
  });
  router.patch('/accounts/:accountId', (req, res) => void res.json(sandbox.updateAccount(id(req.params), req.body ?? {})));
  router.delete('/accounts/:accountId', (req, res) => {
    sandbox.deleteAccount(id(req.params), { eraseMemberData: req.query.eraseMemberData === 'true' });
    res.status(204).end();
  });
  router.post('/accounts/:accountId/checkins', (req, res) => {
    sandbox.checkIn(id(req.params), req.body ?? {});
    res.status(204).end();
  });
  router.post('/accounts/:accountId/checkouts', (req, res) => {
    sandbox.checkOut(id(req.params), req.body ?? {});
    res.status(204).end();
  });
  router.get('/visits', (_req, res) => void res.json(sandbox.visits()));

  router.get('/churn', (_req, res) => void res.json(sandbox.churnStats()));
  router.put('/churn', (req, res) => {
    sandbox.setChurn(req.body ?? {});
    res.json(sandbox.churnStats());
  });
  router.delete('/churn', (_req, res) => {
    sandbox.clearChurn();
    res.status(204).end();
  });

  sharedControlRoutes(router, sandbox);
  router.get('/webhooks', (_req, res) => void res.json(sandbox.webhooks()));
  router.post('/clock', (req, res) => void res.json({ now: sandbox.advanceClock(Number(req.body?.advanceMs ?? 0)) }));

  const errors: ErrorRequestHandler = (err, req, res, _next) => {
    const error =
      err instanceof MmsError ? err
      : (err as { type?: string }).type === 'entity.parse.failed' ? MmsError.invalid('The request body is not valid JSON')
      : new MmsError(500, 'internalError', (err as Error).message);
    res.status(error.status).json(error.body(req.originalUrl.split('?')[0]!, 'sandbox', now()));
  };
  router.use(errors);
  return router;
}
