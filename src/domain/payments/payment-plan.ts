import type { PaymentStepKind, PaymentStepStatus } from './payment-step.entity.js';

/**
 * What a card payment should do next, as pure functions of the order's figures and the steps
 * already decided: no database, no gateway, so every rule is tested on its own
 * (test/unit/payments-plan.test.ts). The lifecycle calls them in the order's transaction and
 * stores what they return as payment steps (payment-steps.ts).
 *
 * The rules:
 * - a shipment that leaves while units remain captures its share of the order (its goods'
 *   value scaled by total / subtotal, so shipping, tax and discount are spread over the
 *   shipments), without releasing the rest (`final: false`);
 * - once nothing is left to ship (the last shipment left, or the rest was cancelled) the rest of
 *   the total is captured with `final: true`, which releases what the authorisation held
 *   beyond it (a final capture of 0 when earlier captures took everything due); with nothing
 *   captured at all the authorisation is voided instead;
 * - money captured beyond what the order is now worth (a cancellation after a capture) is
 *   refunded; returns refund what arrived, capped at what was captured and not yet refunded;
 * - nothing is ever captured beyond the authorisation (the intent's amount).
 */

/** A step as the plan needs it: pending and succeeded steps count, failed and skipped ones do not. */
export interface StepFacts {
  kind: PaymentStepKind;
  amount: number;
  final: boolean;
  status: PaymentStepStatus;
  returnId: string | null;
}

export interface PlannedStep {
  kind: Exclude<PaymentStepKind, 'authorize'>;
  amount: number;
  final: boolean;
  reason: string;
}

/** The money the steps decided so far move (or will, once their jobs ran). */
export interface PaymentPosition {
  captured: number;
  /** Refunds of returns and refunds of what cancellations took off the total, together. */
  refunded: number;
  /** Refunds not tied to a return: money given back because the order's total went down. */
  refundedForTotal: number;
  /** A final capture or a void was decided: the authorisation holds nothing more to capture. */
  closed: boolean;
}

const counts = (s: StepFacts) => s.status === 'pending' || s.status === 'succeeded';

export function paymentPosition(steps: readonly StepFacts[]): PaymentPosition {
  const live = steps.filter(counts);
  const sum = (kind: PaymentStepKind, keep: (s: StepFacts) => boolean = () => true) =>
    live.filter((s) => s.kind === kind && keep(s)).reduce((n, s) => n + s.amount, 0);
  return {
    captured: sum('capture'),
    refunded: sum('refund'),
    refundedForTotal: sum('refund', (s) => s.returnId === null),
    closed: live.some((s) => s.kind === 'void' || (s.kind === 'capture' && s.final)),
  };
}

/** `value` × total / subtotal, rounded down (integer arithmetic: the product may pass 2^53). */
export function shareOfTotal(value: number, total: number, subtotal: number): number {
  if (subtotal <= 0 || value <= 0 || total <= 0) return 0;
  return Number((BigInt(value) * BigInt(total)) / BigInt(subtotal));
}

export interface OrderFigures {
  /** The intent's amount: the most that may ever be captured. */
  authorized: number;
  total: number;
  subtotal: number;
  /** Units neither shipped nor cancelled. */
  openUnits: number;
}

/**
 * The steps an order change calls for: `shipped` is the goods value (unit price × units) of a
 * shipment that just left, if that is the change. Called after cancellations, edits and
 * shipments; an empty list means the payment already matches the order.
 */
export function settlementSteps(
  figures: OrderFigures,
  steps: readonly StepFacts[],
  shipped: { goodsValue: number } | null = null,
): PlannedStep[] {
  const position = paymentPosition(steps);
  const collectible = Math.min(figures.total, figures.authorized);
  const planned: PlannedStep[] = [];
  if (!position.closed) {
    if (figures.openUnits === 0) {
      planned.push(closingStep(collectible - position.captured, position.captured, 'nothing left to ship'));
    } else if (shipped) {
      const share = Math.min(
        shareOfTotal(shipped.goodsValue, figures.total, figures.subtotal),
        collectible - position.captured,
      );
      if (share > 0)
        planned.push({ kind: 'capture', amount: share, final: false, reason: 'the shipment’s share of the total' });
    }
  }
  const captured = position.captured + planned.filter((s) => s.kind === 'capture').reduce((n, s) => n + s.amount, 0);
  const excess = Math.min(captured - position.refundedForTotal - figures.total, captured - position.refunded);
  if (excess > 0)
    planned.push({ kind: 'refund', amount: excess, final: false, reason: 'captured more than the order is now worth' });
  return planned;
}

/** A return's refund: what arrived, capped at what was captured and not refunded yet. */
export function returnRefundAmount(worth: number, steps: readonly StepFacts[]): number {
  const position = paymentPosition(steps);
  return Math.max(0, Math.min(worth, position.captured - position.refunded));
}

/**
 * What to do with an authorisation about to lapse (authorisation-expiry.ts): capture what the
 * order has committed stock to — the whole total when every open unit is allocated, else the
 * allocated goods' share — as a final capture, or void it when that is nothing. `allocatedGoods`
 * is unit price × allocated units (shipped ones included) over the lines.
 */
export function expirySteps(
  figures: OrderFigures & { allocatedGoods: number; unallocatedUnits: number },
  steps: readonly StepFacts[],
): PlannedStep[] {
  const position = paymentPosition(steps);
  if (position.closed) return [];
  if (figures.openUnits === 0) return settlementSteps(figures, steps);
  const collectible = Math.min(figures.total, figures.authorized);
  const target =
    figures.unallocatedUnits === 0
      ? collectible
      : Math.min(collectible, shareOfTotal(figures.allocatedGoods, figures.total, figures.subtotal));
  return [closingStep(target - position.captured, position.captured, 'the authorisation is about to lapse')];
}

/**
 * The step that closes an authorisation: a final capture of `rest`; with nothing more to capture,
 * a final capture of 0 after earlier partial captures (Stripe refuses to cancel an intent that
 * captured anything; a zero final capture releases the rest), else a void.
 */
function closingStep(rest: number, captured: number, why: string): PlannedStep {
  if (rest > 0) return { kind: 'capture', amount: rest, final: true, reason: `${why}: capture the rest, final` };
  if (captured > 0)
    return { kind: 'capture', amount: 0, final: true, reason: `${why}: nothing more to capture, release the rest` };
  return { kind: 'void', amount: 0, final: false, reason: `${why}: nothing to capture, void the authorisation` };
}
