import { LockMode, type EntityManager } from '@mikro-orm/core';
import { recordOutboxEvent } from '../outbox/outbox.js';
import type { Order } from '../orders/order.entity.js';
import { paymentStepKey } from './payment-keys.js';
import type { PlannedStep, StepFacts } from './payment-plan.js';
import { PaymentStep, type PaymentStepKind } from './payment-step.entity.js';
import { Payment } from './payment.entity.js';

/** An order's card payment with its steps (oldest first), read in the caller's transaction. */
export interface CardPayment {
  payment: Payment;
  steps: PaymentStep[];
}

/**
 * The order's card payment, or null when it has none (paid `manual`ly or on its channel). The
 * payment row is locked for the rest of the transaction: callers have claimed the order, and the
 * lock keeps a job applying a gateway answer from interleaving with them.
 */
export async function cardPaymentOf(tx: EntityManager, orderId: string): Promise<CardPayment | null> {
  const payment = await tx.findOne(
    Payment,
    { order: orderId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!payment) return null;
  const steps = await tx.find(PaymentStep, { order: orderId }, { orderBy: { seq: 'asc' }, refresh: true });
  return { payment, steps };
}

export const stepFacts = (s: PaymentStep): StepFacts => ({
  kind: s.kind,
  amount: s.amount,
  final: s.final,
  status: s.status,
  returnId: s.returnId ?? null,
});

/**
 * Stores one step before any call is made, in the caller's transaction, with the outbox event
 * that has the payments job make it once the transaction has committed ("nothing leaves before
 * it is committed"). The key counts the steps of its kind on the order (payment-keys.ts).
 */
export function requestPaymentStep(
  tx: EntityManager,
  order: Order,
  card: CardPayment,
  step: { kind: PaymentStepKind; amount: number; final?: boolean; reason: string | null },
  links: { shipmentId?: string | null; returnId?: string | null; paymentMethod?: string | null } = {},
): PaymentStep {
  const n = card.steps.filter((s) => s.kind === step.kind).length + 1;
  const seq = card.steps.reduce((max, s) => Math.max(max, s.seq), 0) + 1;
  const key = paymentStepKey(order.id, step.kind, n);
  const row = tx.create(PaymentStep, {
    key,
    order,
    seq,
    kind: step.kind,
    amount: step.amount,
    final: step.final ?? false,
    reason: step.reason?.slice(0, 500) ?? null,
    shipmentId: links.shipmentId ?? null,
    returnId: links.returnId ?? null,
    paymentMethod: links.paymentMethod ?? null,
    status: 'pending',
    attempts: 0,
    lastError: null,
    result: null,
    completedAt: null,
  });
  card.steps.push(row);
  recordOutboxEvent(tx, 'payment.step_requested', order.id, { orderId: order.id, key });
  return row;
}

/** Stores the planned steps, in order. */
export function requestPlannedSteps(
  tx: EntityManager,
  order: Order,
  card: CardPayment,
  planned: readonly PlannedStep[],
  links: { shipmentId?: string | null } = {},
): PaymentStep[] {
  return planned.map((p) =>
    requestPaymentStep(tx, order, card, p, p.kind === 'capture' ? { shipmentId: links.shipmentId ?? null } : {}),
  );
}
