import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import type { HoldPolicy } from '../orders/hold-rules.js';
import { recomputeTotals } from '../orders/lifecycle/order-totals.js';
import { OrderLine } from '../orders/order-line.entity.js';
import { checkOrderTotals } from '../orders/order-total-limit.js';
import { recordOrderEvent, transitionOrder } from '../orders/order-transitions.js';
import { Order } from '../orders/order.entity.js';
import { upsertCustomer } from '../orders/place-order.service.js';
import type { Channel } from './channel.entity.js';
import { describeLine, matchChannelLines, type ListingSkuLookup, type MatchedLine } from './channel-line-match.js';
import type { ChannelOrder } from './channel-order.js';
import { applyChannelCancellation, paymentData, recordChannelRefunds } from './channel-order-effects.js';
import { allocateChannelOrder, holdForIngestion, ingestHoldReasons } from './channel-order-holds.js';
import type { IngestResult } from './ingest-channel-orders.js';

/**
 * First sighting of a platform order: written as placement writes an order (PENDING → CONFIRMED
 * → PAYMENT_AUTHORIZED → allocated by the same sourcing and reservations as placeOrder, with
 * the same timeline and outbox events), except that the platform's prices and totals win (the
 * channel already charged them) and nothing is refused: what placeOrder would refuse — an
 * unknown SKU, no shipping address, a price in another currency — puts the order ON_HOLD with the
 * reason instead, before any stock is reserved. Lines whose SKU is unknown cannot be order lines
 * (a line is a variant); they are kept on the timeline (`lines_unmatched`) with everything the
 * platform said of them, and a newer version of the order rebuilds the lines while nothing is
 * allocated. The order's own total is then its known lines' total; the platform's stays on the
 * `placed` entry.
 */
export async function createChannelOrder(
  tx: EntityManager,
  ctx: OperationContext,
  deps: { policy: HoldPolicy; listingSkus?: ListingSkuLookup },
  channel: Channel,
  co: ChannelOrder,
  orderId: string,
): Promise<IngestResult> {
  const matched = await matchChannelLines(tx, channel.id, co.lines, deps.listingSkus);
  const customer = co.email
    ? await upsertCustomer(tx, { email: co.email, name: co.customerName, phone: co.phone })
    : null;
  const order = tx.create(Order, {
    id: orderId,
    // The platform's id is the order's number on marketplace channels, as in placeOrder.
    number: co.externalId.length <= 64 ? co.externalId : co.externalId.slice(-64),
    channel,
    externalId: co.externalId,
    externalUpdatedAt: co.updatedAt,
    externalName: co.externalName,
    channelBuyer: co.buyerAccount ?? null,
    note: co.note,
    status: 'PENDING',
    source: 'marketplace',
    purchaseOrderNumber: null,
    paymentTerms: null,
    customer,
    email: co.email,
    shippingAddress: co.shippingAddress,
    billingAddress: co.billingAddress,
    currency: co.currency,
    subtotalAmount: 0,
    shippingAmount: co.shippingAmount,
    taxAmount: co.taxAmount,
    discountAmount: co.discountAmount,
    totalAmount: 0,
    holdReason: null,
    heldFromStatus: null,
    idempotencyKey: null,
    idempotencyFingerprint: null,
    placedAt: co.placedAt,
  });
  const lines = buildLines(tx, order, matched, 0);
  recomputeTotals(order, lines, { clampDiscount: true });
  checkOrderTotals('lines', order.subtotalAmount, order.totalAmount);
  const placed = channelPlacedEvent(channel.id, co, order.totalAmount, lines.length);
  recordOrderEvent(tx, order, ctx.actor, 'placed', placed.reason, placed.data);
  await tx.flush();

  transitionOrder(tx, order, 'CONFIRMED', ctx.actor, `received from channel ${channel.id}`);
  if (co.paidAmount > 0) {
    transitionOrder(
      tx,
      order,
      'PAYMENT_AUTHORIZED',
      ctx.actor,
      `captured by channel ${channel.id}: ${co.paidAmount} ${co.currency}`,
      paymentData(order, co),
    );
  }
  const reasons = ingestHoldReasons(order, matched, co, deps.policy);
  const unknown = matched.filter((m) => m.variant === null);
  if (unknown.length > 0) recordUnmatched(tx, ctx, order, unknown);
  let result: IngestResult = 'created';
  // Seen first already cancelled: recorded and cancelled below, never held or allocated.
  if (reasons.length > 0 && !co.cancelledAt) {
    holdForIngestion(tx, ctx, order, reasons);
    result = 'held';
  } else if (!co.cancelledAt) {
    if (await allocateChannelOrder(tx, ctx, order, lines, channel)) result = 'held';
  }
  await tx.flush();
  await recordChannelRefunds(tx, ctx, order, lines, co);
  if (await applyChannelCancellation(tx, ctx, order, lines, co)) result = 'cancelled';
  await tx.flush();
  return result;
}

/** The `placed` entry of a channel order: what the platform said, beside the hub's own total. */
export function channelPlacedEvent(
  channelId: string,
  co: ChannelOrder,
  total: number,
  lineCount: number,
): { reason: string; data: Record<string, unknown> } {
  return {
    reason: `placed on ${channelId} (marketplace)`,
    data: {
      total,
      currency: co.currency,
      lines: lineCount,
      externalId: co.externalId,
      externalName: co.externalName,
      externalUpdatedAt: co.updatedAt.toISOString(),
      platformTotal: co.totalAmount,
    },
  };
}

/** Order lines for the matched platform lines, at the platform's unit price, from `position` on. */
export function buildLines(tx: EntityManager, order: Order, matched: MatchedLine[], position: number): OrderLine[] {
  return matched
    .filter((m) => m.variant !== null)
    .map(({ line, variant }, i) =>
      tx.create(OrderLine, {
        id: randomUUID(),
        order,
        position: position + i,
        variant: variant!,
        sku: variant!.sku,
        title: (line.title ?? variant!.title).slice(0, 300),
        quantity: line.quantity,
        unitPriceAmount: line.unitPriceAmount,
        lineTotalAmount: line.unitPriceAmount * line.quantity,
        externalLineId: line.externalLineId,
      }),
    );
}

/** Platform lines the hub cannot make order lines of, kept on the timeline with what the platform said. */
export function recordUnmatched(tx: EntityManager, ctx: OperationContext, order: Order, unknown: MatchedLine[]): void {
  recordOrderEvent(
    tx,
    order,
    ctx.actor,
    'lines_unmatched',
    `no variant for ${unknown.map((m) => describeLine(m.line)).join(', ')}`.slice(0, 1000),
    {
      lines: unknown.map(({ line }) => ({
        externalLineId: line.externalLineId,
        sku: line.sku,
        externalVariantId: line.externalVariantId,
        title: line.title,
        quantity: line.quantity,
        unitPriceAmount: line.unitPriceAmount,
      })),
    },
  );
}
