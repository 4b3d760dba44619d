import type { WebhookVerdict } from '../webhook-adapter.js';
import { decodeSignatureHeader, verifyEbaySignature } from './ebay-notification-signature.js';
import type { EbayPublicKeys } from './ebay-public-keys.js';
import { PlatformError } from '../connector.js';

/**
 * The Notification API topics the hub takes: the mandatory account deletion and the order
 * topics (CONNECTORS.md §3). Anything else is refused (422) and never stored.
 */
export const EBAY_NOTIFICATION_TOPICS = [
  'MARKETPLACE_ACCOUNT_DELETION',
  'ORDER_CONFIRMATION',
  'ITEM_MARKED_SHIPPED',
] as const;

/** eBay's mandatory data-protection topic: still taken from a disabled or disconnected channel. */
export const EBAY_ACCOUNT_DELETION = 'MARKETPLACE_ACCOUNT_DELETION';

const ACCEPTED: ReadonlySet<string> = new Set(EBAY_NOTIFICATION_TOPICS);
const MAX_ID_LENGTH = 255;

interface Notification {
  metadata?: { topic?: unknown };
  notification?: { notificationId?: unknown; eventDate?: unknown };
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * eBay notifications, in the inbox's terms: the signature first (401 when missing, malformed,
 * under a key eBay does not know, or wrong, whatever else is wrong), then the topic (422), then
 * the dedupe key `notification.notificationId` (400 when absent). eBay signs its own
 * serialisation of the JSON, so the body is parsed (JSON.parse only, nothing interpreted) before
 * the signature can be checked; a body that is not JSON is refused like a bad signature. A key
 * that cannot be fetched for a passing reason throws the PlatformError (TRANSIENT, RATE_LIMITED):
 * the route answers 5xx and eBay delivers again.
 */
export async function verifyEbayNotification(
  rawBody: Buffer,
  headers: Headers,
  keys: Pick<EbayPublicKeys, 'get'>,
): Promise<WebhookVerdict> {
  const value = headers['x-ebay-signature'];
  const signature = decodeSignatureHeader(typeof value === 'string' ? value : undefined);
  if (!signature) return { ok: false, status: 401, reason: 'missing or malformed X-EBAY-SIGNATURE' };
  let body: Notification;
  try {
    body = JSON.parse(rawBody.toString('utf8')) as Notification;
  } catch {
    return { ok: false, status: 401, reason: 'signature does not match the body' };
  }
  let key;
  try {
    key = await keys.get(signature.kid);
  } catch (error) {
    if (error instanceof PlatformError && (error.kind === 'NOT_FOUND' || error.kind === 'INVALID'))
      return { ok: false, status: 401, reason: 'signed with a key eBay does not publish' };
    throw error;
  }
  if (!verifyEbaySignature(body, signature, key))
    return { ok: false, status: 401, reason: 'signature does not match the body' };
  const topic = body.metadata?.topic;
  if (typeof topic !== 'string' || !topic) return { ok: false, status: 400, reason: 'missing metadata.topic' };
  if (!ACCEPTED.has(topic)) return { ok: false, status: 422, reason: `topic ${topic.slice(0, 64)} is not taken` };
  const id = body.notification?.notificationId;
  if (typeof id !== 'string' || !id || id.length > MAX_ID_LENGTH)
    return { ok: false, status: 400, reason: 'missing or overlong notification.notificationId' };
  const eventDate = body.notification?.eventDate;
  const at = typeof eventDate === 'string' ? new Date(eventDate) : null;
  return {
    ok: true,
    delivery: { deliveryId: id, topic, triggeredAt: at && !Number.isNaN(at.getTime()) ? at : null },
  };
}
