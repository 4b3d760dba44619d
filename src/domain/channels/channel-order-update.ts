import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { putOnHold } from '../orders/order-hold.js';
import { canTransition } from '../orders/order-status.js';
import { recomputeTotals, totalsOf } from '../orders/lifecycle/order-totals.js';
import { claimOrder, openUnits } from '../orders/lifecycle/order-change.js';
import { paymentLedger } from '../orders/lifecycle/order-payment.js';
import { checkOrderTotals } from '../orders/order-total-limit.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import type { OrderLine } from '../orders/order-line.entity.js';
import { buildLines, recordUnmatched } from './channel-order-create.js';
import { matchChannelLines, type ListingSkuLookup, type MatchedLine } from './channel-line-match.js';
import { OrderEvent } from '../orders/order-event.entity.js';
import type { Order } from '../orders/order.entity.js';
import { reviewIngestionHold } from './channel-order-holds.js';
import { Channel } from './channel.entity.js';
import type { HoldPolicy } from '../orders/hold-rules.js';
import type { ChannelOrder } from './channel-order.js';
import { applyChannelCancellation, recordChannelPayment, recordChannelRefunds } from './channel-order-effects.js';
import type { IngestResult } from './ingest-channel-orders.js';

/**
 * A version of a known platform order. The order row is locked first and the version compared
 * under the lock: an older or equal version writes nothing ('unchanged'), so of two workers with
 * the same version only one applies it. A newer one updates what may still change:
 * - email, note, addresses (addresses until something shipped);
 * - the lines, while nothing is allocated or shipped: replaced by the platform's (old lines
 *   cancelled, new ones added, totals from the platform's prices, shipping, tax, discount);
 * - after allocation the lines stay; a difference is recorded (`channel_lines_changed`) and the
 *   order is held for a person;
 * - money the channel took (once), new refunds (once each), a cancellation (through the lifecycle).
 */
export async function updateChannelOrder(
  tx: EntityManager,
  ctx: OperationContext,
  deps: { policy: HoldPolicy; listingSkus?: ListingSkuLookup },
  orderId: string,
  co: ChannelOrder,
): Promise<IngestResult> {
  const rows = await tx
    .getConnection()
    .execute<{ external_updated_at: Date | null }[]>(
      'select external_updated_at from "order" where id = ? for update',
      [orderId],
      'all',
      tx.getTransactionContext(),
    );
  const held = rows[0]?.external_updated_at ?? null;
  if (held !== null && new Date(held).getTime() >= co.updatedAt.getTime()) return 'unchanged';

  const claimed = await claimOrder(tx, ctx, orderId);
  const { order, lines } = claimed;
  const changes: string[] = [];
  order.externalUpdatedAt = co.updatedAt;
  if ((co.externalName ?? null) !== (order.externalName ?? null)) order.externalName = co.externalName;
  if (co.buyerAccount && co.buyerAccount !== order.channelBuyer) order.channelBuyer = co.buyerAccount;
  if (co.email !== (order.email ?? null) && co.email !== null) {
    order.email = co.email;
    changes.push('email');
  }
  if (co.note !== (order.note ?? null)) {
    order.note = co.note;
    changes.push('note');
  }
  const shipped = lines.some((l) => l.quantityShipped > 0);
  const live = order.status !== 'CANCELLED' && !shipped;
  if (live && co.shippingAddress && !sameJson(co.shippingAddress, order.shippingAddress)) {
    order.shippingAddress = co.shippingAddress;
    changes.push('shippingAddress');
  }
  if (live && co.billingAddress && !sameJson(co.billingAddress, order.billingAddress)) {
    order.billingAddress = co.billingAddress;
    changes.push('billingAddress');
  }

  let result: IngestResult = 'updated';
  // Compared by our SKUs (a listing may map a platform SKU that differs); platform lines no
  // variant matches are on the timeline already and cannot be order lines either way.
  const matched = await matchChannelLines(tx, order.channel.id, co.lines, deps.listingSkus);
  const platformLines = signature(
    matched.filter((m) => m.variant !== null).map((m) => [m.variant!.sku, m.line.quantity, m.line.unitPriceAmount]),
  );
  const heldLines = signature(
    lines
      .filter((l) => openUnits(l) + l.quantityShipped > 0)
      .map((l) => [l.sku, l.quantity - l.quantityCancelled, l.unitPriceAmount]),
  );
  if (order.status !== 'CANCELLED' && platformLines !== heldLines) {
    const allocated = lines.some((l) => l.quantityAllocated > 0 || l.quantityShipped > 0);
    if (!allocated && ['PENDING', 'CONFIRMED', 'PAYMENT_AUTHORIZED', 'ON_HOLD'].includes(order.status)) {
      replaceLines(tx, ctx, order, lines, matched, co);
      changes.push('lines');
    } else if (await alreadyReported(tx, order.id, platformLines)) {
      // The same difference was reported (and held for) on an earlier version: a person may
      // have reviewed and released it since; it is not raised again.
      changes.push('lines (kept)');
    } else {
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'channel_lines_changed',
        'the lines changed on the channel after allocation: the order keeps its lines',
        {
          platform: co.lines.map((l) => ({
            externalLineId: l.externalLineId,
            sku: l.sku,
            quantity: l.quantity,
            unitPriceAmount: l.unitPriceAmount,
          })),
          held: lines.map((l) => ({ lineId: l.id, sku: l.sku, quantity: l.quantity - l.quantityCancelled })),
          signature: platformLines,
        },
      );
      changes.push('lines (kept)');
      if (order.status !== 'ON_HOLD' && canTransition(order.status, 'ON_HOLD') && !co.cancelledAt) {
        putOnHold(
          tx,
          order,
          ctx.actor,
          `lines changed on channel ${order.channel.id} after allocation: review the order`,
        );
        result = 'held';
      }
    }
  }

  if (co.paidAmount > 0 && order.status !== 'CANCELLED') {
    await tx.flush();
    const ledger = await paymentLedger(tx, claimed);
    if (ledger.reference === null) {
      recordChannelPayment(tx, ctx, order, co);
      changes.push('payment');
    }
  }
  if (order.status === 'ON_HOLD' && result !== 'held') {
    const channel = await tx.findOneOrFail(Channel, { id: order.channel.id });
    const review = await reviewIngestionHold(tx, ctx, order, lines, matched, co, deps.policy, channel);
    if (review === 'released') changes.push('hold released');
    if (review === 'held') result = 'held';
  }
  if ((await recordChannelRefunds(tx, ctx, order, lines, co)) > 0) changes.push('refunds');
  // A cancelled order's later versions (the platform touches cancelled orders too) change
  // nothing here but the version held.
  if (order.status === 'CANCELLED' && changes.length === 0) {
    await tx.flush();
    return 'unchanged';
  }
  recordOrderEvent(tx, order, ctx.actor, 'channel_updated', `newer version from channel ${order.channel.id}`, {
    externalUpdatedAt: co.updatedAt.toISOString(),
    previousExternalUpdatedAt: held === null ? null : new Date(held).toISOString(),
    changes,
  });
  if (await applyChannelCancellation(tx, ctx, order, lines, co)) result = 'cancelled';
  await tx.flush();
  return result;
}

/** Before allocation the platform's lines replace the order's: old ones cancelled, new ones added. */
function replaceLines(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  matched: MatchedLine[],
  co: ChannelOrder,
): void {
  const before = totalsOf(order);
  for (const line of lines) line.quantityCancelled = line.quantity;
  const position = lines.reduce((max, l) => Math.max(max, l.position), -1) + 1;
  lines.push(...buildLines(tx, order, matched, position));
  order.shippingAmount = co.shippingAmount;
  order.taxAmount = co.taxAmount;
  order.discountAmount = co.discountAmount;
  const after = recomputeTotals(order, lines, { clampDiscount: true });
  checkOrderTotals('lines', after.subtotal, after.total);
  const unknown = matched.filter((m) => m.variant === null);
  recordOrderEvent(tx, order, ctx.actor, 'lines_replaced', `lines as channel ${order.channel.id} now has them`, {
    lines: matched.filter((m) => m.variant).map((m) => ({ sku: m.variant!.sku, quantity: m.line.quantity })),
    totals: { before, after },
    platformTotal: co.totalAmount,
  });
  if (unknown.length > 0) recordUnmatched(tx, ctx, order, unknown);
}

/** Whether the newest `channel_lines_changed` entry reported exactly these platform lines. */
async function alreadyReported(tx: EntityManager, orderId: string, platformLines: string): Promise<boolean> {
  const [last] = await tx.find(
    OrderEvent,
    { order: orderId, type: 'channel_lines_changed' },
    { orderBy: { id: 'desc' }, limit: 1 },
  );
  return last?.data?.signature === platformLines;
}

function signature(lines: [string, number, number][]): string {
  return JSON.stringify(lines.map((l) => l.join('|')).sort());
}

function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries((v ?? {}) as Record<string, unknown>)
          .filter(([, x]) => x !== null && x !== undefined)
          .sort(),
      ),
    );
  return norm(a) === norm(b);
}
