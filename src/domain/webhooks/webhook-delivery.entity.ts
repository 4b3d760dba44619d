import { defineEntity, p } from '@mikro-orm/core';

/**
 * pending: stored, waiting for a worker. processing: a worker holds it (lease from claimedAt).
 * processed: done, `outcome` says what it did. failed: out of retries, `lastError` says why;
 * replayable. ignored: nothing to do (e.g. an older version than the one held).
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'processing', 'processed', 'failed', 'ignored'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One verified webhook delivery, stored before it was acknowledged. The raw body is kept as
 * received (the signed bytes, as UTF-8 text) so a failed delivery can be replayed exactly.
 * Written with plain SQL (record-delivery.ts, delivery-claims.ts); the entity serves reads.
 */
export const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_delivery',
  properties: {
    id: p.uuid().primary(),
    channelId: p.string().length(64),
    /** The platform's id for the delivery (Shopify: the event id, else the webhook id). */
    deliveryId: p.string().length(255),
    topic: p.string().length(64),
    triggeredAt: p.datetime().nullable(),
    /** When the hub received it (column `received_at`); named so keyset pages share one helper. */
    createdAt: p.datetime().fieldName('received_at'),
    body: p.text().lazy(),
    status: p.enum([...WEBHOOK_DELIVERY_STATUSES]),
    attempts: p.integer().default(0),
    claimedAt: p.datetime().nullable(),
    lastError: p.string().length(1000).nullable(),
    processedAt: p.datetime().nullable(),
    outcome: p.string().length(1000).nullable(),
  },
});
export class WebhookDelivery extends WebhookDeliverySchema.class {}
WebhookDeliverySchema.setClass(WebhookDelivery);
