import { invalidParam, resourceMissing, stateError } from './sim-errors.js';
import type { FormObject } from './sim-form.js';
import {
  newDispute,
  newEarlyFraudWarning,
  newRefund,
  type ChargeObject,
  type PaymentIntentObject,
} from './sim-objects.js';
import { Params } from './sim-params.js';
import { checkExpand, renderCharge, renderRefund } from './sim-render.js';
import type { RequestMeta, SimStore } from './sim-store.js';

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/**
 * Money after capture: refunds (never more than captured − refunded), a refund failing later
 * (test control), and the risk signals Stripe raises on a charge (dispute, early fraud warning).
 */
export class SimRefunds {
  constructor(private readonly store: SimStore) {}

  create(form: FormObject, meta: RequestMeta): Record<string, unknown> {
    const p = new Params(form, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
    const expand = checkExpand('refund', p.strings('expand'));
    const amountGiven = p.integer('amount', 1);
    const reason = p.oneOf('reason', REFUND_REASONS) ?? null;
    const metadata = p.metadata() ?? {};
    const { intent, charge } = this.target(p);
    if (!charge || intent.amount_received === 0)
      throw stateError(
        'payment_intent_unexpected_state',
        `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
        'payment_intent',
      );
    const refundable = charge.amount_captured - charge.amount_refunded;
    if (refundable <= 0) throw stateError('charge_already_refunded', `Charge ${charge.id} has already been refunded.`);
    const amount = amountGiven ?? refundable;
    if (amount > refundable)
      throw stateError(
        'amount_too_large',
        `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(refundable, charge.currency)})`,
        'amount',
      );
    const refund = newRefund({ charge, amount, reason, metadata, created: this.store.seconds() });
    this.store.refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount_captured;
    this.store.effect('refund', intent.id, amount, refund.id, meta);
    this.store.emit('refund.created', renderRefund(this.store, refund), meta);
    this.store.emit('charge.refunded', renderCharge(this.store, charge), meta);
    return renderRefund(this.store, refund, expand);
  }

  retrieve(id: string, form: FormObject): Record<string, unknown> {
    const expand = checkExpand('refund', new Params(form, ['expand']).strings('expand'));
    const refund = this.store.refunds.get(id);
    if (!refund) throw resourceMissing('refund', id);
    return renderRefund(this.store, refund, expand);
  }

  retrieveCharge(id: string, form: FormObject): Record<string, unknown> {
    const expand = checkExpand('charge', new Params(form, ['expand']).strings('expand'));
    const charge = this.store.charges.get(id);
    if (!charge) throw resourceMissing('charge', id);
    return renderCharge(this.store, charge, expand);
  }

  /** Test control: the card network returns the refund (closed card): `refund.failed`, money back on the charge. */
  fail(id: string): Record<string, unknown> {
    const refund = this.store.refunds.get(id);
    if (!refund) throw resourceMissing('refund', id);
    if (refund.status !== 'succeeded' && refund.status !== 'pending')
      throw stateError('refund_unexpected_state', `Refund ${id} has a status of ${refund.status}.`);
    const previous = refund.status;
    const charge = this.store.charges.get(refund.charge)!;
    refund.status = 'failed';
    refund.failure_reason = 'expired_or_canceled_card';
    charge.amount_refunded -= refund.amount;
    charge.refunded = false;
    this.store.effect('refund_failed', refund.payment_intent ?? '', refund.amount, refund.id, null);
    this.store.emit('refund.failed', renderRefund(this.store, refund), null);
    this.store.emit('refund.updated', renderRefund(this.store, refund), null, { status: previous });
    return renderRefund(this.store, refund);
  }

  /**
   * Test control: the cardholder disputes the charge (`charge.dispute.created`). Stripe only sees
   * disputes on captured charges; the simulator also takes an authorised one, so a test can hold
   * an order that is allocated but not yet shipped.
   */
  dispute(intentId: string, reason = 'fraudulent'): Record<string, unknown> {
    const { intent, charge } = this.paidCharge(intentId);
    charge.disputed = true;
    const dispute = newDispute(charge, reason, this.store.seconds());
    this.store.effect('dispute', intent.id, dispute.amount as number, dispute.id as string, null);
    this.store.emit('charge.dispute.created', dispute, null);
    return dispute;
  }

  /** Test control: the issuer reports fraud on the charge (`radar.early_fraud_warning.created`). */
  earlyFraudWarning(intentId: string, fraudType = 'made_with_stolen_card'): Record<string, unknown> {
    const { intent, charge } = this.paidCharge(intentId);
    const warning = newEarlyFraudWarning(charge, fraudType, this.store.seconds());
    this.store.effect('early_fraud_warning', intent.id, 0, warning.id as string, null);
    this.store.emit('radar.early_fraud_warning.created', warning, null);
    return warning;
  }

  private paidCharge(intentId: string): { intent: PaymentIntentObject; charge: ChargeObject } {
    const intent = this.store.intents.get(intentId);
    if (!intent) throw resourceMissing('payment_intent', intentId);
    const charge = this.store.chargeOf(intent);
    if (!charge || !charge.paid)
      throw stateError('payment_intent_unexpected_state', `PaymentIntent ${intentId} has no authorised charge.`);
    return { intent, charge };
  }

  private target(p: Params): { intent: PaymentIntentObject; charge: ChargeObject | undefined } {
    const intentId = p.string('payment_intent');
    const chargeId = p.string('charge');
    if (!intentId && !chargeId)
      throw invalidParam(
        'One of the following params should be provided for this request: payment_intent or charge.',
        'payment_intent',
        'parameter_missing',
      );
    let charge = chargeId ? this.store.charges.get(chargeId) : undefined;
    if (chargeId && !charge)
      throw invalidParam(`No such charge: '${chargeId.slice(0, 100)}'`, 'charge', 'resource_missing');
    const id = intentId ?? charge!.payment_intent ?? '';
    const intent = this.store.intents.get(id);
    if (!intent)
      throw invalidParam(`No such payment_intent: '${id.slice(0, 100)}'`, 'payment_intent', 'resource_missing');
    if (charge && charge.payment_intent !== intent.id)
      throw invalidParam(`Charge ${charge.id} does not belong to PaymentIntent ${intent.id}.`, 'charge');
    charge ??= this.store.chargeOf(intent);
    return { intent, charge };
  }
}

function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
}
