import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import { loadOrCreateEmbeddedKey } from '../config/embedded-encryption-key.js';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import { createInitialAdminKeyIfNone } from '../domain/auth/api-key.service.js';
import { createHttpApp } from '../http/app.js';
import { createGraphQLEndpoint, type GraphQLEndpoint } from '../http/graphql-server.js';
import { Metrics } from '../http/metrics.js';
import { diagnosticsProcessor } from '../jobs/diagnostics.worker.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../jobs/queues.js';
import { startWorkers, type WorkerRunner } from '../jobs/worker-runner.js';
import { buildGraphQLSchema } from '../schema/build-schema.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { createOrm, pendingMigrations, pingDatabase, runPendingMigrations, type Orm } from './database.js';
import { startLocalRedis, type LocalRedis } from './local-redis.js';
import { redactUrl } from './redact-url.js';
import { createRedis, pingRedis, waitForRedis } from './redis.js';

export type HubRole = 'api' | 'worker' | 'all';

export interface Hub {
  /** The GraphQL URL when this process serves the API. */
  url: string | undefined;
  /** The port the API listens on, when this process serves it. */
  port: number | undefined;
  /** Graceful stop: readiness off, stop HTTP, finish jobs in hand, close connections. */
  stop(): Promise<void>;
}

/** Things to close on stop, in reverse order of opening. */
type Closer = { name: string; close: () => Promise<unknown> };

/**
 * The composition root: opens the database, Redis and queues, then serves the API and/or runs
 * workers. If any step fails, everything opened so far is closed again before the error
 * propagates, so a failed start leaves no process or connection behind.
 */
export async function startHub(config: Config, role: HubRole, logger: Logger): Promise<Hub> {
  const closers: Closer[] = [];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) {
      await c.close().catch((err: Error) => logger.warn({ err: err.message, resource: c.name }, 'error while closing'));
    }
  };
  let shuttingDown = false;
  let stopHttp: (() => Promise<void>) | undefined;

  try {
    if (config.database.kind === 'pglite' && role !== 'all') {
      throw new Error(
        `The embedded database serves a single process, so "${role}" alone cannot use it. ` +
          'Run "switchyard all", or set DATABASE_URL to a PostgreSQL server to run api and worker apart.',
      );
    }
    // Not used yet by any table, but created now so stored credentials are never keyed by chance.
    if (!config.encryptionKey) await loadOrCreateEmbeddedKey(config.dataDir);

    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const local: LocalRedis = await startLocalRedis(config.dataDir, logger);
      closers.push({ name: 'local redis-server', close: () => local.stop() });
      redisUrl = local.url;
    }

    const orm: Orm = await createOrm(config.database);
    closers.push({ name: 'database', close: () => orm.close(true) });
    if (config.autoMigrate) {
      const applied = await runPendingMigrations(orm);
      if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    }
    let migrationsCurrent = (await pendingMigrations(orm)).length === 0;
    if (!migrationsCurrent) logger.warn('database migrations are pending: run "switchyard migrate"; /readyz stays 503 until then');

    const producer = createRedis(redisUrl, 'producer');
    closers.push({ name: 'redis producer', close: () => quit(producer) });
    await waitForRedis(producer, redisUrl, 15_000);
    logger.info({ redis: redactUrl(redisUrl) }, 'connected to redis');
    const queues: QueueRegistry = createQueueRegistry(producer, config.queuePrefix);
    closers.push({ name: 'queues', close: () => closeQueueRegistry(queues) });

    const readiness = {
      async check() {
        if (!migrationsCurrent) migrationsCurrent = (await pendingMigrations(orm).catch(() => ['?'])).length === 0;
        const [database, redis] = await Promise.all([pingDatabase(orm), pingRedis(producer)]);
        return { database, redis, migrations: migrationsCurrent, accepting: !shuttingDown };
      },
    };

    let url: string | undefined;
    let port: number | undefined;
    if (role === 'api' || role === 'all') {
      const publisher = producer;
      const authenticator = new ApiKeyAuthenticator(orm, { adminKey: config.adminKey, ttlMs: config.authCacheTtlMs }, publisher);
      const subscriber = createRedis(redisUrl, 'subscriber', 'switchyard-auth-subscriber');
      closers.push({ name: 'redis subscriber', close: () => quit(subscriber) });
      await authenticator.listen(subscriber);

      await printInitialAdminKey(config, orm, logger);

      const metrics = new Metrics(Object.values(queues));
      // Assigned once the GraphQL server has started; the app answers 503 on /graphql until then.
      let graphql: GraphQLEndpoint | undefined = undefined;
      const app = createHttpApp({
        logger,
        metrics,
        readiness,
        bodyLimitBytes: config.http.bodyLimitBytes,
        graphql: () => graphql?.middleware,
      });
      const server: Server = createServer(app);
      server.keepAliveTimeout = 65_000;
      const endpoint = await createGraphQLEndpoint({
        schema: await buildGraphQLSchema(),
        httpServer: server,
        config,
        orm,
        services: {
          authenticator,
          pingDispatcher: { dispatch: async (pingId) => void (await queues.diagnostics.add('ping', { pingId }, { jobId: pingId })) },
        },
        metrics,
        logger,
      });
      graphql = endpoint;
      await listen(server, config.http.host, config.http.port);
      port = (server.address() as AddressInfo).port;
      url = `http://${config.http.host === '0.0.0.0' || config.http.host === '127.0.0.1' ? 'localhost' : config.http.host}:${port}/graphql`;
      logger.info({ port, url }, 'listening');
      // Apollo's drain plugin closes the server and waits for requests in flight.
      stopHttp = () => endpoint.stop();
    }

    let workers: WorkerRunner | undefined;
    if (role === 'worker' || role === 'all') {
      const workerConnection: Redis = createRedis(redisUrl, 'worker');
      closers.push({ name: 'redis worker', close: () => quit(workerConnection) });
      workers = startWorkers(
        { diagnostics: { process: diagnosticsProcessor(orm, logger), concurrency: 5 } },
        workerConnection,
        config.queuePrefix,
        logger,
      );
      closers.push({ name: 'workers', close: () => workers!.close(config.shutdownTimeoutMs) });
      logger.info({ queues: workers.workers.map((w) => w.name) }, 'workers started');
    }

    return {
      url,
      port,
      async stop() {
        if (shuttingDown) return;
        shuttingDown = true;
        logger.info('shutting down: readiness is now false');
        // The front door first (no new requests, finish those in flight), then the jobs in hand.
        await stopHttp?.().catch((err: Error) => logger.warn({ err: err.message }, 'error while stopping http'));
        await closeAll();
        logger.info('stopped');
      },
    };
  } catch (error) {
    await stopHttp?.().catch(() => undefined);
    await closeAll();
    throw error;
  }
}


async function printInitialAdminKey(config: Config, orm: Orm, logger: Logger): Promise<void> {
  if (config.database.kind !== 'pglite') return;
  const token = await createInitialAdminKeyIfNone({
    actor: SYSTEM_PRINCIPAL,
    requestId: 'first-start',
    em: orm.em.fork(),
    logger,
  });
  if (!token) return;
  process.stdout.write(
    [
      '',
      '  ┌──────────────────────────────────────────────────────────────────────────┐',
      '  │ First start: an admin API key was created. It is shown only this once.    │',
      '  └──────────────────────────────────────────────────────────────────────────┘',
      `  SWITCHYARD ADMIN KEY: ${token}`,
      '  Send it as "Authorization: Bearer <key>". Lost it? Run: npx switchyard create-api-key --role admin',
      '',
    ].join('\n') + '\n',
  );
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

/** QUIT politely, but never wait more than 2 s for a Redis that is gone. */
async function quit(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2_000)))]);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
