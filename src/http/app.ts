import express, { type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody, errorHandler, notFoundHandler } from './errors.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';
import type { Metrics } from './metrics.js';
import { requestLog } from './request-log.js';

interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessProbe;
  bodyLimitBytes: number;
  /** Mounted at /graphql (answering 503 until the GraphQL server has started); absent on workers. */
  graphql?: () => RequestHandler | undefined;
  /** GET /exports/orders.csv, on API roles only (it authenticates like /graphql). */
  orderCsvExport?: RequestHandler;
  /** The queue dashboard at /admin/queues (admin keys only), on API roles. */
  queueDashboard?: RequestHandler;
  /** Console sign-in, session and sign-out under /auth, on API roles. */
  consoleAuth?: RequestHandler;
  /** The operator console (a built single-page app) at /console, with / redirecting there; on API roles. */
  console?: RequestHandler;
  /** Pick lists and packing slips under /warehouse (HTML; they authenticate like /graphql), on API roles. */
  warehouseDocuments?: RequestHandler;
  /** GET /webhooks/:channelId?challenge_code=…, eBay's endpoint check, on API roles (POSTs take the webhook lane). */
  webhookChallenge?: RequestHandler;
}

export function createHttpApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // GraphQL POST answers are never revalidated; hashing every body for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(requestLog(deps.logger));
  app.use(deps.metrics.httpMiddleware());
  app.use(healthRoutes(deps.readiness));
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  const graphql = deps.graphql;
  if (graphql) {
    // A person opening /graphql in a browser gets the bundled GraphiQL, behind the console's sign-in.
    app.get('/graphql', (req, res, next) => {
      if (opensInBrowser(req)) res.redirect(302, '/console/graphiql');
      else next();
    });
    app.use('/graphql', express.json({ limit: deps.bodyLimitBytes, strict: true }), (req, res, next) => {
      const handler = graphql();
      if (!handler) {
        res.status(503).json(errorBody('GraphQL is starting, try again shortly', 'UNAVAILABLE'));
        return;
      }
      handler(req, res, next);
    });
  }
  if (deps.consoleAuth) app.use('/auth', deps.consoleAuth);
  if (deps.orderCsvExport) app.get('/exports/orders.csv', deps.orderCsvExport);
  if (deps.queueDashboard) app.use('/admin/queues', deps.queueDashboard);
  if (deps.warehouseDocuments) app.use('/warehouse', deps.warehouseDocuments);
  if (deps.console) {
    app.use('/console', deps.console);
    app.get('/', (_req, res) => res.redirect(302, '/console/'));
  }
  if (deps.webhookChallenge) app.get('/webhooks/:channelId', deps.webhookChallenge);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/** A browser navigating to the URL (it asks for HTML), not a GraphQL GET request (it has a query). */
function opensInBrowser(req: Request): boolean {
  return req.query.query === undefined && (req.get('accept') ?? '').includes('text/html');
}
