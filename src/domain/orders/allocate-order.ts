import type { EntityManager } from '@mikro-orm/core';
import type { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { allocateLines, type AllocationResult } from '../inventory/allocation.service.js';
import { destinationOf } from '../inventory/sourcing.js';
import type { OrderLine } from './order-line.entity.js';
import { recomputeTotals } from './lifecycle/order-totals.js';
import { recordOrderEvent, transitionOrder } from './order-transitions.js';
import type { Order } from './order.entity.js';

/**
 * Units of a line still waiting for stock. Shipped units are not subtracted: a line ships only
 * what was allocated to it (quantityShipped ≤ quantityAllocated), so they are already counted.
 */
export function openQuantity(line: Pick<OrderLine, 'quantity' | 'quantityAllocated' | 'quantityCancelled'>): number {
  return Math.max(0, line.quantity - line.quantityAllocated - line.quantityCancelled);
}

export interface AllocateOrderOptions {
  /** What started this run, put in front of the explanation on the timeline ("stock arrived: …"). */
  trigger?: string | null;
}

/**
 * Reserves stock for an order's open quantities and moves the order on, in the caller's
 * transaction. Fully covered: ALLOCATED. Short: the channel's backorder policy decides (wait as
 * BACKORDERED, refuse with INSUFFICIENT_STOCK, or cancel what is missing) — except for an order
 * that is already BACKORDERED: it keeps what it got and keeps waiting for the rest. The sourcing
 * explanation goes on the order's timeline as a `sourced` event.
 */
export async function allocateOrderStock(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  channel: Channel,
  options: AllocateOrderOptions = {},
): Promise<AllocationResult> {
  const open = lines.map((line) => ({ line, quantity: openQuantity(line) })).filter((x) => x.quantity > 0);
  const result = await allocateLines(
    tx,
    {
      orderId: order.id,
      channelId: channel.id,
      destination: destinationOf(order.shippingAddress),
      lines: open.map((x) => ({
        lineId: x.line.id,
        variantId: x.line.variant.id,
        sku: x.line.sku,
        quantity: x.quantity,
      })),
    },
    ctx.actor,
  );
  const byId = new Map(lines.map((l) => [l.id, l]));
  for (const a of result.reserved) byId.get(a.lineId)!.quantityAllocated += a.quantity;
  const explanation = options.trigger ? `${options.trigger}: ${result.explanation}` : result.explanation;
  recordOrderEvent(tx, order, ctx.actor, 'sourced', explanation, {
    reservations: result.reserved.map((r) => ({ lineId: r.lineId, locationId: r.locationId, quantity: r.quantity })),
    shortfall: result.shortfall.map((s) => ({ lineId: s.lineId, sku: s.sku, quantity: s.quantity })),
  });
  const outcome = { ...result, explanation };
  // Held (while BACKORDERED, see waitsForStock): it keeps what it got; its status follows on release.
  if (order.status === 'ON_HOLD') return outcome;
  if (result.shortfall.length === 0) {
    if (order.status !== 'ALLOCATED') transitionOrder(tx, order, 'ALLOCATED', ctx.actor, explanation);
    return outcome;
  }
  // Already waiting: the policy was applied when the order was placed.
  if (order.status === 'BACKORDERED') return outcome;
  const short = result.shortfall.map((s) => `${s.quantity}× ${s.sku}`).join(', ');
  switch (channel.backorderPolicy) {
    case 'reject':
      throw new DomainError(ErrorCode.INSUFFICIENT_STOCK, `Not enough stock: short ${short}`, {
        shortfall: result.shortfall.map((s) => ({ sku: s.sku, quantity: s.quantity })),
      });
    case 'partial': {
      for (const s of result.shortfall) byId.get(s.lineId)!.quantityCancelled += s.quantity;
      // The order is worth less now; the authorisation keeps the old amount, and only the new
      // total is ever captured (a capture below the authorised amount releases the rest).
      const before = order.totalAmount;
      const after = recomputeTotals(order, lines, { clampDiscount: true });
      recordOrderEvent(tx, order, ctx.actor, 'totals_changed', `partial policy cancelled ${short}`, {
        totalBefore: before,
        totalAfter: after.total,
        currency: order.currency,
      });
      const to = lines.some((l) => l.quantityAllocated > 0) ? 'ALLOCATED' : 'CANCELLED';
      if (order.status !== to)
        transitionOrder(tx, order, to, ctx.actor, `partial policy: cancelled ${short} that no location has`);
      return outcome;
    }
    default:
      transitionOrder(tx, order, 'BACKORDERED', ctx.actor, `waiting for stock: short ${short}`);
      return outcome;
  }
}
