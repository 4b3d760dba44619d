import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../../context.js';
import type { PaymentProvider, PaymentReversal } from '../../payments/payment-provider.js';
import { OrderEvent } from '../order-event.entity.js';
import { recordOrderEvent } from '../order-transitions.js';
import type { ClaimedOrder } from './order-change.js';

/** What lifecycle operations need from outside the domain. */
export interface LifecycleDeps {
  payments: PaymentProvider;
}

/**
 * The order's payment as its timeline records it: the authorisation (placement or hold release
 * records it on the move to PAYMENT_AUTHORIZED), extra authorisations after an edit raised the
 * total, and every void and refund. `open` is what may still be given back.
 */
export interface PaymentLedger {
  provider: string | null;
  reference: string | null;
  authorized: number;
  voided: number;
  refunded: number;
  open: number;
}

/** The timeline entries the ledger reads; every other entry is ignored. */
export const PAYMENT_EVENT_TYPES = [
  'placed',
  'status_changed',
  'payment_authorized',
  'payment_voided',
  'payment_refunded',
];

/** What the ledger needs of one timeline entry: an `OrderEvent` or a plain record of one. */
export interface PaymentEventRecord {
  type: string;
  toStatus?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * The ledger from an order's timeline, oldest entry first (entries of other types are skipped).
 * Pure: no database, so a page of orders can derive it from events already loaded.
 */
export function ledgerOfEvents(events: Iterable<PaymentEventRecord>): PaymentLedger {
  const ledger: PaymentLedger = { provider: null, reference: null, authorized: 0, voided: 0, refunded: 0, open: 0 };
  let placedTotal = 0;
  for (const e of events) {
    const data = e.data ?? {};
    const amount = typeof data.amount === 'number' ? data.amount : null;
    if (e.type === 'placed') placedTotal = typeof data.total === 'number' ? data.total : 0;
    const authorization =
      (e.type === 'status_changed' && e.toStatus === 'PAYMENT_AUTHORIZED') || e.type === 'payment_authorized';
    if (authorization && typeof data.reference === 'string') {
      // Placement records the authorisation without an amount: it was the total at placement.
      ledger.authorized += amount ?? placedTotal;
      ledger.provider = typeof data.provider === 'string' ? data.provider : ledger.provider;
      ledger.reference = data.reference;
    }
    if (e.type === 'payment_voided') ledger.voided += amount ?? 0;
    if (e.type === 'payment_refunded') ledger.refunded += amount ?? 0;
  }
  ledger.open = Math.max(0, ledger.authorized - ledger.voided - ledger.refunded);
  return ledger;
}

export async function paymentLedger(tx: EntityManager, claimed: ClaimedOrder): Promise<PaymentLedger> {
  const events = await tx.find(
    OrderEvent,
    { order: claimed.order.id, type: { $in: PAYMENT_EVENT_TYPES } },
    { orderBy: { id: 'asc' } },
  );
  return ledgerOfEvents(events);
}

/**
 * Where the payment stands, from the ledger's amounts:
 * - `NONE`: never authorised (e.g. an order held at placement, or cancelled while held);
 * - `AUTHORIZED`: authorised, nothing given back yet;
 * - `PARTIALLY_VOIDED` / `VOIDED`: part / all of the authorisation voided, nothing refunded;
 * - `PARTIALLY_REFUNDED` / `REFUNDED`: something refunded, and part / none of the payment still
 *   open. A refund outranks a void: once anything was refunded the status says so, whether or
 *   not part of the authorisation was voided as well.
 */
export const PAYMENT_STATUSES = [
  'NONE',
  'AUTHORIZED',
  'PARTIALLY_VOIDED',
  'VOIDED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export function paymentStatusOf(ledger: PaymentLedger): PaymentStatus {
  if (ledger.reference === null) return 'NONE';
  if (ledger.refunded > 0) return ledger.open > 0 ? 'PARTIALLY_REFUNDED' : 'REFUNDED';
  if (ledger.voided > 0) return ledger.open > 0 ? 'PARTIALLY_VOIDED' : 'VOIDED';
  return 'AUTHORIZED';
}

/**
 * Gives `amount` back through the payment port, capped at what is still open: a refund for
 * returned goods and for channel orders (paid on the channel before they arrive), else a void of
 * the uncaptured authorisation. Nothing to give back (never authorised, or zero) is a no-op.
 * The idempotency key is built from the change's starting version and the amount: a transaction
 * retried after a deadlock repeats the same provider call rather than a second one, and a
 * different request made after a rolled-back attempt never replays the provider's earlier answer.
 */
export async function givePaymentBack(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  amount: number,
  reason: string,
  options: { refund?: boolean; key: string },
): Promise<PaymentReversal | null> {
  const { order } = claimed;
  const ledger = await paymentLedger(tx, claimed);
  const give = Math.min(amount, ledger.open);
  if (!ledger.reference || give <= 0) return null;
  const refund = options.refund === true || order.source === 'marketplace';
  const request = {
    orderId: order.id,
    reference: ledger.reference,
    amount: give,
    currency: order.currency,
    idempotencyKey: `order-${order.id}-v${claimed.version}-${options.key}-${give}`,
    reason,
  };
  const result = refund ? await deps.payments.refund(request) : await deps.payments.void(request);
  recordOrderEvent(tx, order, ctx.actor, refund ? 'payment_refunded' : 'payment_voided', reason, {
    provider: result.provider,
    reference: result.reference,
    authorization: ledger.reference,
    amount: result.amount,
    currency: result.currency,
    ...(give < amount ? { requested: amount, cappedAt: ledger.open } : {}),
  });
  return result;
}

/** Authorises `amount` more after an edit raised the total of an already authorised order. */
export async function authorizeMore(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  amount: number,
  reason: string,
): Promise<void> {
  const { order } = claimed;
  const payment = await deps.payments.authorize({
    orderId: order.id,
    amount,
    currency: order.currency,
    idempotencyKey: `order-${order.id}-v${claimed.version}-authorize-${amount}`,
  });
  recordOrderEvent(tx, order, ctx.actor, 'payment_authorized', reason, {
    provider: payment.provider,
    reference: payment.reference,
    amount: payment.amount,
    currency: payment.currency,
  });
}
