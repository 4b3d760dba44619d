import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Variant } from '../../catalog/variant.entity.js';
import { Channel } from '../../channels/channel.entity.js';
import type { OperationContext } from '../../context.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import { OrderLine } from '../order-line.entity.js';
import type { OrderStatus } from '../order-status.js';
import { recordOrderEvent } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { allocateOrderStock, openQuantity } from '../allocate-order.js';
import { waitsForStock } from '../order-hold.js';
import { MAX_ORDER_LINES } from '../place-order.input.js';
import { validateEditOrderInput, type EditOrderInput, type ValidEditOrderInput } from './edit-order.input.js';
import { handFreedStock } from './freed-stock.js';
import { settleFulfilmentStatus } from './fulfilment-status.js';
import { checkLineQuantities } from './lifecycle-input.js';
import { changeOrder, claimOrder, lineOf, openUnits, requireStatus } from './order-change.js';
import { followEditedTotal, type LifecycleDeps } from './order-payment.js';
import { OrderStock } from './order-stock.js';
import { checkOrderTotals } from '../order-total-limit.js';
import { recomputeTotals, totalsOf } from './order-totals.js';

/** Before allocation completes and before anything ships, an order may still change. */
export const EDITABLE_STATUSES: readonly OrderStatus[] = [
  'PENDING',
  'CONFIRMED',
  'ON_HOLD',
  'PAYMENT_AUTHORIZED',
  'BACKORDERED',
];

/**
 * A held order is as editable as the status it was held from: held from ALLOCATED (or later) its
 * stock is sourced, and an edit would bypass what ALLOCATED refuses. Holds older than
 * `heldFromStatus` (null) were all taken before allocation.
 */
function refuseHeldPastEditing(order: Order): void {
  const from = order.heldFromStatus;
  if (order.status !== 'ON_HOLD' || from == null || EDITABLE_STATUSES.includes(from)) return;
  throw new DomainError(
    ErrorCode.ILLEGAL_TRANSITION,
    `Order ${order.number} is ON_HOLD from ${from}: editOrder needs it to be (or to have been held from) ${EDITABLE_STATUSES.join(', ')}`,
    {
      orderId: order.id,
      current: order.status,
      heldFrom: from,
      operation: 'editOrder',
      allowed: [...EDITABLE_STATUSES],
    },
  );
}

const snapshot = (order: Order, lines: OrderLine[]) => ({
  lines: lines.filter((l) => openUnits(l) > 0).map((l) => ({ lineId: l.id, sku: l.sku, quantity: openUnits(l) })),
  shippingAddress: order.shippingAddress ?? null,
  billingAddress: order.billingAddress ?? null,
  totals: totalsOf(order),
});

/**
 * Changes an order that has not shipped: quantities (the units wanted), lines added or removed,
 * the shipping and billing addresses (hold rules are not run again). Totals are recomputed;
 * stock held for units no longer wanted is released; a BACKORDERED order tries to allocate what
 * it now wants and becomes ALLOCATED when nothing is short. An authorised payment follows the total: the difference is voided, or
 * authorised on top. The timeline records the order before → after.
 */
export async function editOrder(
  ctx: OperationContext,
  deps: LifecycleDeps,
  orderId: string,
  input: EditOrderInput,
): Promise<Order> {
  const valid = validateEditOrderInput(input);
  return changeOrder(ctx, async (tx) => {
    const claimed = await claimOrder(tx, ctx, orderId, valid.expectedVersion);
    const { order, lines } = claimed;
    requireStatus(order, EDITABLE_STATUSES, 'editOrder');
    refuseHeldPastEditing(order);
    if (lines.some((l) => l.quantityShipped > 0)) {
      throw new DomainError(
        ErrorCode.ILLEGAL_TRANSITION,
        `Order ${order.number} has shipped units: editOrder needs nothing shipped`,
        {
          orderId: order.id,
          current: order.status,
          operation: 'editOrder',
        },
      );
    }
    const before = snapshot(order, lines);
    const changes = await planEdit(tx, order, lines, valid);

    const stock = await OrderStock.load(tx, order, lines);
    const why = `edited: ${valid.reason}`;
    let released = 0;
    const cancelledShipments: string[] = [];
    const drop = (line: OrderLine, units: number) => {
      const dropped = stock.dropOpenUnits(line, units, why);
      released += dropped.released;
      cancelledShipments.push(...dropped.cancelledShipments.map((s) => s.id));
    };
    for (const { line, quantity } of changes.quantities) {
      const open = openUnits(line);
      if (quantity < open) drop(line, open - quantity);
      line.quantity = line.quantityCancelled + quantity;
    }
    for (const line of changes.removed) {
      drop(line, openUnits(line));
      line.quantityCancelled = line.quantity;
    }
    let position = lines.reduce((max, l) => Math.max(max, l.position), -1);
    for (const { variant, quantity } of changes.added) {
      position += 1;
      lines.push(
        tx.create(OrderLine, {
          id: randomUUID(),
          order,
          position,
          variant,
          sku: variant.sku,
          title: variant.title,
          quantity,
          unitPriceAmount: variant.priceAmount,
          lineTotalAmount: variant.priceAmount * quantity,
        }),
      );
    }
    if (valid.shippingAddress) order.shippingAddress = valid.shippingAddress;
    if (valid.billingAddress) order.billingAddress = valid.billingAddress;
    if (lines.every((l) => openUnits(l) === 0)) {
      throw badInput('removeLineIds', 'would leave the order with nothing to ship: cancel it instead (cancelOrder)');
    }
    const after = recomputeTotals(order, lines, { clampDiscount: false });
    checkOrderTotals(valid.addLines.length > 0 ? 'addLines' : 'lines', after.subtotal, after.total);
    if (after.total < 0) {
      throw badInput(
        'lines',
        `would bring the order's value (${after.subtotal + after.shipping + after.tax}) below its discount (${after.discount})`,
        {
          discountAmount: after.discount,
        },
      );
    }
    const freed = await stock.apply(ctx.actor.id);
    // New lines exist before reservations refer to them.
    await tx.flush();
    if (waitsForStock(order)) {
      // What the edit now wants is sourced as at placement; whatever is still short keeps waiting.
      if (lines.some((l) => openQuantity(l) > 0)) {
        await allocateOrderStock(tx, ctx, order, lines, await tx.findOneOrFail(Channel, { id: order.channel.id }), {
          trigger: why,
        });
      }
      settleFulfilmentStatus(tx, order, lines, ctx.actor, why);
    }

    recordOrderEvent(tx, order, ctx.actor, 'edited', valid.reason, {
      before,
      after: snapshot(order, lines),
      releasedUnits: released,
      cancelledShipments,
    });
    await followEditedTotal(tx, ctx, deps, claimed, before.totals.total, why);
    await handFreedStock(tx, ctx, freed, `stock freed by an edit of order ${order.number}`);
    await tx.flush();
    return order;
  });
}

interface PlannedEdit {
  quantities: { line: OrderLine; quantity: number }[];
  removed: OrderLine[];
  added: { variant: Variant; quantity: number }[];
}

/** Checks the edit against the order (ids, SKUs, currency, address) before anything is written. */
async function planEdit(
  tx: EntityManager,
  order: Order,
  lines: OrderLine[],
  valid: ValidEditOrderInput,
): Promise<PlannedEdit> {
  const quantities =
    valid.lines.length === 0
      ? []
      : checkLineQuantities('lines', valid.lines, lines, () => Number.MAX_SAFE_INTEGER, 'units wanted');
  const changed = new Set(quantities.map((q) => q.line.id));
  const removedIds = new Set<string>();
  const removed = valid.removeLineIds.map((id, i) => {
    const line = lineOf(lines, id);
    if (changed.has(line.id) || removedIds.has(line.id))
      throw badInput(`removeLineIds[${i}]`, `line ${line.id} is named twice in this edit`);
    if (openUnits(line) === 0)
      throw badInput(`removeLineIds[${i}]`, `line ${line.id} (${line.sku}) has nothing left to remove`);
    removedIds.add(line.id);
    return line;
  });

  const variants =
    valid.addLines.length === 0 ? [] : await tx.find(Variant, { sku: { $in: valid.addLines.map((l) => l.sku) } });
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  const added = valid.addLines.map((l, i) => {
    const variant = bySku.get(l.sku);
    if (!variant) throw badInput(`addLines[${i}].sku`, `unknown SKU ${l.sku}`);
    if (variant.currency !== order.currency)
      throw badInput(`addLines[${i}].sku`, `${l.sku} is priced in ${variant.currency}, the order in ${order.currency}`);
    const existing = lines.find((line) => line.sku === l.sku && openUnits(line) > 0 && !removedIds.has(line.id));
    if (existing)
      throw badInput(
        `addLines[${i}].sku`,
        `${l.sku} is already on line ${existing.id}: change that line's quantity instead`,
        { lineId: existing.id },
      );
    return { variant, quantity: l.quantity };
  });
  if (lines.length + added.length > MAX_ORDER_LINES)
    throw badInput('addLines', `the order may hold at most ${MAX_ORDER_LINES} lines`, { max: MAX_ORDER_LINES });
  if (!order.shippingAddress && !valid.shippingAddress && added.some((a) => a.variant.requiresShipping)) {
    throw badInput('shippingAddress', 'is required: the added lines have goods to ship');
  }
  return { quantities, removed, added };
}
