import type { PaymentStepKind } from './payment-step.entity.js';

/**
 * The idempotency keys the hub sends with each gateway call, derived from the business step and
 * nothing else: `order-<id>-authorize`, `order-<id>-capture-<n>`, `order-<id>-void`,
 * `order-<id>-refund-<n>` (n counts that kind of step on the order, from 1). Stored on the step
 * row before the call, so a retried job sends the same key and the gateway replays its first
 * answer. They hold only [A-Za-z0-9-], so they serve as BullMQ job ids as they are (no ':').
 */
export function paymentStepKey(orderId: string, kind: PaymentStepKind, n: number): string {
  switch (kind) {
    case 'authorize':
      return `order-${orderId}-authorize`;
    case 'void':
      return `order-${orderId}-void`;
    default:
      return `order-${orderId}-${kind}-${n}`;
  }
}
