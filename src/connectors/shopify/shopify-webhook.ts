import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifiedDelivery, WebhookAdapter, WebhookVerdict } from '../webhook-adapter.js';

/** The topics the hub subscribes to; anything else is refused (422) and never stored. */
export const SHOPIFY_WEBHOOK_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'refunds/create',
  'app/uninstalled',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
] as const;
export type ShopifyWebhookTopic = (typeof SHOPIFY_WEBHOOK_TOPICS)[number];

const ACCEPTED: ReadonlySet<string> = new Set(SHOPIFY_WEBHOOK_TOPICS);

/** Shopify ids and topics are short; anything longer is not Shopify and must not reach a varchar column. */
const MAX_HEADER_LENGTH = 255;

type Headers = Record<string, string | string[] | undefined>;

/**
 * A header by name, classic webhooks (`X-Shopify-…`) or the newer "Events" deliveries
 * (unprefixed `Shopify-…`). Node lower-cases incoming names; a repeated header is ambiguous,
 * so it counts as absent.
 */
function header(headers: Headers, name: string): string | undefined {
  for (const key of [`x-shopify-${name}`, `shopify-${name}`]) {
    const value = headers[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** base64(HMAC-SHA256(secret, raw body bytes)), as Shopify signs. */
export function shopifySignature(rawBody: Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * True when `received` (the header's base64) is the signature of the raw bytes. Compared as
 * bytes with timingSafeEqual, which throws on unequal lengths: a length mismatch is answered
 * false before the call (the length of a valid signature is public, so this leaks nothing).
 */
export function verifyShopifySignature(rawBody: Buffer, received: string, secret: string): boolean {
  const expected = Buffer.from(shopifySignature(rawBody, secret), 'utf8');
  const given = Buffer.from(received, 'utf8');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

function parseTriggeredAt(value: string | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * Shopify deliveries: the signature first (401 when missing or wrong, whatever else is wrong,
 * so a forger learns nothing about our topics), then the topic (422 when we do not take it),
 * then the dedupe key: the event id when present (the same event delivered to two
 * subscriptions shares it), else the webhook id (400 when neither is present).
 */
export const shopifyWebhookAdapter: WebhookAdapter = {
  verify(rawBody, headers, secret): WebhookVerdict {
    const signature = header(headers, 'hmac-sha256');
    if (!signature) return { ok: false, status: 401, reason: 'missing X-Shopify-Hmac-Sha256 signature' };
    if (!secret || !verifyShopifySignature(rawBody, signature, secret))
      return { ok: false, status: 401, reason: 'signature does not match the body' };
    const topic = header(headers, 'topic');
    if (!topic) return { ok: false, status: 400, reason: 'missing X-Shopify-Topic' };
    if (!ACCEPTED.has(topic)) return { ok: false, status: 422, reason: `topic ${topic.slice(0, 64)} is not taken` };
    const deliveryId = header(headers, 'event-id') ?? header(headers, 'webhook-id');
    if (!deliveryId) return { ok: false, status: 400, reason: 'missing X-Shopify-Event-Id and X-Shopify-Webhook-Id' };
    if (deliveryId.length > MAX_HEADER_LENGTH) return { ok: false, status: 400, reason: 'delivery id is too long' };
    const delivery: VerifiedDelivery = {
      deliveryId,
      topic,
      triggeredAt: parseTriggeredAt(header(headers, 'triggered-at')),
    };
    return { ok: true, delivery };
  },
};
