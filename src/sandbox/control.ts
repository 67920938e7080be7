import type { Request, Response, Router } from 'express';

/** What every stand-in's control API offers alike (method parameters are each sandbox's own shapes). */
export interface ControlledSandbox {
  setFaults(spec: unknown): void;
  clearFaults(): void;
  faults?(): unknown;
  requests(): unknown;
  clearRequests(): void;
  deliveries(): unknown;
  settings(): unknown;
  configure(settings: unknown): unknown;
  reset(): void;
}

/**
 * The control routes the sandboxes share, the same on each: faults, the request log, the webhook
 * deliveries, settings and reset. Each sandbox adds its own (accounts, bookings, churn, ...).
 */
export function sharedControlRoutes(router: Router, sandbox: ControlledSandbox): void {
  const noContent = (act: (req: Request) => void) => (req: Request, res: Response) => {
    act(req);
    res.status(204).end();
  };
  const { faults } = sandbox;
  if (faults) router.get('/faults', (_req, res) => void res.json(faults.call(sandbox)));
  router.put('/faults', noContent((req) => sandbox.setFaults(req.body)));
  router.delete('/faults', noContent(() => sandbox.clearFaults()));
  router.get('/requests', (_req, res) => void res.json(sandbox.requests()));
  router.delete('/requests', noContent(() => sandbox.clearRequests()));
  router.get('/deliveries', (_req, res) => void res.json(sandbox.deliveries()));
  router.get('/settings', (_req, res) => void res.json(sandbox.settings()));
  router.put('/settings', (req, res) => void res.json(sandbox.configure(req.body ?? {})));
  router.post('/reset', noContent(() => sandbox.reset()));
}
