import { Router } from 'express';
import type { AppContext } from '../context.js';
import { migrationsCurrent } from '../db/migrate.js';

export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await ctx.db.raw('select 1');
      if (!(await migrationsCurrent(ctx.db))) {
        res.status(503).type('application/problem+json').json({
          type: 'about:blank', title: 'Service Unavailable', status: 503,
          detail: 'Database migrations are pending: run `clubcore migrate`',
        });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).type('application/problem+json').json({
        type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database does not answer',
      });
    }
  });
  return router;
}
