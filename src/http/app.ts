import express, { type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { errorBody, errorHandler, notFoundHandler } from './errors.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';
import type { Metrics } from './metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's X-Request-Id when it is sane, so one id follows a request across services. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessProbe;
  bodyLimitBytes: number;
  /** Mounted at /graphql (answering 503 until the GraphQL server has started); absent on workers. */
  graphql?: () => RequestHandler | undefined;
}

export function createHttpApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const id = requestIdOf(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => ['/livez', '/readyz', '/metrics'].includes(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Never log credentials.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    }),
  );
  app.use(deps.metrics.httpMiddleware());
  app.use(healthRoutes(deps.readiness));
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  const graphql = deps.graphql;
  if (graphql) {
    app.use('/graphql', express.json({ limit: deps.bodyLimitBytes, strict: true }), (req, res, next) => {
      const handler = graphql();
      if (!handler) {
        res.status(503).json(errorBody('GraphQL is starting, try again shortly', 'UNAVAILABLE'));
        return;
      }
      handler(req, res, next);
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
