import { UnrecoverableError } from 'bullmq';
import { ORDER_CHANGE, readNotification } from '../connectors/amazon/order-change-notification.js';
import { PlatformError } from '../connectors/connector.js';
import type { ChannelOrder } from '../domain/channels/channel-order.js';
import { ingestChannelOrders, type IngestDeps } from '../domain/channels/ingest-channel-orders.js';
import type { OperationContext } from '../domain/context.js';
import { claimChannelBatch, markDeliveryError, type ClaimedDelivery } from '../domain/webhooks/delivery-claims.js';
import type { ConnectorSource } from './channel-connectors.js';
import type { DeliveryResult } from './shopify-webhook-topics.js';

/** The inbox topics Amazon's SQS poller stores (amazon-notification-poller.ts). */
export const AMAZON_TOPICS: readonly string[] = [ORDER_CHANGE];

export interface AmazonTopicDeps {
  ingest: IngestDeps;
  /** The channel's connector, to re-read each notified order (getOrder). */
  connectors: ConnectorSource;
  /**
   * Orders one job re-reads at most (getOrder's burst is 30 at 0.5/s, CONNECTORS.md §2): the
   * claimed delivery plus waiting ORDER_CHANGEs of the channel up to this many distinct orders.
   */
  maxOrders: number;
}

/**
 * Processes ORDER_CHANGE deliveries of one Amazon channel: the claimed one and other waiting
 * ones (a batch), grouped by order. Each order named is re-read from the Orders API once, as it
 * is now, and ingested through the same path as pulls, which keeps the newest version only. So a
 * notification delivered twice (one inbox row: NotificationId is unique), or several arriving
 * out of order, change the order once, to its newest state; the notification's own summary is
 * never applied. A re-read that fails puts the batch back (the job retries with backoff).
 */
export async function handleAmazonDelivery(
  ctx: OperationContext,
  deps: AmazonTopicDeps,
  first: ClaimedDelivery,
): Promise<DeliveryResult[]> {
  const orderIdOf = (d: ClaimedDelivery): string => {
    const notice = readNotification(d.body);
    if ('otherType' in notice) throw new Error(`a ${notice.otherType} notification, not ${ORDER_CHANGE}`);
    return notice.amazonOrderId;
  };
  let firstOrder: string;
  try {
    firstOrder = orderIdOf(first);
  } catch (error) {
    throw new UnrecoverableError(`notification does not read: ${(error as Error).message}`);
  }
  // The same order's other notifications first (all settled by one re-read), then others.
  const more = await claimChannelBatch(ctx.em, first.channelId, AMAZON_TOPICS, 4 * deps.maxOrders);
  const results: DeliveryResult[] = [];
  const byOrder = new Map<string, ClaimedDelivery[]>([[firstOrder, [first]]]);
  const putBack: ClaimedDelivery[] = [];
  for (const d of more) {
    let orderId: string;
    try {
      orderId = orderIdOf(d);
    } catch (error) {
      results.push({ id: d.id, error: `notification does not read: ${(error as Error).message}` });
      continue;
    }
    const group = byOrder.get(orderId);
    if (group) group.push(d);
    else if (byOrder.size < deps.maxOrders) byOrder.set(orderId, [d]);
    else putBack.push(d);
  }
  for (const d of putBack) await markDeliveryError(ctx.em, d.id, 'left for its own job: the batch was full', false);
  const fail = async (error: Error, pending: ClaimedDelivery[]) => {
    for (const d of pending) await markDeliveryError(ctx.em, d.id, `batch failed: ${error.message}`, false);
  };

  const orders: ChannelOrder[] = [];
  /** Orders Amazon answered it does not know: nothing to apply, their notices are settled. */
  const unknown = new Set<string>();
  try {
    const { connector } = await deps.connectors(ctx.em, first.channelId);
    if (!connector.fetchOrder) throw new UnrecoverableError(`channel ${first.channelId} cannot re-read an order`);
    const orderIds = [...byOrder.keys()];
    for (const [i, orderId] of orderIds.entries()) {
      try {
        const order = await connector.fetchOrder(orderId);
        if (order) orders.push(order);
        else unknown.add(orderId);
      } catch (error) {
        // The first order's failure is the job's; a later one's (a 429 mid-batch) keeps what was
        // re-read so far, so every re-read spent makes progress, and puts the rest back.
        if (i === 0) throw error;
        for (const id of orderIds.slice(i)) {
          await fail(error as Error, byOrder.get(id)!);
          byOrder.delete(id);
        }
        break;
      }
    }
  } catch (error) {
    await fail(
      error as Error,
      [...byOrder.values()].flat().filter((d) => d !== first),
    );
    if (error instanceof PlatformError && (error.kind === 'AUTH' || error.kind === 'INVALID'))
      throw new UnrecoverableError(error.message);
    throw error;
  }
  const outcomes = await ingestChannelOrders(ctx, deps.ingest, first.channelId, orders).catch(async (error: Error) => {
    await fail(
      error,
      [...byOrder.values()].flat().filter((d) => d !== first),
    );
    throw error;
  });
  const byExternalId = new Map(outcomes.map((o) => [o.externalId, o]));
  for (const [orderId, deliveries] of byOrder) {
    const outcome = byExternalId.get(orderId);
    const [reader, ...others] = deliveries;
    if (unknown.has(orderId)) {
      for (const d of deliveries)
        results.push({ id: d.id, status: 'ignored', outcome: `Amazon does not know order ${orderId}` });
      continue;
    }
    if (!outcome) {
      for (const d of deliveries) results.push({ id: d.id, error: `ingestion returned nothing for ${orderId}` });
      continue;
    }
    const text = `${outcome.result} order ${outcome.orderId} (re-read from Amazon)`;
    results.push({ id: reader!.id, status: outcome.result === 'unchanged' ? 'ignored' : 'processed', outcome: text });
    for (const d of others)
      results.push({ id: d.id, status: 'ignored', outcome: `order re-read once for delivery ${reader!.deliveryId}` });
  }
  return results;
}
