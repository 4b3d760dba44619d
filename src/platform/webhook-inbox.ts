import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { webhookAdapterFor } from '../connectors/connector-registry.js';
import { EBAY_ACCOUNT_DELETION } from '../connectors/ebay/ebay-notification.js';
import { ebayWebhookAdapter } from '../connectors/ebay/ebay-webhook.js';
import type { ProviderWebhook } from '../connectors/provider-webhook.js';
import { SHOPIFY_WEBHOOK_TOPICS } from '../connectors/shopify/shopify-webhook.js';
import { webhookSecretOf } from '../domain/channels/channel-credentials.js';
import { openCredentials } from '../domain/channels/channel-secrets.js';
import { WebhookSecretCache } from '../domain/channels/webhook-secret-cache.js';
import { pruneWebhookDeliveries } from '../domain/webhooks/delivery-maintenance.js';
import type { WebhookDispatcher } from '../domain/webhooks/replay-delivery.js';
import { webhookAcceptor, type WebhookAcceptor } from '../http/webhook-acceptor.js';
import type { ConnectorSource } from '../jobs/channel-connectors.js';
import { ebayAppKey, RedisEbayQuota } from '../jobs/ebay-daily-quota.js';
import type { QueueRegistry } from '../jobs/queues.js';
import { WebhookEnqueueBatcher } from '../jobs/webhook-enqueue-batcher.js';
import { enqueueWebhookDelivery } from '../jobs/webhook-queue.js';
import { WebhookSweeper } from '../jobs/webhook-sweeper.js';
import { webhookProcessor } from '../jobs/webhook.worker.js';
import type { ProcessorMap } from '../jobs/worker-runner.js';
import type { Orm } from './database.js';
import { EbayNotificationKeys } from './ebay-notification-keys.js';

/**
 * The webhook inbox's wiring, kept out of hub.ts: the route (API roles), the processors, the
 * sweeper and the pruning schedule (worker roles).
 */

/** A claim outlives the job lock (which BullMQ renews) by a margin, so only a dead worker's lapses. */
export const webhookLeaseSeconds = (config: Config) => Math.max(60, Math.ceil((2 * config.jobLockMs) / 1000));

/** Order deliveries of one channel a job ingests together. */
const BATCH_SIZE = 50;
const PRUNE_EVERY_MS = 3_600_000;

export function webhookDispatcher(queues: QueueRegistry): WebhookDispatcher {
  return { dispatch: (id) => enqueueWebhookDelivery(queues.webhooks, id, true) };
}

/**
 * The inbox's acceptor (served by the HTTP server's webhook lane) with what it holds between
 * requests: the opened webhook secrets (per channel and ciphertext) and the enqueue batches.
 * `close` sends the batches still waiting; call it after the HTTP server stopped and before the
 * queues close.
 */
export function webhookInbox(deps: {
  orm: Orm;
  queues: QueueRegistry;
  config: Config;
  logger: Logger;
  encryptionKey: Buffer;
  providers: readonly ProviderWebhook[];
  /** Where eBay's daily quotas are counted (the key fetches spend Notification's). */
  redis?: Redis;
}): { acceptor: WebhookAcceptor; close: () => Promise<void> } {
  const secrets = new WebhookSecretCache((channelId, ciphertext) =>
    webhookSecretOf(openCredentials(deps.encryptionKey, channelId, ciphertext)),
  );
  const batcher = new WebhookEnqueueBatcher(deps.queues.webhooks);
  const redis = deps.redis;
  const ebayKeys = new EbayNotificationKeys({
    em: () => deps.orm.em,
    encryptionKey: deps.encryptionKey,
    quota: redis
      ? ({ endpoint, clientId }) => new RedisEbayQuota(redis, deps.config.queuePrefix, ebayAppKey(endpoint, clientId))
      : undefined,
  });
  const ebay = ebayWebhookAdapter(ebayKeys.keysFor);
  const acceptor = webhookAcceptor({
    // No fork: the route runs standalone statements only (see WebhookRouteDeps.em).
    em: () => deps.orm.em,
    // The row (read with the channel on every delivery) carries the ciphertext: no second round trip.
    secretFor: async (channel) => secrets.secretOf(channel.id, channel.credentialsCiphertext),
    adapterFor: (kind) => webhookAdapterFor(kind, ebay),
    // A disabled or disconnected store must still be able to send the GDPR requests.
    topicsWhileOff: new Set<string>([
      ...SHOPIFY_WEBHOOK_TOPICS.filter((t) => t.includes('redact') || t.includes('data_request')),
      EBAY_ACCOUNT_DELETION,
    ]),
    enqueue: (id) => batcher.enqueue(id),
    providers: new Map(deps.providers.map((p) => [p.provider, p])),
    logger: deps.logger,
  });
  return { acceptor, close: () => batcher.drain() };
}

export function webhookProcessors(
  orm: Orm,
  config: Config,
  logger: Logger,
  providers: readonly ProviderWebhook[],
  connectors?: ConnectorSource,
): ProcessorMap {
  return {
    webhooks: {
      process: webhookProcessor({
        orm,
        logger,
        leaseSeconds: webhookLeaseSeconds(config),
        batchSize: BATCH_SIZE,
        ingest: { policy: config.orders },
        providers,
        ...(connectors ? { connectors } : {}),
      }),
      concurrency: 10,
    },
    'webhook-prune': {
      process: async (_job: Job) => {
        const pruned = await pruneWebhookDeliveries(orm.em.fork(), config.webhooks.retentionDays);
        if (pruned > 0) logger.info({ pruned }, 'pruned old webhook deliveries');
        return pruned;
      },
      concurrency: 1,
    },
  };
}

/** Starts the sweeper and (idempotently) the hourly pruning schedule; returns the sweeper's stop. */
export async function startWebhookMaintenance(
  orm: Orm,
  queues: QueueRegistry,
  config: Config,
  logger: Logger,
): Promise<{ stop: () => Promise<void> }> {
  await queues['webhook-prune'].upsertJobScheduler(
    'webhook-prune',
    { every: PRUNE_EVERY_MS },
    { name: 'prune', data: {} },
  );
  const sweeper = new WebhookSweeper(orm, {
    enqueue: (id) => enqueueWebhookDelivery(queues.webhooks, id, true),
    logger,
    leaseSeconds: webhookLeaseSeconds(config),
  });
  sweeper.start();
  return sweeper;
}
