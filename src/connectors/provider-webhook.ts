import type { OperationContext } from '../domain/context.js';
import type { WebhookAdapter } from './webhook-adapter.js';

/**
 * Webhooks from platforms that are not sales channels (Stripe, EasyPost) go through the same
 * inbox as the channels': verified over the raw bytes, stored in `webhook_delivery` before the
 * answer (deduped on the platform's event id), processed by the `webhooks` queue, listed and
 * replayable like any delivery. Their rows carry `channel_id = providerInboxId(provider)`.
 * Route: `POST /webhooks/<provider>` (mounted before `/webhooks/:channelId`).
 */
export const providerInboxId = (provider: string) => `provider:${provider}`;

export interface ProviderDelivery {
  /** Our row id. */
  id: string;
  /** The platform's event id (the dedupe key). */
  deliveryId: string;
  topic: string;
  /** The signed body, as received (UTF-8 JSON text). */
  body: string;
}

export interface ProviderWebhook {
  /** `stripe`, `easypost`: the route's last segment and the inbox id's suffix. */
  provider: string;
  adapter: WebhookAdapter;
  /** The endpoint secret from configuration; undefined: the provider is not configured (404). */
  secret: () => string | undefined;
  /**
   * Applies one stored delivery. Idempotent: a replay, a duplicate or an event older than what
   * the hub holds is a no-op (`ignored`). Throws to retry (the queue's policy).
   */
  handle(
    ctx: OperationContext,
    delivery: ProviderDelivery,
  ): Promise<{ status: 'processed' | 'ignored'; outcome: string }>;
}
