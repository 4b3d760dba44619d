import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { readFileSync } from 'node:fs';
import type { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import { sealCredentials } from '../../src/domain/channels/channel-secrets.js';
import type { Orm } from '../../src/platform/database.js';
import { createLocations, createSku, stock } from './commerce.js';
import { contextFor } from './context.js';
import { sql } from './database.js';
import { AMAZON_FIXTURES, amazonFixture } from './fixtures.js';

/**
 * What the SQS notification tests share: Amazon's official ORDER_CHANGE example re-addressed to
 * a simulated seller's order, merchant-fulfilled orders in the SP-API simulator with SKUs stocked
 * in the hub, and an Amazon channel whose sealed grant names the notification queue.
 */

export const JP_MARKETPLACE = 'A1VC38T7YXB528';
const SEARCH_EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');
const NOTIFICATION_EXAMPLE = readFileSync(new URL('order-change-notification.example.json', AMAZON_FIXTURES), 'utf8');

/** The official ORDER_CHANGE example about `orderId` of `sellerId`, as its own notification. */
export function orderChangeBody(
  notificationId: string,
  sellerId: string,
  orderId: string,
  status = 'Unshipped',
): string {
  const body = JSON.parse(NOTIFICATION_EXAMPLE) as {
    NotificationMetadata: Record<string, string>;
    Payload: { OrderChangeNotification: Record<string, unknown> & { Summary: Record<string, unknown> } };
  };
  body.NotificationMetadata.NotificationId = notificationId;
  const change = body.Payload.OrderChangeNotification;
  change.SellerId = sellerId;
  change.AmazonOrderId = orderId;
  change.Summary.MarketplaceId = JP_MARKETPLACE;
  change.Summary.OrderStatus = status;
  return JSON.stringify(body);
}

let n = 0;

/** A merchant-fulfilled UNSHIPPED order (the official example under a fresh id) whose SKUs the hub stocks. */
export async function stockedAmazonOrder(orm: Orm, locationId: string, prefix: string): Promise<Order> {
  const order = structuredClone(SEARCH_EXAMPLE.response.orders[0]!);
  order.orderId = `${prefix}-${String(++n).padStart(7, '0')}-${String(Date.now() % 1e7).padStart(7, '0')}`;
  order.fulfillment = { ...order.fulfillment!, fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' };
  for (const item of order.orderItems) {
    item.product.sellerSku = `${item.product.sellerSku}-${order.orderId}`;
    await createSku(contextFor(orm.em), item.product.sellerSku, Number(item.product.price!.unitPrice!.amount), 'JPY');
    await stock(contextFor(orm.em), item.product.sellerSku, locationId, 10);
  }
  return order;
}

export async function warehouse(orm: Orm): Promise<string> {
  return (await createLocations(contextFor(orm.em), [{ code: 'TYO', countryCode: 'JP', region: 'Tokyo' }])).TYO!;
}

/** An Amazon channel on the simulator whose grant names `queueUrl` for its notifications. */
export async function connectAmazonChannel(
  dbUrl: string,
  encryptionKey: Buffer,
  channelId: string,
  sim: AmazonSimulator,
  queueUrl: string,
  sellerId = sim.sellerId,
): Promise<void> {
  const sealed = sealCredentials(encryptionKey, channelId, {
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    refreshToken: sim.refreshToken,
    sellerId,
    region: 'fe',
    marketplaceIds: [JP_MARKETPLACE],
    notificationQueueUrl: queueUrl,
  });
  await sql(
    dbUrl,
    `insert into channel (id, kind, name, backorder_policy, credentials_ciphertext, endpoint)
     values ($1, 'amazon', $1, 'backorder', $2, $3)`,
    [channelId, sealed, sim.url],
  );
}

/** The channel's orders by Amazon order id: status and how many rows (must be 1). */
export async function hubOrders(
  dbUrl: string,
  channelId: string,
): Promise<Map<string, { status: string; rows: number; version: string }>> {
  const rows = await sql<{ external_id: string; status: string; n: string; version: Date }>(
    dbUrl,
    `select external_id, max(status) as status, count(*) as n, max(external_updated_at) as version
       from "order" where channel_id = $1 group by external_id`,
    [channelId],
  );
  return new Map(
    rows.map((r) => [
      r.external_id,
      { status: r.status, rows: Number(r.n), version: new Date(r.version).toISOString() },
    ]),
  );
}
