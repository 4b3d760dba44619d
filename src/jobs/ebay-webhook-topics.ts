import { UnrecoverableError } from 'bullmq';
import { PlatformError } from '../connectors/connector.js';
import { EBAY_ACCOUNT_DELETION, EBAY_NOTIFICATION_TOPICS } from '../connectors/ebay/ebay-notification.js';
import { ingestChannelOrders, type IngestDeps } from '../domain/channels/ingest-channel-orders.js';
import type { OperationContext } from '../domain/context.js';
import { eraseChannelBuyer } from '../domain/privacy/erase-channel-buyer.js';
import type { ClaimedDelivery } from '../domain/webhooks/delivery-claims.js';
import { redactDeliveryBodies } from '../domain/webhooks/platform-requests.js';
import type { ConnectorSource } from './channel-connectors.js';
import type { DeliveryResult } from './shopify-webhook-topics.js';

export interface EbayTopicDeps {
  ingest: IngestDeps;
  /** The channel's connector, to re-read an order a notification names. */
  connectors: ConnectorSource;
}

const EBAY_TOPICS: ReadonlySet<string> = new Set(EBAY_NOTIFICATION_TOPICS);

/** eBay's topics are its own (upper case, no slash): a stored row is eBay's by its topic alone. */
export const isEbayTopic = (topic: string): boolean => EBAY_TOPICS.has(topic);

interface NotificationData {
  username?: unknown;
  userId?: unknown;
  eiasToken?: unknown;
  orderId?: unknown;
}

function dataOf(delivery: ClaimedDelivery): NotificationData {
  const body = JSON.parse(delivery.body) as { notification?: { data?: unknown } };
  const data = body?.notification?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new UnrecoverableError(`${delivery.topic} notification carries no data object`);
  return data as NotificationData;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * Dispatch by eBay topic. Account deletion erases what the hub holds of that eBay account on the
 * channel (matched on the username recorded at ingest; the user id and EIAS token are matched
 * too, should a later ingest record them), then blanks the notice itself and finished deliveries
 * naming the account. Order topics only name the order: it is re-read from eBay (getOrder) and
 * ingested as a pull would, so the newest state wins whatever order notices arrive in; when eBay
 * (or the app's daily quota) says wait, the notice is left to the pull.
 */
export async function handleEbayDelivery(
  ctx: OperationContext,
  deps: EbayTopicDeps,
  delivery: ClaimedDelivery,
): Promise<DeliveryResult[]> {
  const one = (status: 'processed' | 'ignored', outcome: string): DeliveryResult[] => [
    { id: delivery.id, status, outcome },
  ];
  const data = dataOf(delivery);
  if (delivery.topic === EBAY_ACCOUNT_DELETION) {
    const accounts = [text(data.username), text(data.userId), text(data.eiasToken)].filter(
      (v): v is string => v !== null,
    );
    if (accounts.length === 0) throw new UnrecoverableError('the account deletion names no account');
    const erased = await eraseChannelBuyer(ctx, delivery.channelId, accounts, `notification ${delivery.deliveryId}`);
    await redactDeliveryBodies(ctx.em, delivery.channelId, accounts, [delivery.id]);
    return one(
      'processed',
      `account erased: ${erased.orders} orders, ${erased.customersErased} customers erased, ${erased.customersKept} kept (other orders)`,
    );
  }
  const orderId = text(data.orderId);
  if (!orderId) throw new UnrecoverableError(`${delivery.topic} names no orderId`);
  const { connector } = await deps.connectors(ctx.em, delivery.channelId);
  if (!connector.fetchOrder) throw new UnrecoverableError(`channel ${delivery.channelId} cannot re-read an order`);
  let order;
  try {
    order = await connector.fetchOrder(orderId);
  } catch (error) {
    // The pull (lastmodifieddate, eBay's source of truth) brings the order once eBay lets the
    // channel call again; retrying the notice meanwhile would only spend attempts.
    if (error instanceof PlatformError && error.kind === 'RATE_LIMITED')
      return one('ignored', `not re-read now (${error.message}): the channel's next pull brings order ${orderId}`);
    throw error;
  }
  if (!order) return one('ignored', `eBay does not know order ${orderId}`);
  const [outcome] = await ingestChannelOrders(ctx, deps.ingest, delivery.channelId, [order]);
  if (!outcome) throw new Error(`ingestion returned nothing for ${orderId}`);
  return outcome.result === 'unchanged'
    ? one('ignored', `unchanged order ${outcome.orderId}`)
    : one('processed', `${outcome.result} order ${outcome.orderId}`);
}
