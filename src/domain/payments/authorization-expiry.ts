import type { OperationContext } from '../context.js';
import { putOnHold } from '../orders/order-hold.js';
import { canTransition } from '../orders/order-status.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import { settleExpiringAuthorization } from './card-payments.js';
import { changeCardPayment } from './claimed-change.js';

/**
 * A card authorisation lapses (Stripe: `capture_before`, 7 days for a customer-initiated card
 * payment) and the intent is cancelled with nothing captured. The scheduled scan finds those
 * about to lapse — within `marginMs` of `now`, both passed in so a test runs it on a fake clock —
 * and before they do, captures what the order has committed stock to (a final capture) or voids
 * it when that is nothing, saying so on the timeline (`authorization_expiring`). The rules are in
 * payment-plan.ts (`expirySteps`); the payments job makes the calls.
 */
export interface ExpiryScanOptions {
  now: Date;
  marginMs: number;
  /** Payments looked at per scan, the soonest to lapse first. */
  limit: number;
}

export async function settleExpiringAuthorizations(
  ctx: OperationContext,
  options: ExpiryScanOptions,
): Promise<{ orderId: string; outcome: string }[]> {
  const due = new Date(options.now.getTime() + options.marginMs);
  const rows = await ctx.em
    .fork()
    .getConnection()
    .execute<{ order_id: string }[]>(
      `select order_id from payment
        where intent_status = 'requires_capture' and capture_before <= ?
        order by capture_before limit ?`,
      [due, options.limit],
    );
  const results: { orderId: string; outcome: string }[] = [];
  for (const { order_id: orderId } of rows) {
    const outcome = await changeCardPayment(ctx, orderId, async (tx, claimed, card) => {
      const p = card?.payment;
      if (!card || !p || p.intentStatus !== 'requires_capture' || !p.captureBefore || p.captureBefore > due)
        return 'not due';
      const { order, lines } = claimed;
      const steps = settleExpiringAuthorization(tx, order, lines, card);
      if (steps.length === 0) return 'already settled';
      const lapses = p.captureBefore.toISOString();
      const capture = steps.find((s) => s.kind === 'capture' && s.amount > 0);
      const release = steps.some((s) => s.kind === 'capture' && s.amount === 0);
      const unallocated = lines.reduce((n, l) => n + (l.quantity - l.quantityCancelled - l.quantityAllocated), 0);
      const reason = capture
        ? `the card authorisation lapses at ${lapses}: capturing ${capture.amount} ${order.currency} for what is allocated or shipped` +
          (unallocated > 0 ? `; ${unallocated} unallocated units are no longer covered by it` : '')
        : release
          ? `the card authorisation lapses at ${lapses}: what is allocated was captured, releasing the rest`
          : `the card authorisation lapses at ${lapses} with nothing allocated to capture for: voiding it`;
      recordOrderEvent(tx, order, ctx.actor, 'authorization_expiring', reason, {
        provider: p.provider,
        reference: p.intentId,
        captureBefore: lapses,
        steps: steps.map((s) => ({ key: s.key, kind: s.kind, amount: s.amount, final: s.final })),
      });
      if (!capture && !release && order.status !== 'ON_HOLD' && canTransition(order.status, 'ON_HOLD'))
        putOnHold(tx, order, ctx.actor, `${reason}; the customer must pay again`.slice(0, 500));
      return reason;
    });
    results.push({ orderId, outcome });
  }
  return results;
}
