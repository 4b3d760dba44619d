import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { loadOrCreateEmbeddedKey } from '../config/embedded-encryption-key.js';
import { manualPaymentProvider } from '../domain/payments/payment-provider.js';
import { Metrics } from '../http/metrics.js';
import { platformConnectorSource } from '../jobs/channel-connectors.js';
import { channelJobDispatcher } from '../jobs/channel-job-dispatcher.js';
import { enqueueWebhookDelivery } from '../jobs/webhook-queue.js';
import { AmazonNotificationPollers } from './amazon-notifications.js';
import { customerNotifications } from './notifications.js';
import { cardPayments, paymentGatewayFor } from './payments.js';
import { providerWebhooks } from './provider-webhooks.js';
import { shippingCarrier, shippingWorkers } from './shipping.js';
import { cancellationPushProcessor, fulfilmentPushProcessor } from '../jobs/channel-push.worker.js';
import { ChannelSchedules } from '../jobs/channel-schedules.js';
import { queuedChannelSync } from '../jobs/channel-sync-requests.js';
import { channelSyncProcessor } from '../jobs/channel-sync.worker.js';
import { diagnosticsProcessor } from '../jobs/diagnostics.worker.js';
import { bullJobInspector } from '../jobs/job-inspector.js';
import { PLATFORM_QUEUE_LIMITER } from '../jobs/platform-error-policy.js';
import { stockPushProcessor } from '../jobs/stock-push.worker.js';
import { OutboxRelay, redisOutboxPublisher } from '../jobs/outbox-relay.js';
import { outboxLagSeconds } from '../jobs/outbox-store.js';
import { closeQueueRegistry, createQueueRegistry } from '../jobs/queues.js';
import { startWorkers } from '../jobs/worker-runner.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { createOrm, pendingMigrations, pingDatabase, runPendingMigrations } from './database.js';
import { createRedisEventFeed } from './event-feed.js';
import { startHttpServer, type HttpServer } from './http-server.js';
import { PublicUrl } from './public-url.js';
import { redisChannelQuotas } from './channel-quotas.js';
import { ebayChallengeRoute } from '../http/ebay-challenge.route.js';
import { printInitialAdminKey } from './initial-admin-key.js';
import { startLocalRedis } from './local-redis.js';
import {
  startWebhookMaintenance,
  webhookDispatcher,
  webhookInbox,
  webhookLeaseSeconds,
  webhookProcessors,
} from './webhook-inbox.js';
import { redactUrl } from './redact-url.js';
import { ConsoleSessions } from './console-sessions.js';
import { startSandboxMarketplaces } from './sandbox/sandbox-marketplaces.js';
import { startSandboxProviders } from './sandbox/sandbox-providers.js';
import { startSandboxShopify } from './sandbox/sandbox-shopify.js';
import { startSandboxStorefront } from './sandbox/sandbox-storefront.js';
import { createRedis, pingRedis, waitForRedis } from './redis.js';

export type HubRole = 'api' | 'worker' | 'all';

export interface Hub {
  /** The GraphQL URL when this process serves the API; the health URL on a worker. */
  url: string;
  port: number;
  /** False while migrations are pending (production applies them with `switchyard migrate`). */
  migrationsCurrent: boolean;
  /** Graceful stop: readiness off, stop HTTP, finish jobs in hand, close connections. */
  stop(): Promise<void>;
}

/** Things to close on stop, in reverse order of opening. */
type Closer = { name: string; close: () => Promise<unknown> };

/**
 * The composition root: opens the database, Redis and queues, then serves the API and/or runs
 * workers (every role serves /livez, /readyz and /metrics). If any step fails, everything
 * opened so far is closed again before the error propagates, so a failed start leaves no
 * process or connection behind.
 */
export async function startHub(configured: Config, role: HubRole, logger: Logger): Promise<Hub> {
  /** The configuration, with the sandbox's simulated Stripe and EasyPost filled in where it runs them. */
  let config = configured;
  const closers: Closer[] = [];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) {
      const started = Date.now();
      await c.close().catch((err: Error) => logger.warn({ err: err.message, resource: c.name }, 'error while closing'));
      // A slow closer is what makes a shutdown miss its deadline: say which one it was.
      const ms = Date.now() - started;
      if (ms >= 1_000) logger.warn({ resource: c.name, ms }, 'slow to close');
    }
  };
  /** Told at the start of shutdown, so long jobs stop at their next step (see WorkerRunner). */
  let beginShutdown = () => {};
  let shuttingDown = false;
  let http: HttpServer | undefined;

  try {
    if (config.database.kind === 'pglite' && role !== 'all') {
      throw new Error(
        `The embedded database serves a single process, so "${role}" alone cannot use it. ` +
          'Run "switchyard all", or set DATABASE_URL to a PostgreSQL server to run api and worker apart.',
      );
    }
    // Created on first start so stored credentials are never encrypted under a throwaway key.
    const encryptionKey = config.encryptionKey ?? (await loadOrCreateEmbeddedKey(config.dataDir));

    // The database first: with PGlite this takes the single-process lock, so a second hub on
    // the same DATA_DIR stops here, before it could touch the first one's local Redis.
    const orm = await createOrm(config.database);
    closers.push({ name: 'database', close: () => orm.close(true) });

    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const local = await startLocalRedis(config.dataDir, logger);
      closers.push({ name: 'local redis-server', close: () => local.stop() });
      redisUrl = local.url;
    }

    if (config.autoMigrate) {
      const applied = await runPendingMigrations(orm);
      if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    }
    let migrationsCurrent = (await pendingMigrations(orm)).length === 0;
    if (!migrationsCurrent)
      logger.warn('database migrations are pending: run "switchyard migrate"; /readyz stays 503 until then');

    const producer = createRedis(redisUrl, 'producer');
    closers.push({ name: 'redis producer', close: () => quit(producer) });
    await waitForRedis(producer, redisUrl, config.redisConnectTimeoutMs);
    logger.info({ redis: redactUrl(redisUrl) }, 'connected to redis');
    const queues = createQueueRegistry(producer, config.queuePrefix);
    for (const queue of Object.values(queues)) {
      queue.on('error', (err: Error) => logger.warn({ queue: queue.name, err: err.message }, 'queue connection error'));
    }
    closers.push({ name: 'queues', close: () => closeQueueRegistry(queues) });

    const readiness = {
      async check() {
        if (!migrationsCurrent) migrationsCurrent = (await pendingMigrations(orm).catch(() => ['?'])).length === 0;
        const [database, redis] = await Promise.all([pingDatabase(orm), pingRedis(producer)]);
        return { database, redis, migrations: migrationsCurrent, accepting: !shuttingDown };
      },
    };
    // The development sandbox (`all` only: it needs this process's webhook routes and workers)
    // runs Stripe and EasyPost simulators for whichever of the two has no real account configured.
    const sandboxOn = config.sandbox.shopify && role === 'all' && !config.isProduction;
    const sandboxProviders = sandboxOn ? await startSandboxProviders(config, logger) : null;
    if (sandboxProviders) {
      closers.push({ name: 'sandbox simulators', close: () => sandboxProviders.stop() });
      config = sandboxProviders.config;
    }
    // Card payments (Stripe) when STRIPE_SECRET_KEY is set; else every order is paid `manual`ly.
    const paymentGateway = paymentGatewayFor(config);
    const metrics = new Metrics(Object.values(queues));
    metrics.trackOutboxLag(() => outboxLagSeconds(orm.em.fork()));

    const publicUrl = new PublicUrl(config.http.publicUrl, config.http.host, config.http.port);
    let graphql: Parameters<typeof startHttpServer>[0]['graphql'];
    if (role === 'api' || role === 'all') {
      const sessions = new ConsoleSessions(orm, { redis: producer, prefix: config.queuePrefix });
      const authenticator = new ApiKeyAuthenticator(
        orm,
        { adminKey: config.adminKey, ttlMs: config.authCacheTtlMs, channelPrefix: config.queuePrefix, sessions },
        producer,
      );
      const subscriber = createRedis(redisUrl, 'subscriber', 'switchyard-auth-subscriber');
      closers.push({ name: 'redis subscriber', close: () => quit(subscriber) });
      await authenticator.listen(subscriber);
      if (config.database.kind === 'pglite') await printInitialAdminKey(orm, logger);
      // Subscriptions read the events the outbox relay publishes, whichever process committed them.
      const eventSubscriber = createRedis(redisUrl, 'subscriber', 'switchyard-events-subscriber');
      closers.push({ name: 'redis event subscriber', close: () => quit(eventSubscriber) });
      const events = createRedisEventFeed(producer, eventSubscriber, config.queuePrefix, logger);
      graphql = {
        orm,
        services: {
          authenticator,
          sessions,
          pingDispatcher: {
            dispatch: async (pingId) => void (await queues.diagnostics.add('ping', { pingId }, { jobId: pingId })),
          },
          orders: {
            payments: manualPaymentProvider,
            policy: config.orders,
            cardPayments: paymentGateway ? { provider: paymentGateway.id } : null,
          },
          paymentGateway,
          events,
          channels: { encryptionKey, httpsOnlyEndpoints: config.isProduction },
          channelSync: queuedChannelSync(queues),
          webhooks: { dispatcher: webhookDispatcher(queues), leaseSeconds: webhookLeaseSeconds(config) },
          jobs: bullJobInspector(queues),
          shipping: { carrierId: config.shipping.easypost ? 'easypost' : null },
          publicUrl,
          channelQuotas: redisChannelQuotas(producer, config.queuePrefix, encryptionKey),
        },
      };
    }
    const providers = providerWebhooks(config, { paymentGateway });
    const inbox =
      role === 'worker'
        ? undefined
        : webhookInbox({ orm, queues, config, logger, encryptionKey, providers, redis: producer });
    if (inbox) closers.push({ name: 'webhook enqueue batches', close: () => inbox.close() });
    const webhooks = inbox?.acceptor;
    http = await startHttpServer({
      config,
      logger,
      metrics,
      readiness,
      graphql,
      webhooks,
      webhookChallenge: inbox
        ? ebayChallengeRoute({ em: () => orm.em, encryptionKey, webhookUrl: (id) => publicUrl.webhookUrl(id), logger })
        : undefined,
      publicUrl,
      dashboardQueues: Object.values(queues),
    });

    if (role === 'worker' || role === 'all') {
      const workerConnection: Redis = createRedis(redisUrl, 'worker');
      closers.push({ name: 'redis worker', close: () => quit(workerConnection) });
      const connectors = platformConnectorSource(encryptionKey, { redis: producer, prefix: config.queuePrefix });
      const channelDeps = { orm, connectors, redis: producer, prefix: config.queuePrefix };
      const notifications = config.notifications.enabled
        ? customerNotifications({
            orm,
            queues,
            config: config.notifications,
            singleSession: config.database.kind === 'pglite',
            logger,
          })
        : undefined;
      if (notifications) closers.push({ name: 'notification mailer', close: async () => notifications.close() });
      const carrier = shippingCarrier(config);
      const shipping = carrier ? shippingWorkers({ orm, queues, carrier, logger }) : undefined;
      const payments = paymentGateway
        ? cardPayments({
            orm,
            queues,
            gateway: paymentGateway,
            config: config.payments,
            jobLockMs: config.jobLockMs,
            logger,
          })
        : undefined;
      const workers = startWorkers(
        {
          diagnostics: { process: diagnosticsProcessor(orm, logger), concurrency: 5 },
          ...notifications?.processors,
          ...shipping?.processors,
          ...payments?.processors,
          ...webhookProcessors(orm, config, logger, providers, connectors),
          'channel-sync': {
            process: channelSyncProcessor({
              ...channelDeps,
              ingest: { policy: config.orders },
              queues,
              logger,
              pageSize: config.channelJobs.pullPageSize,
              leaseMs: config.jobLockMs,
            }),
            concurrency: 2,
            limiter: PLATFORM_QUEUE_LIMITER,
            // A pull resumes from its cursor in PostgreSQL, so a rerun costs little: a long backfill
            // whose workers keep dying is carried on, not failed after two stalls.
            maxStalledCount: 20,
          },
          'stock-push': {
            process: stockPushProcessor({ ...channelDeps, leaseMs: config.jobLockMs }),
            concurrency: 2,
            limiter: PLATFORM_QUEUE_LIMITER,
          },
          'fulfilment-push': {
            process: fulfilmentPushProcessor(channelDeps),
            concurrency: 2,
            limiter: PLATFORM_QUEUE_LIMITER,
          },
          'cancellation-push': {
            process: cancellationPushProcessor(channelDeps),
            concurrency: 2,
            limiter: PLATFORM_QUEUE_LIMITER,
          },
        },
        workerConnection,
        config.queuePrefix,
        logger,
        config.jobLockMs,
      );
      closers.push({ name: 'workers', close: () => workers.close(config.shutdownTimeoutMs) });
      beginShutdown = () => workers.beginShutdown();
      logger.info({ queues: workers.workers.map((w) => w.name) }, 'workers started');
      // Re-enqueues deliveries stored while Redis was away; schedules the pruning of old ones.
      const webhookMaintenance = await startWebhookMaintenance(orm, queues, config, logger);
      closers.push({ name: 'webhook sweeper', close: () => webhookMaintenance.stop() });
      // Amazon ORDER_CHANGE: one SQS poller per notification queue the Amazon channels name.
      const amazonNotifications = new AmazonNotificationPollers({
        orm,
        encryptionKey,
        settings: config.amazonSqs,
        enqueue: (id) => enqueueWebhookDelivery(queues.webhooks, id),
        logger,
      });
      await amazonNotifications.start();
      closers.push({ name: 'amazon notification pollers', close: () => amazonNotifications.stop() });
      // Committed outbox rows to Redis pub/sub; one relay publishes at a time across processes.
      // Per channel: a periodic pull and a reconciliation pass, kept in step with the channels.
      const schedules = new ChannelSchedules(orm, queues['channel-sync'], config.channelJobs, logger);
      await schedules
        .syncAll()
        .catch((err: Error) => logger.warn({ err: err.message }, 'could not set up channel sync schedules'));
      // Redis may come back without its last second (AOF everysec) or empty: put the schedulers
      // back at every reconnect, so a channel's periodic pull (its cursor is in PostgreSQL) always
      // re-creates a pull lost with Redis.
      let redisLost = false;
      workerConnection.on('close', () => (redisLost = true));
      workerConnection.on('ready', () => {
        if (!redisLost) return;
        redisLost = false;
        void schedules
          .syncAll()
          .catch((err: Error) => logger.warn({ err: err.message }, 'could not restore channel sync schedules'));
        void payments
          ?.schedule()
          .then(() => payments.sweep(0))
          .catch((err: Error) => logger.warn({ err: err.message }, 'could not restore the payment scan'));
      });
      const relay = new OutboxRelay(orm, redisOutboxPublisher(producer, config.queuePrefix), {
        logger,
        onPublished: (n) => metrics.outboxPublished.inc(n),
        // Outbound channel effects from the same committed events (stock, fulfilments, cancellations).
        consumers: [
          channelJobDispatcher({
            orm,
            queues,
            stockPushIntervalMs: config.channelJobs.stockPushIntervalMs,
            onChannelChanged: (ids, em) => schedules.sync(ids, em),
            singleSession: config.database.kind === 'pglite',
            logger,
          }),
          ...(notifications ? [notifications.consumer] : []),
          ...(shipping ? [shipping.consumer] : []),
          ...(payments ? [payments.consumer] : []),
        ],
      });
      // Steps left pending by a process that stopped (or whose jobs Redis lost) are picked up now.
      await payments
        ?.schedule()
        .then(() => payments.sweep(0))
        .catch((err: Error) => logger.warn({ err: err.message }, 'could not schedule the payment scan'));
      await notifications
        ?.schedule()
        .catch((err: Error) => logger.warn({ err: err.message }, 'could not schedule the delayed-order scan'));
      await shipping
        ?.schedule()
        .catch((err: Error) => logger.warn({ err: err.message }, 'could not schedule the label sweeper'));
      relay.start();
      closers.push({ name: 'outbox relay', close: () => relay.stop() });
    }

    if (sandboxProviders) {
      const hubBaseUrl = `http://${loopbackHost(config.http.host)}:${http.port}`;
      sandboxProviders.connect(hubBaseUrl);
      const sandbox = await startSandboxShopify({
        orm,
        logger,
        encryptionKey,
        hubBaseUrl,
        orderEveryMs: config.sandbox.orderEveryMs,
        shipAfterMs: config.sandbox.shipAfterMs,
      });
      closers.push({ name: 'sandbox', close: () => sandbox.stop() });
      const marketplaces = await startSandboxMarketplaces({
        orm,
        logger,
        encryptionKey,
        sync: queuedChannelSync(queues),
        orderEveryMs: config.sandbox.orderEveryMs * 2,
        shipAfterMs: config.sandbox.shipAfterMs,
      });
      closers.push({ name: 'sandbox marketplaces', close: () => marketplaces.stop() });
      const storefront = await startSandboxStorefront({
        orm,
        logger,
        orders: {
          payments: manualPaymentProvider,
          policy: config.orders,
          cardPayments: paymentGateway ? { provider: paymentGateway.id } : null,
        },
        shipping: { carrierId: config.shipping.easypost ? 'easypost' : null },
        easypost: sandboxProviders.easypost,
        orderEveryMs: config.sandbox.orderEveryMs,
        shipAfterMs: config.sandbox.shipAfterMs,
      });
      closers.push({ name: 'sandbox storefront', close: () => storefront.stop() });
    } else if (config.sandbox.shopify && role !== 'all') {
      logger.info(`the Shopify sandbox runs with "switchyard all" only; not started in "${role}"`);
    }

    const server = http;
    return {
      url: server.url,
      port: server.port,
      migrationsCurrent,
      async stop() {
        if (shuttingDown) return;
        shuttingDown = true;
        beginShutdown();
        logger.info('shutting down: readiness is now false');
        // Give load balancers time to see /readyz fail before the listener goes away.
        if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
        // The front door first (no new requests, finish those in flight), then the jobs in hand.
        await server.stop().catch((err: Error) => logger.warn({ err: err.message }, 'error while stopping http'));
        await closeAll();
        logger.info('stopped');
      },
    };
  } catch (error) {
    await http?.stop().catch(() => undefined);
    await closeAll();
    throw error;
  }
}

/** Where this process reaches its own listener: a wildcard bind is reached on loopback. */
function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
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
