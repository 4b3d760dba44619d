import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { claimDelivery, markDeliveries, markDeliveryError } from '../domain/webhooks/delivery-claims.js';
import type { Orm } from '../platform/database.js';
import { providerInboxId, type ProviderWebhook } from '../connectors/provider-webhook.js';
import { PlatformError } from '../connectors/connector.js';
import type { QueuePayloads } from './queues.js';
import type { JobRuntime } from './worker-runner.js';
import { AMAZON_TOPICS, handleAmazonDelivery } from './amazon-webhook-topics.js';
import type { ConnectorSource } from './channel-connectors.js';
import { handleEbayDelivery, isEbayTopic } from './ebay-webhook-topics.js';
import { handleShopifyDelivery, type WebhookHandlerDeps } from './shopify-webhook-topics.js';

export interface WebhookWorkerDeps extends WebhookHandlerDeps {
  orm: Orm;
  logger: Logger;
  /** How long a claim holds a delivery before another worker may take it (a dead worker's). */
  leaseSeconds: number;
  /** Stripe's, EasyPost's…: their rows carry `provider:<name>` (providerInboxId) as the channel id. */
  providers?: readonly ProviderWebhook[];
  /**
   * The channels' connectors, for notifications that only name an order (eBay's order topics,
   * Amazon's ORDER_CHANGE): the order is re-read through them. Absent: those deliveries fail.
   */
  connectors?: ConnectorSource;
}

/** Distinct orders one Amazon ORDER_CHANGE job re-reads at most (getOrder: burst 30, 0.5/s). */
const AMAZON_ORDERS_PER_JOB = 10;

/** The handler of a provider's delivery, by the inbox id its rows carry. */
function providerHandlers(providers: readonly ProviderWebhook[] = []): Map<string, ProviderWebhook> {
  return new Map(providers.map((p) => [providerInboxId(p.provider), p]));
}

const PROVIDER_PREFIX = providerInboxId('');

function connectorsOf(deps: WebhookWorkerDeps): ConnectorSource {
  if (!deps.connectors) throw new UnrecoverableError('no connectors are wired into this webhook worker');
  return deps.connectors;
}

function amazonDeps(deps: WebhookWorkerDeps) {
  // Stored by the SQS poller, which runs only where connectors are wired: a row without them is a bug.
  if (!deps.connectors) throw new UnrecoverableError('No channel connectors to re-read an Amazon order with');
  return { ingest: deps.ingest, connectors: deps.connectors, maxOrders: AMAZON_ORDERS_PER_JOB };
}

/**
 * Processes one stored delivery: claim it (a duplicate job, or a delivery another job holds or
 * finished, is a no-op), dispatch by topic, record the outcome on the row. Errors go on the row too:
 * back to pending while BullMQ retries, `failed` after the last attempt or at once for an
 * error no retry can fix (UnrecoverableError); failed rows stay listed and replayable.
 */
export const webhookProcessor = (deps: WebhookWorkerDeps) => {
  const providers = providerHandlers(deps.providers);
  return async (job: Job<QueuePayloads['webhooks']>, runtime?: Pick<JobRuntime, 'delay'>): Promise<string> => {
    const em = deps.orm.em.fork();
    const claim = await claimDelivery(em, job.data.deliveryId, deps.leaseSeconds);
    if ('missing' in claim) return 'missing (pruned)';
    if ('done' in claim) return `already ${claim.done}`;
    // Another job holds it (usually a batch that drained it): that one records the outcome. If
    // that worker dies, the sweeper re-enqueues the delivery once the lease has run out.
    if ('busy' in claim) return 'held by another job';
    const delivery = claim.claimed;
    const ctx: OperationContext = {
      actor: SYSTEM_PRINCIPAL,
      requestId: `webhook-${delivery.id}`,
      em: deps.orm.em.fork(),
      logger: deps.logger.child({ deliveryId: delivery.id, channelId: delivery.channelId, topic: delivery.topic }),
    };
    try {
      if (delivery.channelId.startsWith(PROVIDER_PREFIX)) {
        const provider = providers.get(delivery.channelId);
        // Stored while the provider was configured, and it is not any more: kept, failed, replayable.
        if (!provider) throw new UnrecoverableError(`No handler for ${delivery.channelId}: is it configured?`);
        const { status, outcome } = await provider.handle(ctx, {
          id: delivery.id,
          deliveryId: delivery.deliveryId,
          topic: delivery.topic,
          body: delivery.body,
        });
        await markDeliveries(em, [{ id: delivery.id, status, outcome }]);
        return `${status}: ${outcome}`;
      }
      const results = isEbayTopic(delivery.topic)
        ? await handleEbayDelivery(ctx, { ingest: deps.ingest, connectors: connectorsOf(deps) }, delivery)
        : AMAZON_TOPICS.includes(delivery.topic)
          ? await handleAmazonDelivery(ctx, amazonDeps(deps), delivery)
          : await handleShopifyDelivery(ctx, deps, delivery);
      for (const r of results) if (r.error !== undefined) await markDeliveryError(em, r.id, r.error, true);
      await markDeliveries(
        em,
        results.flatMap((r) => (r.error === undefined ? [{ id: r.id, status: r.status, outcome: r.outcome }] : [])),
      );
      const own = results.find((r) => r.id === delivery.id);
      if (own?.error !== undefined) throw new UnrecoverableError(own.error);
      return own && own.error === undefined ? `${own.status}: ${own.outcome}` : 'processed';
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof PlatformError && error.kind === 'RATE_LIMITED' && runtime) {
        // A platform's throttle (Amazon's getOrder re-read) is a wait, not a failure: back to
        // pending, and the job comes back after the wait (jittered, so throttled jobs spread out)
        // without spending one of its attempts.
        await markDeliveryError(em, delivery.id, message, false);
        return await runtime.delay((error.retryAfterMs ?? 1_000) * (1 + Math.random()));
      }
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await markDeliveryError(em, delivery.id, message, final).catch((err: Error) =>
        ctx.logger.warn({ err: err.message }, 'could not record the webhook error'),
      );
      throw error;
    }
  };
};
