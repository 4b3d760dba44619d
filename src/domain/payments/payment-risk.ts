import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import type { ClaimedOrder } from '../orders/lifecycle/order-change.js';
import { putOnHold } from '../orders/order-hold.js';
import { canTransition } from '../orders/order-status.js';
import { recordOrderEvent } from '../orders/order-transitions.js';

/**
 * A signal that the payment may be taken back (a dispute, an early fraud warning): the order is
 * held whatever its status before shipment — ALLOCATED included, so nothing ships until somebody
 * releases it. An order already held, or past shipment, gets a timeline entry instead. `eventId`
 * makes it idempotent: a replayed event that was recorded already does nothing.
 */
export async function holdForPaymentRisk(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  signal: { reason: string; eventId: string; provider: string; reference: string },
): Promise<string> {
  const { order } = claimed;
  const seen = await tx
    .getConnection()
    .execute(
      `select 1 from order_event where order_id = ? and data->>'riskEvent' = ? limit 1`,
      [order.id, signal.eventId],
      'all',
      tx.getTransactionContext(),
    );
  if (seen.length > 0) return 'already recorded';
  const data = { provider: signal.provider, reference: signal.reference, riskEvent: signal.eventId };
  if (order.status !== 'ON_HOLD' && canTransition(order.status, 'ON_HOLD')) {
    putOnHold(tx, order, ctx.actor, signal.reason.slice(0, 500), data);
    return `held from ${order.heldFromStatus}`;
  }
  recordOrderEvent(tx, order, ctx.actor, 'payment_risk', signal.reason, data);
  return `recorded; order stays ${order.status}`;
}
