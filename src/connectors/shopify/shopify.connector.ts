import {
  PlatformError,
  type ChannelConnector,
  type FulfilmentPush,
  type OrderPage,
  type PlatformVariant,
  type StockPushResult,
  type StockTarget,
} from '../connector.js';
import type { ShopifyCredentials } from '../../domain/channels/channel-credentials.js';
import {
  LINE_ITEM_COST,
  ORDER_NODE_COST,
  ORDER_REFUNDS_FIRST,
  REFUND_COST,
  type ShopifyOrderNode,
} from './shopify-order-node.js';
import { mapShopifyOrderNode } from './shopify-order.mapper.js';
import type { ShopifyUserError, ThrottleStatus } from './shopify-errors.js';
import { ShopifyTransport } from './shopify-transport.js';
import {
  availableQuery,
  FULFILLMENT_CREATE,
  INVENTORY_SET_QUANTITIES,
  ORDER_CANCEL,
  ORDER_ALL_REFUNDS,
  ORDER_CANCELLED_AT,
  ORDER_FULFILLMENTS,
  ORDER_FULFILMENT_STATE,
  ORDER_LINE_ITEMS_PAGE,
  ORDERS_UPDATED_SINCE,
  VARIANTS_BY_SKU,
} from './shopify-queries.js';

/** Shopify's cap on a connection page and on any input array. */
export const SHOPIFY_MAX_BATCH = 250;
/** Shopify refuses any single query whose up-front cost is above this. */
export const SHOPIFY_MAX_QUERY_COST = 1_000;
/** Orders per pull page: the connection's 2 plus one order node each must stay within the cap. */
export const ORDERS_PAGE_BY_COST = Math.floor((SHOPIFY_MAX_QUERY_COST - 2) / ORDER_NODE_COST);
/** Line items per follow-up page: the order 1, the connection 2, then LINE_ITEM_COST each. */
export const LINE_ITEMS_PAGE_BY_COST = Math.min(
  SHOPIFY_MAX_BATCH,
  Math.floor((SHOPIFY_MAX_QUERY_COST - 3) / LINE_ITEM_COST),
);
/** The up-front price of one VARIANTS_BY_SKU page: 2 + 50 × (variant, item, levels 2 + 1 level × 2). */
const VARIANTS_BY_SKU_COST = 302;
/** SKUs per variant lookup (one `sku:a OR sku:b …` search). */
const SKUS_PER_LOOKUP = 50;

export interface ShopifyConnectorOptions {
  credentials: ShopifyCredentials;
  endpoint: string | null;
  timeoutMs?: number;
}

export type ShopifyVariantListing = PlatformVariant;

const CANCEL_REASONS = new Set(['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF']);

/**
 * The Shopify Admin GraphQL connector. Each method makes its calls through one transport
 * (timeout, no hidden retries, errors mapped by shopify-errors.ts); the job that called it
 * decides whether to retry from the PlatformError's kind.
 */
export class ShopifyConnector implements ChannelConnector {
  private readonly transport: ShopifyTransport;

  constructor(options: ShopifyConnectorOptions) {
    this.transport = new ShopifyTransport(options);
  }

  /** The cost bucket as of the last answer (for pacing and the channel's health). */
  get throttleStatus(): ThrottleStatus | null {
    return this.transport.lastThrottleStatus;
  }

  async pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage> {
    const page = await this.fetchOrderNodes(since, cursor, pageSize);
    return { orders: page.nodes.map(mapShopifyOrderNode), nextCursor: page.nextCursor };
  }

  /**
   * One page of raw order nodes updated at or after `since`, oldest change first. The page is
   * sized to the cost bucket: at most `pageSize` (and 250), and no more orders than fit in
   * PAGE_COST_SHARE of one query's price at the cost per order the previous page was charged;
   * a page priced above the bucket anyway is asked again at half the size. Before a page the
   * pull waits (up to MAX_PACING_WAIT_MS) for the bucket to hold its estimated price, so a long
   * pull paces itself instead of being THROTTLED and restarted by its job.
   */
  async fetchOrderNodes(
    since: Date,
    cursor: string | null,
    pageSize: number,
  ): Promise<{ nodes: ShopifyOrderNode[]; nextCursor: string | null }> {
    const first = Math.max(1, Math.min(SHOPIFY_MAX_BATCH, ORDERS_PAGE_BY_COST, Math.floor(pageSize)));
    // Shopify checks the up-front price against the bucket: wait for it rather than be THROTTLED.
    await this.transport.waitForBudget(2 + first * ORDER_NODE_COST);
    const { data } = await this.transport.call<{
      orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ShopifyOrderNode[] };
    }>(ORDERS_UPDATED_SINCE, { first, after: cursor, query: `updated_at:>='${since.toISOString()}'` });
    const { pageInfo, nodes } = data.orders;
    for (const node of nodes) await this.completeOrderNode(node);
    return { nodes, nextCursor: pageInfo.hasNextPage ? pageInfo.endCursor : null };
  }

  /**
   * An order with more line items or refunds than a page asks for is completed here, so no
   * line is lost: the remaining line items page by page (as many as one query may cost), and
   * every refund when the first ORDER_REFUNDS_FIRST filled up.
   */
  private async completeOrderNode(node: ShopifyOrderNode): Promise<void> {
    let page = node.lineItems.pageInfo;
    while (page?.hasNextPage) {
      await this.transport.waitForBudget(3 + LINE_ITEMS_PAGE_BY_COST * LINE_ITEM_COST);
      const { data } = await this.transport.call<{
        order: { lineItems: ShopifyOrderNode['lineItems'] } | null;
      }>(ORDER_LINE_ITEMS_PAGE, { id: node.id, first: LINE_ITEMS_PAGE_BY_COST, after: page.endCursor });
      if (!data.order) throw new PlatformError('NOT_FOUND', `Shopify has no order ${node.id}`);
      node.lineItems.nodes.push(...data.order.lineItems.nodes);
      page = data.order.lineItems.pageInfo;
    }
    if (node.refunds.length >= ORDER_REFUNDS_FIRST) {
      await this.transport.waitForBudget(1 + 250 * REFUND_COST);
      const { data } = await this.transport.call<{ order: { refunds: ShopifyOrderNode['refunds'] } | null }>(
        ORDER_ALL_REFUNDS,
        { id: node.id },
      );
      if (!data.order) throw new PlatformError('NOT_FOUND', `Shopify has no order ${node.id}`);
      node.refunds = data.order.refunds;
    }
  }

  /**
   * Sets `available` in calls of at most 250 quantities, each with its compare-and-swap value
   * and an @idempotent key `<key>:<chunk>` (a retried job replays, Shopify does not reapply).
   * Shopify rejects a whole call when any compare is stale: those SKUs are re-read and reported
   * with the platform's figure, and the rest of the chunk is sent again under `<key>:<chunk>:r<n>`.
   */
  async pushStock(targets: StockTarget[], idempotencyKey: string): Promise<StockPushResult> {
    const stale: StockPushResult['stale'] = [];
    for (let start = 0, chunk = 0; start < targets.length; start += SHOPIFY_MAX_BATCH, chunk++) {
      let pending = targets.slice(start, start + SHOPIFY_MAX_BATCH);
      for (let round = 0; pending.length; round++) {
        const key = round === 0 ? `${idempotencyKey}:${chunk}` : `${idempotencyKey}:${chunk}:r${round}`;
        const staleIndexes = await this.setQuantities(pending, key);
        if (!staleIndexes.size) break;
        const staleTargets = pending.filter((_, i) => staleIndexes.has(i));
        stale.push(...(await this.readAvailable(staleTargets)));
        pending = pending.filter((_, i) => !staleIndexes.has(i));
      }
    }
    return { stale };
  }

  /** One inventorySetQuantities call; the indexes whose compare was stale (nothing applied then). */
  private async setQuantities(targets: StockTarget[], key: string): Promise<Set<number>> {
    const { data } = await this.transport.call<{
      inventorySetQuantities: { userErrors: ShopifyUserError[] } | null;
    }>(INVENTORY_SET_QUANTITIES, {
      key,
      input: {
        name: 'available',
        reason: 'correction',
        referenceDocumentUri: `switchyard://stock-push/${encodeURIComponent(key)}`,
        quantities: targets.map((t) => ({
          inventoryItemId: t.externalInventoryItemId,
          locationId: t.externalLocationId,
          quantity: t.quantity,
          changeFromQuantity: t.expectedQuantity,
        })),
      },
    });
    const userErrors = data.inventorySetQuantities?.userErrors ?? [];
    const staleErrors = userErrors.filter((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE');
    const others = userErrors.filter((e) => e.code !== 'CHANGE_FROM_QUANTITY_STALE');
    if (others.length) throw this.transport.userErrorsFailure(others);
    const indexes = new Set<number>();
    for (const e of staleErrors) {
      const index = Number(e.field?.[2]);
      if (!Number.isInteger(index) || index < 0 || index >= targets.length) {
        throw new PlatformError('INVALID', `Shopify reported a stale quantity without its position: ${e.message}`);
      }
      indexes.add(index);
    }
    return indexes;
  }

  private async readAvailable(targets: StockTarget[]): Promise<StockPushResult['stale']> {
    const variables: Record<string, string> = {};
    targets.forEach((t, i) => {
      variables[`i${i}`] = t.externalInventoryItemId;
      variables[`l${i}`] = t.externalLocationId;
    });
    type Level = { inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | null;
    const { data } = await this.transport.call<Record<string, Level>>(availableQuery(targets.length), variables);
    return targets.map((t, i) => ({
      sku: t.sku,
      actualQuantity: data[`q${i}`]?.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity ?? null,
    }));
  }

  /**
   * Reads the order's fulfillment orders, then creates one fulfillment with tracking over them.
   * fulfillmentCreate takes no idempotency key, so a retry first looks for a fulfillment that
   * already carries the tracking number and returns it instead of shipping twice.
   */
  async pushFulfilment(push: FulfilmentPush, _idempotencyKey: string): Promise<string> {
    type FoLine = { id: string; remainingQuantity: number; lineItem: { id: string } };
    if (push.trackingNumber) {
      const { data: shipped } = await this.transport.call<{
        order: { fulfillments: { id: string; trackingInfo: { number: string | null }[] }[] } | null;
      }>(ORDER_FULFILLMENTS, { id: push.externalOrderId });
      if (!shipped.order) throw new PlatformError('NOT_FOUND', `Shopify has no order ${push.externalOrderId}`);
      const done = shipped.order.fulfillments.find((f) => f.trackingInfo.some((t) => t.number === push.trackingNumber));
      if (done) return done.id;
    }
    const { data } = await this.transport.call<{
      order: { fulfillmentOrders: { nodes: { id: string; lineItems: { nodes: FoLine[] } }[] } } | null;
    }>(ORDER_FULFILMENT_STATE, { id: push.externalOrderId });
    if (!data.order) throw new PlatformError('NOT_FOUND', `Shopify has no order ${push.externalOrderId}`);
    const byFo = new Map<string, { id: string; quantity: number }[]>();
    for (const line of push.lines) {
      let wanted = line.quantity;
      for (const fo of data.order.fulfillmentOrders.nodes) {
        for (const foLine of fo.lineItems.nodes) {
          if (wanted === 0 || foLine.lineItem.id !== line.externalLineId || foLine.remainingQuantity === 0) continue;
          const take = Math.min(wanted, foLine.remainingQuantity);
          wanted -= take;
          byFo.set(fo.id, [...(byFo.get(fo.id) ?? []), { id: foLine.id, quantity: take }]);
        }
      }
      if (wanted > 0) {
        throw new PlatformError(
          'INVALID',
          `Line ${line.externalLineId} has ${line.quantity - wanted} left to fulfil, not ${line.quantity}`,
        );
      }
    }
    const { data: created } = await this.transport.call<{
      fulfillmentCreate: { fulfillment: { id: string } | null; userErrors: ShopifyUserError[] } | null;
    }>(FULFILLMENT_CREATE, {
      fulfillment: {
        lineItemsByFulfillmentOrder: [...byFo.entries()].map(([fulfillmentOrderId, lines]) => ({
          fulfillmentOrderId,
          fulfillmentOrderLineItems: lines,
        })),
        trackingInfo:
          push.trackingNumber || push.carrier || push.trackingUrl
            ? { number: push.trackingNumber, company: push.carrier, url: push.trackingUrl }
            : null,
        notifyCustomer: true,
      },
    });
    const result = created.fulfillmentCreate;
    if (!result?.fulfillment)
      throw this.transport.userErrorsFailure(result?.userErrors ?? [{ message: 'no fulfillment returned' }]);
    return result.fulfillment.id;
  }

  /**
   * Cancels with a refund to the original payment methods and a restock (the hub pushes its own
   * figures afterwards anyway). orderCancel takes no idempotency key: an order already cancelled
   * counts as done, so a retried job is harmless.
   */
  async pushCancellation(externalOrderId: string, reason: string, _idempotencyKey: string): Promise<void> {
    if (await this.cancelledAt(externalOrderId)) return;
    const upper = reason.trim().toUpperCase();
    const { data } = await this.transport.call<{
      orderCancel: { orderCancelUserErrors: ShopifyUserError[] } | null;
    }>(ORDER_CANCEL, {
      orderId: externalOrderId,
      reason: CANCEL_REASONS.has(upper) ? upper : 'OTHER',
      refundMethod: { originalPaymentMethodsRefund: true },
      restock: true,
      notifyCustomer: true,
      staffNote: `Cancelled in Switchyard: ${reason}`.slice(0, 255),
    });
    const errors = data.orderCancel?.orderCancelUserErrors ?? [];
    if (!errors.length) return;
    // Cancelled in between (another worker, or the merchant): the effect we wanted holds.
    if (errors.every((e) => e.code !== 'NOT_FOUND') && (await this.cancelledAt(externalOrderId))) return;
    throw this.transport.userErrorsFailure(errors);
  }

  private async cancelledAt(externalOrderId: string): Promise<string | null> {
    const { data } = await this.transport.call<{ order: { cancelledAt: string | null } | null }>(ORDER_CANCELLED_AT, {
      id: externalOrderId,
    });
    if (!data.order) throw new PlatformError('NOT_FOUND', `Shopify has no order ${externalOrderId}`);
    return data.order.cancelledAt;
  }

  /** The variants whose SKU is one of `skus` (exact match), for matching listings by SKU. */
  async listVariantsBySku(skus: string[]): Promise<ShopifyVariantListing[]> {
    const wanted = [...new Set(skus.filter((s) => s.trim() !== ''))];
    const found: ShopifyVariantListing[] = [];
    for (let i = 0; i < wanted.length; i += SKUS_PER_LOOKUP) {
      const batch = wanted.slice(i, i + SKUS_PER_LOOKUP);
      // Shopify's search syntax: quote each value so SKUs with spaces or colons stay one term.
      const query = batch.map((s) => `sku:"${s.replace(/["\\]/g, '\\$&')}"`).join(' OR ');
      let after: string | null = null;
      do {
        // Paced by the bucket: a throttled lookup would fail the whole matching, which would
        // then start over and be throttled at the same place again.
        await this.transport.waitForBudget(VARIANTS_BY_SKU_COST);
        const { data }: { data: VariantsPage } = await this.transport.call<VariantsPage>(VARIANTS_BY_SKU, {
          query,
          after,
        });
        for (const v of data.productVariants.nodes) {
          // Shopify's search is fuzzy (prefixes, tokens): keep exact matches only.
          if (v.sku !== null && batch.includes(v.sku))
            found.push({
              sku: v.sku,
              variantId: v.id,
              inventoryItemId: v.inventoryItem.id,
              locationId: v.inventoryItem.inventoryLevels.nodes[0]?.location.id ?? null,
            });
        }
        after = data.productVariants.pageInfo.hasNextPage ? data.productVariants.pageInfo.endCursor : null;
      } while (after);
    }
    return found;
  }
}

interface VariantsPage {
  productVariants: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: {
      id: string;
      sku: string | null;
      inventoryItem: { id: string; inventoryLevels: { nodes: { location: { id: string } }[] } };
    }[];
  };
}
