import DataLoader from 'dataloader';
import { productsByIds, variantsOfProducts } from '../domain/catalog/catalog-query.service.js';
import type { Product } from '../domain/catalog/product.entity.js';
import type { Variant } from '../domain/catalog/variant.entity.js';
import type { OperationContext } from '../domain/context.js';
import {
  deliveryHealthOfChannels,
  NO_DELIVERIES,
  type ChannelDeliveryHealth,
} from '../domain/webhooks/delivery-health.js';
import type { Customer } from '../domain/orders/customer.entity.js';
import { customersByIds } from '../domain/orders/customer-query.service.js';
import type { OrderEvent } from '../domain/orders/order-event.entity.js';
import { returnLinesDetail, type ReturnDetail } from '../domain/orders/lifecycle/return-detail.js';
import type { ShipmentDetail } from '../domain/orders/lifecycle/shipment-detail.js';
import type { OrderLine } from '../domain/orders/order-line.entity.js';
import {
  eventsOfOrders,
  linesOfOrders,
  returnsOfOrders,
  shipmentsOfOrders,
} from '../domain/orders/order-query.service.js';
import { cardPaymentsOfOrders, type CardPaymentView } from '../domain/payments/card-payment-view.js';
import type { ChannelJobCounts, JobInspector } from './jobs/job-inspector.js';

/** A return with its lines as the GraphQL Return shows it (its order is the parent). */
export type OrderReturn = Omit<ReturnDetail, 'order'>;

/**
 * Per-request batching for nested fields: a page of 100 orders asking for lines, customer,
 * events, shipments and returns costs a fixed number of queries per field, not one per order
 * (shipments and returns: one for them, one for their lines, and the orders' lines through
 * `orderLines`, shared with the `lines` field). Made fresh for every operation, so
 * nothing is cached across requests or callers.
 */
export interface Loaders {
  orderLines: DataLoader<string, OrderLine[]>;
  orderEvents: DataLoader<string, OrderEvent[]>;
  orderShipments: DataLoader<string, ShipmentDetail[]>;
  orderReturns: DataLoader<string, OrderReturn[]>;
  /** The orders' card payments (null: paid `manual`ly or on the channel). */
  orderCardPayments: DataLoader<string, CardPaymentView | null>;
  customers: DataLoader<string, Customer | null>;
  productVariants: DataLoader<string, Variant[]>;
  products: DataLoader<string, Product | null>;
  /** Channel health: the webhook inbox of each channel, one query for a list of channels. */
  channelDeliveries: DataLoader<string, ChannelDeliveryHealth>;
  /** Channel health: jobs waiting/failed per channel, one scan of the queues for a list; null without queues. */
  channelJobs: DataLoader<string, ChannelJobCounts | null>;
}

/** The batch size stays below PostgreSQL's parameter limit and keeps each IN list modest. */
const MAX_BATCH_SIZE = 500;

function batched<V>(load: (ids: readonly string[]) => Promise<Map<string, V>>, missing: V): DataLoader<string, V> {
  return new DataLoader<string, V>(
    async (ids) => {
      const found = await load(ids);
      return ids.map((id) => found.get(id) ?? missing);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** Order lines of the orders that have any `items`, through the request's `orderLines` loader. */
async function orderLinesFor(loaders: Loaders, found: Map<string, unknown[]>): Promise<Map<string, OrderLine[]>> {
  const ids = [...found].filter(([, items]) => items.length > 0).map(([id]) => id);
  const lines = await loaders.orderLines.loadMany(ids);
  return new Map(
    ids.map((id, i) => {
      const l = lines[i];
      if (l instanceof Error) throw l;
      return [id, l ?? []];
    }),
  );
}

/** `ctx` is called on first load, so building the loaders costs nothing until a field needs one. */
export function createLoaders(ctx: () => OperationContext, jobs?: JobInspector): Loaders {
  const loaders: Loaders = {
    orderLines: batched((ids) => linesOfOrders(ctx(), ids), []),
    orderEvents: batched((ids) => eventsOfOrders(ctx(), ids), []),
    orderShipments: batched(async (ids) => {
      const found = await shipmentsOfOrders(ctx(), ids);
      const orderLines = await orderLinesFor(loaders, found);
      const lineOf = (orderId: string, lineId: string) => orderLines.get(orderId)?.find((l) => l.id === lineId);
      const position = (orderId: string, lineId: string) => lineOf(orderId, lineId)?.position ?? 0;
      return new Map(
        [...found].map(([orderId, shipments]) => [
          orderId,
          shipments.map(({ shipment, lines }) => ({
            shipment,
            lines: [...lines]
              .sort((a, b) => position(orderId, a.orderLineId) - position(orderId, b.orderLineId))
              .map((sl) => ({
                orderLineId: sl.orderLineId,
                sku: lineOf(orderId, sl.orderLineId)?.sku ?? '',
                quantity: sl.quantity,
              })),
          })),
        ]),
      );
    }, []),
    orderReturns: batched(async (ids) => {
      const found = await returnsOfOrders(ctx(), ids);
      const orderLines = await orderLinesFor(loaders, found);
      return new Map(
        [...found].map(([orderId, returns]) => [
          orderId,
          returns.map(({ returnRequest, lines }) => ({
            returnRequest,
            lines: returnLinesDetail(returnRequest, lines, orderLines.get(orderId) ?? []),
          })),
        ]),
      );
    }, []),
    orderCardPayments: batched<CardPaymentView | null>((ids) => cardPaymentsOfOrders(ctx(), ids), null),
    customers: batched<Customer | null>((ids) => customersByIds(ctx(), ids), null),
    productVariants: batched((ids) => variantsOfProducts(ctx(), ids), []),
    products: batched<Product | null>((ids) => productsByIds(ctx(), ids), null),
    channelDeliveries: batched((ids) => deliveryHealthOfChannels(ctx().em, ids), NO_DELIVERIES),
    channelJobs: batched<ChannelJobCounts | null>(
      async (ids) => (jobs ? await jobs.channelJobCounts(ids) : new Map<string, ChannelJobCounts>()),
      null,
    ),
  };
  return loaders;
}
