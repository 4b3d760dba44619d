import { Router } from 'express';

export interface ReadinessProbe {
  /** Each check's name and whether it passed. */
  check(): Promise<Record<string, boolean>>;
}

/**
 * `/livez`: the process runs. `/readyz`: it can serve (database, Redis, migrations, not
 * shutting down); load balancers stop sending work as soon as it turns 503.
 */
export function healthRoutes(readiness: ReadinessProbe): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await readiness.check();
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}
