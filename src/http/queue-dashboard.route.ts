import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Response, type Router } from 'express';
import type { Principal } from '../domain/auth/principal.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import type { ApiKeyAuthenticator } from '../platform/api-key-authenticator.js';
import { errorBody } from './errors.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

function refuse(res: Response, status: 401 | 403, error: DomainError): void {
  res.status(status).json(errorBody(error.message, error.code, error.details));
}

/**
 * The queue dashboard (bull-board) at /admin/queues, for admin keys only: every request,
 * assets included, needs `Authorization: Bearer <admin key>` (401 without a valid key, 403 for
 * any other role). It can retry, promote and remove jobs, so it is never open, in production or
 * not; a browser reaches it through a proxy that adds the header.
 */
export function queueDashboardRoute(deps: { authenticator: ApiKeyAuthenticator; queues: Queue[] }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const router = express.Router();
  router.use(async (req, res, next) => {
    let principal: Principal | null;
    try {
      principal = await deps.authenticator.authenticate(req.headers.authorization);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.UNAUTHENTICATED) return refuse(res, 401, error);
      return next(error);
    }
    if (!principal)
      return refuse(
        res,
        401,
        new DomainError(ErrorCode.UNAUTHENTICATED, 'An admin API key is required: send "Authorization: Bearer <key>"'),
      );
    if (principal.role !== 'admin')
      return refuse(
        res,
        403,
        new DomainError(
          ErrorCode.FORBIDDEN,
          `Role ${principal.role.toUpperCase()} may not open the queue dashboard; allowed: ADMIN`,
          {
            role: principal.role.toUpperCase(),
            allowed: ['ADMIN'],
          },
        ),
      );
    next();
  });
  router.use(serverAdapter.getRouter() as express.Router);
  return router;
}
