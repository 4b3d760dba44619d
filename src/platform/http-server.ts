import type { Queue } from 'bullmq';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createHttpApp } from '../http/app.js';
import { consoleAppRouter } from '../http/console-app.route.js';
import { consoleAuthRoutes } from '../http/console-auth.routes.js';
import { createGraphQLEndpoint, type GraphQLEndpoint } from '../http/graphql-server.js';
import type { ReadinessProbe } from '../http/health.routes.js';
import type { Metrics } from '../http/metrics.js';
import { orderCsvExportRoute } from '../http/order-export.route.js';
import { warehouseDocumentsRouter } from '../http/warehouse-documents.route.js';
import { queueDashboardRoute } from '../http/queue-dashboard.route.js';
import type { WebhookAcceptor } from '../http/webhook-acceptor.js';
import { webhookLane, withWebhookLane } from '../http/webhook-lane.js';
import { buildGraphQLSchema } from '../schema/build-schema.js';
import type { GraphQLServices } from '../schema/context.js';
import type { Orm } from './database.js';
import type { PublicUrl } from './public-url.js';

export interface HttpServer {
  port: number;
  url: string;
  /** Stops accepting, finishes requests in flight (closing idle keep-alive sockets). */
  stop(): Promise<void>;
}

interface Options {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessProbe;
  /** Present for the api role; a worker-only process serves health and metrics alone. */
  graphql?: { orm: Orm; services: GraphQLServices };
  /** The webhook inbox (API roles), served by the webhook lane ahead of the app. */
  webhooks?: WebhookAcceptor;
  /** eBay's endpoint challenge (GET /webhooks/:channelId), with the webhook inbox on API roles. */
  webhookChallenge?: Parameters<typeof createHttpApp>[0]['webhookChallenge'];
  /** Told the bound port once the server listens (the default PUBLIC_URL carries it). */
  publicUrl?: PublicUrl;
  /** The queues the dashboard at /admin/queues shows (with graphql only: it authenticates with its keys). */
  dashboardQueues?: Queue[];
}

export async function startHttpServer(options: Options): Promise<HttpServer> {
  const { config, logger, metrics, readiness } = options;
  let graphql: GraphQLEndpoint | undefined = undefined;
  const app = createHttpApp({
    logger,
    metrics,
    readiness,
    bodyLimitBytes: config.http.bodyLimitBytes,
    graphql: options.graphql ? () => graphql?.middleware : undefined,
    orderCsvExport: options.graphql
      ? orderCsvExportRoute({ orm: options.graphql.orm, authenticator: options.graphql.services.authenticator, logger })
      : undefined,
    consoleAuth: options.graphql?.services.sessions
      ? consoleAuthRoutes({
          orm: options.graphql.orm,
          sessions: options.graphql.services.sessions,
          logger,
          secureCookies: config.isProduction,
          encryptionKey: options.graphql.services.channels.encryptionKey,
          sessionsEnded: (userId) => options.graphql!.services.authenticator.revoked(userId),
        })
      : undefined,
    console: options.graphql ? consoleAppRouter() : undefined,
    warehouseDocuments: options.graphql
      ? warehouseDocumentsRouter({
          orm: options.graphql.orm,
          authenticator: options.graphql.services.authenticator,
          logger,
        })
      : undefined,
    queueDashboard:
      options.graphql && options.dashboardQueues
        ? queueDashboardRoute({
            authenticator: options.graphql.services.authenticator,
            queues: options.dashboardQueues,
          })
        : undefined,
    webhookChallenge: options.webhookChallenge,
  });
  // The webhook inbox's body limit: at most 1 MiB (Shopify's largest payloads are far smaller).
  const lane = options.webhooks
    ? webhookLane(options.webhooks, {
        logger,
        metrics,
        bodyLimitBytes: Math.min(config.http.bodyLimitBytes, 1024 * 1024),
      })
    : undefined;
  const server: Server = createServer(withWebhookLane(lane, app));
  server.keepAliveTimeout = 65_000;
  if (options.graphql) {
    graphql = await createGraphQLEndpoint({
      schema: await buildGraphQLSchema({ pubSub: options.graphql.services.events }),
      httpServer: server,
      config,
      orm: options.graphql.orm,
      services: options.graphql.services,
      metrics,
      logger,
    });
  }
  await listen(server, config.http.host, config.http.port);
  const port = (server.address() as AddressInfo).port;
  options.publicUrl?.bind(port);
  const host = ['0.0.0.0', '127.0.0.1', '::'].includes(config.http.host) ? 'localhost' : config.http.host;
  const url = `http://${host}:${port}${options.graphql ? '/graphql' : ''}`;
  logger.info({ port, url }, 'listening');
  const endpoint = graphql;
  return {
    port,
    url,
    // Apollo's drain plugin closes the server and waits for requests in flight.
    stop: endpoint ? () => endpoint.stop() : () => closeServer(server),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use: stop the other process or set PORT to another port`)
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
