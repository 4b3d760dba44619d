import { randomUUID } from 'node:crypto';
import { invalidParam, missingParam, resourceMissing, StripeApiError, stateError } from './sim-errors.js';
import type { FormObject } from './sim-form.js';
import { newCharge, newPaymentIntent, paymentMethodObject, stripeId, type PaymentIntentObject } from './sim-objects.js';
import { Params } from './sim-params.js';
import { checkExpand, renderCharge, renderIntent } from './sim-render.js';
import type { RequestMeta, SimStore } from './sim-store.js';
import { TEST_PAYMENT_METHODS, type TestPaymentMethod } from './test-payment-methods.js';

/**
 * PaymentIntents as Stripe runs them for cards: create (and confirm), confirm, the customer's
 * 3-D Secure step, capture (partial, and several with multicapture), cancel, and the lapse of
 * an uncaptured authorisation at `capture_before`. Each state change records an effect and
 * emits the events Stripe sends for it.
 */

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
export const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

export class SimIntents {
  constructor(private readonly store: SimStore) {}

  create(form: FormObject, meta: RequestMeta): Record<string, unknown> {
    const p = new Params(form, [
      'amount',
      'currency',
      'capture_method',
      'confirm',
      'payment_method',
      'allowed_payment_method_types',
      'payment_method_types',
      'payment_method_options',
      'automatic_payment_methods',
      'return_url',
      'metadata',
      'receipt_email',
      'description',
      'statement_descriptor',
      'statement_descriptor_suffix',
      'expand',
    ]);
    const expand = checkExpand('payment_intent', p.strings('expand'));
    const amount = p.integer('amount', 1);
    if (amount === undefined) throw missingParam('amount');
    const currency = p.requiredString('currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw invalidParam(`Invalid currency: ${currency.slice(0, 10)}`, 'currency');
    const captureMethod = p.oneOf('capture_method', ['automatic', 'automatic_async', 'manual']) ?? 'automatic_async';
    // `allowed_payment_method_types` since 2026-11 (endive); `payment_method_types` before.
    const typesParam = p.has('allowed_payment_method_types') ? 'allowed_payment_method_types' : 'payment_method_types';
    const types = p.strings(typesParam);
    for (const type of types ?? [])
      if (type !== 'card') throw invalidParam(`The payment method type "${type.slice(0, 40)}" is invalid.`, typesParam);
    const automatic = automaticPaymentMethods(p);
    if (types && automatic?.enabled)
      throw invalidParam(
        `You may only specify one of these parameters: automatic_payment_methods, ${typesParam}.`,
        'automatic_payment_methods',
      );
    const paymentMethod = p.string('payment_method');
    if (paymentMethod !== undefined) testMethod(paymentMethod);
    const confirm = p.boolean('confirm') ?? false;
    const receiptEmail = p.string('receipt_email');
    if (receiptEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(receiptEmail))
      throw invalidParam('Invalid email address: receipt_email', 'receipt_email');
    const automaticPayment = types ? null : (automatic ?? { enabled: true, allow_redirects: 'always' });
    if (confirm) {
      if (!paymentMethod)
        throw invalidParam(
          "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
          'payment_method',
          'parameter_missing',
        );
      requireReturnUrl(automaticPayment, p.string('return_url'));
    }

    const intent = newPaymentIntent({
      amount,
      currency,
      captureMethod,
      created: this.store.seconds(),
      metadata: p.metadata() ?? {},
      paymentMethod: paymentMethod ?? null,
      allowedPaymentMethodTypes: types ?? null,
      paymentMethodOptions: { card: cardOptions(p) },
      automaticPaymentMethods: automaticPayment,
      receiptEmail: receiptEmail ?? null,
      description: p.string('description') ?? null,
    });
    this.store.intents.set(intent.id, intent);
    this.store.emit('payment_intent.created', renderIntent(this.store, intent), meta);
    if (confirm) this.attempt(intent, paymentMethod!, meta);
    return renderIntent(this.store, intent, expand);
  }

  retrieve(id: string, form: FormObject): Record<string, unknown> {
    const p = new Params(form, ['expand', 'client_secret']);
    const expand = checkExpand('payment_intent', p.strings('expand'));
    return renderIntent(this.store, this.mustIntent(id), expand);
  }

  confirm(id: string, form: FormObject, meta: RequestMeta): Record<string, unknown> {
    const p = new Params(form, ['payment_method', 'return_url', 'receipt_email', 'expand']);
    const expand = checkExpand('payment_intent', p.strings('expand'));
    const intent = this.mustIntent(id);
    const given = p.string('payment_method');
    if (given !== undefined) testMethod(given);
    const receiptEmail = p.string('receipt_email');
    if (!CONFIRMABLE.includes(intent.status))
      throw stateError(
        'payment_intent_unexpected_state',
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`,
      );
    const method = given ?? intent.payment_method;
    if (!method)
      throw invalidParam(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
        'payment_method',
        'parameter_missing',
      );
    requireReturnUrl(
      intent.automatic_payment_methods as { enabled: boolean; allow_redirects?: string } | null,
      p.string('return_url'),
    );
    if (receiptEmail !== undefined) intent.receipt_email = receiptEmail;
    this.attempt(intent, method, meta);
    return renderIntent(this.store, intent, expand);
  }

  /**
   * The customer's side of 3-D Secure (a test control, standing in for Stripe.js): `succeed`
   * authorises the intent as if the challenge was passed, `fail` returns it to
   * requires_payment_method with `payment_intent_authentication_failure`.
   */
  completeAction(id: string, outcome: 'succeed' | 'fail'): Record<string, unknown> {
    const intent = this.mustIntent(id);
    if (intent.status !== 'requires_action')
      throw stateError(
        'payment_intent_unexpected_state',
        `The PaymentIntent has a status of ${intent.status}, not requires_action.`,
      );
    const card = TEST_PAYMENT_METHODS[intent.payment_method ?? '']!;
    intent.next_action = null;
    if (outcome === 'succeed') {
      this.authorise(intent, card, null);
    } else {
      intent.last_payment_error = {
        type: 'invalid_request_error',
        code: 'payment_intent_authentication_failure',
        message:
          'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
        doc_url: 'https://docs.stripe.com/error-codes/payment-intent-authentication-failure',
        payment_method: paymentMethodObject(intent.payment_method!, card, this.store.seconds()),
      };
      intent.payment_method = null;
      intent.status = 'requires_payment_method';
      this.store.effect('decline', intent.id, 0, null, null);
      this.store.emit('payment_intent.payment_failed', renderIntent(this.store, intent), null);
    }
    return renderIntent(this.store, intent);
  }

  capture(id: string, form: FormObject, meta: RequestMeta): Record<string, unknown> {
    const p = new Params(form, [
      'amount_to_capture',
      'final_capture',
      'metadata',
      'expand',
      'statement_descriptor',
      'statement_descriptor_suffix',
    ]);
    const expand = checkExpand('payment_intent', p.strings('expand'));
    const requested = p.integer('amount_to_capture', 0);
    const final = p.boolean('final_capture') ?? true;
    const metadata = p.metadata();
    const intent = this.mustIntent(id);
    if (intent.status !== 'requires_capture')
      throw stateError(
        'payment_intent_unexpected_state',
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      );
    const charge = this.store.chargeOf(intent);
    if (!charge) throw stateError('payment_intent_unexpected_state', 'This PaymentIntent has no authorised charge.');
    const amount = requested ?? intent.amount_capturable;
    // A zero capture only closes a multicapture whose earlier captures took something.
    if (amount === 0 && !(final && intent.amount_received > 0))
      throw stateError('parameter_invalid_integer', 'amount_to_capture must be greater than 0.', 'amount_to_capture');
    if (amount > intent.amount_capturable)
      throw stateError(
        'amount_too_large',
        `The amount to capture (${amount}) is greater than the amount capturable (${intent.amount_capturable}).`,
        'amount_to_capture',
      );
    const multicapture = charge.payment_method_details.card.multicapture as { status?: string } | undefined;
    if (!final && multicapture?.status !== 'available')
      throw stateError(
        'payment_intent_unexpected_state',
        'final_capture=false is only allowed when multicapture is available for the charge (create the PaymentIntent with payment_method_options[card][request_multicapture]=if_available).',
        'final_capture',
      );
    if (metadata) Object.assign(intent.metadata, metadata);
    charge.amount_captured += amount;
    charge.captured = charge.amount_captured > 0;
    intent.amount_received += amount;
    intent.amount_capturable = final ? 0 : intent.amount_capturable - amount;
    if (intent.amount_capturable === 0) {
      intent.status = 'succeeded';
      this.store.holds.delete(intent.id);
    }
    this.store.effect('capture', intent.id, amount, charge.id, meta);
    if (amount > 0) this.store.emit('charge.captured', renderCharge(this.store, charge), meta);
    this.store.emit(
      intent.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated',
      renderIntent(this.store, intent),
      meta,
    );
    return renderIntent(this.store, intent, expand);
  }

  cancel(id: string, form: FormObject, meta: RequestMeta): Record<string, unknown> {
    const p = new Params(form, ['cancellation_reason', 'expand']);
    const expand = checkExpand('payment_intent', p.strings('expand'));
    const reason = p.oneOf('cancellation_reason', CANCELLATION_REASONS) ?? null;
    const intent = this.mustIntent(id);
    if (!CANCELABLE.includes(intent.status) || intent.amount_received > 0)
      throw stateError(
        'payment_intent_unexpected_state',
        intent.amount_received > 0
          ? `You cannot cancel this PaymentIntent because ${intent.amount_received} of it has been captured. Refund it instead.`
          : `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      );
    const released = intent.amount_capturable;
    intent.status = 'canceled';
    intent.canceled_at = this.store.seconds();
    intent.cancellation_reason = reason;
    intent.amount_capturable = 0;
    intent.next_action = null;
    this.store.holds.delete(intent.id);
    this.store.effect('cancel', intent.id, released, null, meta);
    this.store.emit('payment_intent.canceled', renderIntent(this.store, intent), meta);
    return renderIntent(this.store, intent, expand);
  }

  /**
   * Uncaptured authorisations past their `capture_before` lapse, as on Stripe: canceled with
   * reason `automatic`; one whose multicapture took part of it is closed as succeeded.
   */
  expireHolds(): number {
    const now = this.store.seconds();
    let expired = 0;
    for (const id of [...this.store.holds]) {
      const intent = this.store.intents.get(id)!;
      const captureBefore = this.store.chargeOf(intent)?.payment_method_details.card.capture_before;
      if (captureBefore === undefined || captureBefore > now) continue;
      this.store.holds.delete(id);
      const released = intent.amount_capturable;
      intent.amount_capturable = 0;
      if (intent.amount_received > 0) {
        intent.status = 'succeeded';
      } else {
        intent.status = 'canceled';
        intent.canceled_at = captureBefore;
        intent.cancellation_reason = 'automatic';
      }
      this.store.effect('expire', id, released, null, null);
      this.store.emit(
        intent.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.canceled',
        renderIntent(this.store, intent),
        null,
      );
      expired++;
    }
    return expired;
  }

  mustIntent(id: string): PaymentIntentObject {
    const intent = this.store.intents.get(id);
    if (!intent) throw resourceMissing('payment_intent', id);
    return intent;
  }

  /** Confirms with a test method: authorised, declined (402, stored) or 3-D Secure required. */
  private attempt(intent: PaymentIntentObject, methodId: string, meta: RequestMeta): void {
    const card = testMethod(methodId);
    intent.payment_method = methodId;
    intent.last_payment_error = null;
    intent.next_action = null;
    const outcome = card.outcome;
    if (outcome.kind === 'authorised') return this.authorise(intent, card, meta);
    if (outcome.kind === 'requires_action') {
      intent.status = 'requires_action';
      intent.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'stripe_3ds2_fingerprint',
          directory_server_name: card.brand,
          merchant: 'acct_simulator',
          server_transaction_id: randomUUID(),
          three_d_secure_2_source: stripeId('payatt'),
        },
      };
      this.store.effect('requires_action', intent.id, 0, null, meta);
      this.store.emit('payment_intent.requires_action', renderIntent(this.store, intent), meta);
      return;
    }
    const charge = newCharge({
      intent,
      card,
      created: this.store.seconds(),
      captureBefore: null,
      multicapture: false,
      failure: outcome,
    });
    this.store.charges.set(charge.id, charge);
    const method = paymentMethodObject(methodId, card, this.store.seconds());
    intent.latest_charge = charge.id;
    intent.payment_method = null;
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'card_error',
      code: outcome.code,
      decline_code: outcome.declineCode,
      message: outcome.message,
      doc_url: `https://docs.stripe.com/error-codes/${outcome.code.replaceAll('_', '-')}`,
      charge: charge.id,
      payment_method: method,
    };
    this.store.effect('decline', intent.id, 0, charge.id, meta);
    this.store.emit('charge.failed', renderCharge(this.store, charge), meta);
    this.store.emit('payment_intent.payment_failed', renderIntent(this.store, intent), meta);
    throw new StripeApiError(
      402,
      {
        type: 'card_error',
        code: outcome.code,
        decline_code: outcome.declineCode,
        message: outcome.message,
        doc_url: intent.last_payment_error.doc_url,
        charge: charge.id,
        payment_intent: renderIntent(this.store, intent),
        payment_method: method,
        request_log_url: `https://dashboard.stripe.com/test/logs/${meta.requestId}`,
      },
      true,
    );
  }

  private authorise(intent: PaymentIntentObject, card: TestPaymentMethod, meta: RequestMeta | null): void {
    const manual = intent.capture_method === 'manual';
    const cardOptions = (intent.payment_method_options.card ?? {}) as { request_multicapture?: string };
    const charge = newCharge({
      intent,
      card,
      created: this.store.seconds(),
      captureBefore: manual ? this.store.seconds() + this.store.authorisationSeconds : null,
      multicapture: manual && cardOptions.request_multicapture === 'if_available',
      failure: null,
    });
    this.store.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    if (manual) {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      this.store.holds.add(intent.id);
      this.store.effect('authorise', intent.id, intent.amount, charge.id, meta);
      this.store.emit('charge.succeeded', renderCharge(this.store, charge), meta);
      this.store.emit('payment_intent.amount_capturable_updated', renderIntent(this.store, intent), meta);
      return;
    }
    charge.captured = true;
    charge.amount_captured = intent.amount;
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    this.store.effect('authorise', intent.id, intent.amount, charge.id, meta);
    this.store.effect('capture', intent.id, intent.amount, charge.id, meta);
    this.store.emit('charge.succeeded', renderCharge(this.store, charge), meta);
    this.store.emit('payment_intent.succeeded', renderIntent(this.store, intent), meta);
  }
}

function testMethod(id: string): TestPaymentMethod {
  const card = TEST_PAYMENT_METHODS[id];
  if (!card)
    throw new StripeApiError(
      400,
      {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'payment_method',
        message: `No such PaymentMethod: '${id.slice(0, 100)}'`,
        doc_url: 'https://docs.stripe.com/error-codes/resource-missing',
      },
      false,
    );
  return card;
}

function automaticPaymentMethods(p: Params): { enabled: boolean; allow_redirects?: string } | undefined {
  const hash = p.hash('automatic_payment_methods');
  if (!hash) return undefined;
  const inner = new Params(hash, ['enabled', 'allow_redirects']);
  const enabled = inner.boolean('enabled');
  if (enabled === undefined) throw missingParam('automatic_payment_methods[enabled]');
  const allowRedirects = inner.oneOf('allow_redirects', ['always', 'never']);
  return { enabled, ...(allowRedirects ? { allow_redirects: allowRedirects } : {}) };
}

function cardOptions(p: Params): Record<string, unknown> {
  const options = p.hash('payment_method_options');
  const card = options ? new Params(options, ['card']).hash('card') : undefined;
  const read = card
    ? new Params(card, ['request_multicapture', 'capture_method', 'request_three_d_secure'])
    : undefined;
  return {
    installments: null,
    mandate_options: null,
    network: null,
    request_three_d_secure: read?.oneOf('request_three_d_secure', ['automatic', 'any', 'challenge']) ?? 'automatic',
    ...(read?.has('request_multicapture')
      ? { request_multicapture: read.oneOf('request_multicapture', ['if_available', 'never']) }
      : {}),
    ...(read?.has('capture_method') ? { capture_method: read.oneOf('capture_method', ['manual']) } : {}),
  };
}

/**
 * Confirming server-side with automatic payment methods that may redirect needs a return_url;
 * Stripe refuses it otherwise (cards-only intents and `allow_redirects=never` do not).
 */
function requireReturnUrl(
  automatic: { enabled: boolean; allow_redirects?: string } | null,
  returnUrl: string | undefined,
): void {
  if (automatic?.enabled && automatic.allow_redirects !== 'never' && !returnUrl)
    throw invalidParam(
      "This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.",
      'return_url',
      'parameter_missing',
    );
}
