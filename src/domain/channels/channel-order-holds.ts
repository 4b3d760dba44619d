import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { allocateOrderStock } from '../orders/allocate-order.js';
import { holdReasons, joinHoldReasons, type HoldPolicy } from '../orders/hold-rules.js';
import { paymentLedger } from '../orders/lifecycle/order-payment.js';
import { putOnHold } from '../orders/order-hold.js';
import { OrderEvent } from '../orders/order-event.entity.js';
import type { OrderLine } from '../orders/order-line.entity.js';
import { transitionOrder } from '../orders/order-transitions.js';
import type { Order } from '../orders/order.entity.js';
import type { Channel } from './channel.entity.js';
import { describeLine, type MatchedLine } from './channel-line-match.js';
import type { ChannelOrder } from './channel-order.js';

/** The hold reason column's length. */
const MAX_HOLD_REASON = 500;

/** Why ingestion must hold the order: fulfilled by the platform, unknown SKUs, no address to ship to, another currency, not paid, the hold rules. */
export function ingestHoldReasons(
  order: Pick<Order, 'totalAmount'> & { channel: { id: string } },
  matched: MatchedLine[],
  co: ChannelOrder,
  policy: HoldPolicy,
): string[] {
  const reasons: string[] = [];
  const unknown = matched.filter((m) => m.variant === null).map((m) => describeLine(m.line));
  if (unknown.length > 0) reasons.push(`unknown SKU${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  if (!co.shippingAddress && matched.some((m) => m.variant?.requiresShipping !== false))
    reasons.push('missing shipping address');
  const foreign = matched.filter((m) => m.variant !== null && m.variant.currency !== co.currency);
  if (foreign.length > 0) {
    reasons.push(
      `currency ${co.currency} differs from the catalogue's: ${foreign.map((m) => `${m.variant!.sku} in ${m.variant!.currency}`).join(', ')}`,
    );
  }
  // A platform-fulfilled order stays held on this reason, so it is recorded but never allocated.
  if (co.fulfilledByChannel)
    reasons.push(`fulfilled by channel ${order.channel.id} from its own stock: recorded, takes none of ours`);
  else if (co.paidAmount === 0) reasons.push(`not paid on channel ${order.channel.id} yet`);
  reasons.push(
    ...holdReasons(
      {
        total: order.totalAmount,
        currency: co.currency,
        shippingAddress: co.shippingAddress,
        billingAddress: co.billingAddress,
      },
      policy,
    ),
  );
  return reasons;
}

/** Puts the order ON_HOLD for ingestion's reasons, marked so a later version may lift it (below). */
export function holdForIngestion(tx: EntityManager, ctx: OperationContext, order: Order, reasons: string[]): void {
  putOnHold(tx, order, ctx.actor, joinHoldReasons(reasons).slice(0, MAX_HOLD_REASON), { ingestHold: true, reasons });
}

/**
 * Sources the order's stock as placement does. A platform order is already sold: a channel that
 * refuses backorders gets the order held for a person instead of refused (refusing would drop an
 * order the buyer has paid for). Returns whether it ended held.
 */
export async function allocateChannelOrder(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  channel: Pick<Channel, 'id' | 'backorderPolicy'>,
  trigger?: string,
): Promise<boolean> {
  const reject = channel.backorderPolicy === 'reject';
  const policyChannel = { id: channel.id, backorderPolicy: reject ? 'backorder' : channel.backorderPolicy } as Channel;
  await allocateOrderStock(tx, ctx, order, lines, policyChannel, trigger ? { trigger } : {});
  if (reject && order.status === 'BACKORDERED') {
    putOnHold(tx, order, ctx.actor, `not enough stock, and channel ${channel.id} takes no backorders`);
    return true;
  }
  return false;
}

/**
 * A newer version may resolve what ingestion held the order for (the address arrived, the SKU is
 * known now, the channel took the money). Only ingestion's own holds, taken before any stock was
 * sourced, are looked at: a hold a person placed stays theirs to lift. Resolved: the order goes
 * on as releasing the hold would (CONFIRMED → PAYMENT_AUTHORIZED on the channel's capture →
 * sourcing). Still held: the reason is brought up to date.
 */
export async function reviewIngestionHold(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  matched: MatchedLine[],
  co: ChannelOrder,
  policy: HoldPolicy,
  channel: Pick<Channel, 'id' | 'backorderPolicy'>,
): Promise<'released' | 'held' | 'untouched'> {
  if (order.status !== 'ON_HOLD' || co.cancelledAt) return 'untouched';
  if (!['CONFIRMED', 'PAYMENT_AUTHORIZED'].includes(order.heldFromStatus ?? '')) return 'untouched';
  if (lines.some((l) => l.quantityAllocated > 0 || l.quantityShipped > 0)) return 'untouched';
  const [hold] = await tx.find(
    OrderEvent,
    { order: order.id, toStatus: 'ON_HOLD' },
    { orderBy: { id: 'desc' }, limit: 1 },
  );
  if (hold?.data?.ingestHold !== true) return 'untouched';
  const reasons = ingestHoldReasons(order, matched, co, policy);
  if (reasons.length > 0) {
    order.holdReason = joinHoldReasons(reasons).slice(0, MAX_HOLD_REASON);
    return 'held';
  }
  const why = `channel ${channel.id} sent what the hold waited for`;
  order.holdReason = null;
  order.heldFromStatus = null;
  transitionOrder(tx, order, 'CONFIRMED', ctx.actor, why);
  await tx.flush();
  const ledger = await paymentLedger(tx, { order, lines, version: order.version });
  transitionOrder(
    tx,
    order,
    'PAYMENT_AUTHORIZED',
    ctx.actor,
    `authorisation ${ledger.reference} from before the hold covers ${order.totalAmount} ${order.currency}`,
    { reusedAuthorization: ledger.reference },
  );
  return (await allocateChannelOrder(tx, ctx, order, lines, channel, why)) ? 'held' : 'released';
}
