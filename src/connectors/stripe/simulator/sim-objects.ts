import { randomBytes } from 'node:crypto';
import type { TestPaymentMethod } from './test-payment-methods.js';

/**
 * The objects the simulator keeps and answers with, in Stripe's shapes: every key of the
 * `payment_intent`, `charge`, `refund` and `event` objects of stripe/openapi's fixtures3 (see
 * ../shared/fixtures/stripe), plus the documented fields the hub reads (`capture_before`).
 * Times are Unix seconds, amounts integer minor units, as Stripe sends them.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `pi_3Qx…`: Stripe ids are a prefix and 24 base62 characters. */
export function stripeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return `${prefix}_${out}`;
}

export type IntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface LastPaymentError {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  decline_code?: string;
  message: string;
  doc_url: string;
  charge?: string;
  payment_method?: Record<string, unknown>;
}

export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: IntentStatus;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string;
  created: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  metadata: Record<string, string>;
  next_action: Record<string, unknown> | null;
  payment_method: string | null;
  payment_method_types: string[];
  payment_method_options: Record<string, unknown>;
  receipt_email: string | null;
  description: string | null;
  [field: string]: unknown;
}

export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  disputed: boolean;
  paid: boolean;
  refunded: boolean;
  status: 'succeeded' | 'pending' | 'failed';
  payment_intent: string | null;
  payment_method: string | null;
  payment_method_details: { card: Record<string, unknown> & { capture_before?: number }; type: 'card' };
  failure_code: string | null;
  failure_message: string | null;
  [field: string]: unknown;
}

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  payment_intent: string | null;
  reason: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
  metadata: Record<string, string>;
  [field: string]: unknown;
}

export interface EventObject {
  id: string;
  object: 'event';
  api_version: string | null;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  [field: string]: unknown;
}

export function newPaymentIntent(fields: {
  amount: number;
  currency: string;
  captureMethod: PaymentIntentObject['capture_method'];
  created: number;
  metadata: Record<string, string>;
  paymentMethod: string | null;
  /** What the request restricted the intent to (cards only, for the hub); null: the account's methods. */
  allowedPaymentMethodTypes: string[] | null;
  paymentMethodOptions: Record<string, unknown>;
  automaticPaymentMethods: { enabled: boolean; allow_redirects?: string } | null;
  receiptEmail: string | null;
  description: string | null;
}): PaymentIntentObject {
  const id = stripeId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: fields.allowedPaymentMethodTypes,
    amount: fields.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: fields.automaticPaymentMethods,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: fields.captureMethod,
    client_secret: `${id}_secret_${stripeId('x', 25).slice(2)}`,
    confirmation_method: 'automatic',
    created: fields.created,
    currency: fields.currency,
    customer: null,
    customer_account: null,
    description: fields.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: { enabled: false },
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: fields.paymentMethodOptions,
    payment_method_types: fields.allowedPaymentMethodTypes ?? ['card'],
    payment_record: null,
    processing: null,
    receipt_email: fields.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: fields.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

/** The payment method object Stripe embeds in a card error and `last_payment_error`. */
export function paymentMethodObject(id: string, card: TestPaymentMethod, created: number): Record<string, unknown> {
  return {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: cardDetails(card),
    created,
    customer: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

function cardDetails(card: TestPaymentMethod): Record<string, unknown> {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    exp_month: 12,
    exp_year: 2034,
    fingerprint: `sim${card.last4}${card.brand}`,
    funding: card.funding,
    last4: card.last4,
    networks: { available: [card.brand], preferred: null },
    wallet: null,
  };
}

export function newCharge(fields: {
  intent: PaymentIntentObject;
  card: TestPaymentMethod;
  created: number;
  /** Unix seconds; set for an uncaptured authorisation. */
  captureBefore: number | null;
  multicapture: boolean;
  failure: { code: string; declineCode: string; message: string } | null;
}): ChargeObject {
  const { intent, card, failure } = fields;
  const id = stripeId('ch');
  return {
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'SWITCHYARD SIM',
    captured: false,
    created: fields.created,
    currency: intent.currency,
    customer: null,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...intent.metadata },
    on_behalf_of: null,
    outcome: failure
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'declined_by_network',
          reason: failure.declineCode,
          risk_level: 'normal',
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: !failure,
    payment_intent: intent.id,
    payment_method: intent.payment_method,
    payment_method_details: {
      card: {
        ...cardDetails(card),
        amount_authorized: failure ? null : intent.amount,
        authorization_code: failure ? null : '123456',
        ...(fields.captureBefore !== null ? { capture_before: fields.captureBefore } : {}),
        extended_authorization: { status: 'disabled' },
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        mandate: null,
        multicapture: { status: fields.multicapture ? 'available' : 'unavailable' },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: failure ? null : stripeId('ntx', 15).slice(4),
        overcapture: { maximum_amount_capturable: intent.amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
      },
      type: 'card',
    },
    receipt_email: intent.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: failure ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

export function newRefund(fields: {
  charge: ChargeObject;
  amount: number;
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
}): RefundObject {
  return {
    id: stripeId('re'),
    object: 'refund',
    amount: fields.amount,
    application: null,
    balance_transaction: null,
    charge: fields.charge.id,
    created: fields.created,
    currency: fields.charge.currency,
    customer: null,
    customer_account: null,
    destination_details: { card: { type: 'refund' }, type: 'card' },
    metadata: fields.metadata,
    payment_intent: fields.charge.payment_intent,
    payment_method: fields.charge.payment_method,
    reason: fields.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export function newDispute(charge: ChargeObject, reason: string, created: number): Record<string, unknown> {
  return {
    id: stripeId('dp'),
    object: 'dispute',
    amount: charge.amount_captured > 0 ? charge.amount_captured : charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {},
    evidence_details: { due_by: created + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: charge.payment_method_details.card.brand, network_reason_code: '10.4' },
      type: 'card',
    },
    reason,
    status: 'needs_response',
  };
}

export function newEarlyFraudWarning(
  charge: ChargeObject,
  fraudType: string,
  created: number,
): Record<string, unknown> {
  return {
    id: stripeId('issfr'),
    object: 'radar.early_fraud_warning',
    actionable: true,
    charge: charge.id,
    created,
    fraud_type: fraudType,
    livemode: false,
    payment_intent: charge.payment_intent,
  };
}

export function newEvent(fields: {
  type: string;
  object: Record<string, unknown>;
  created: number;
  apiVersion: string;
  request: { id: string | null; idempotency_key: string | null };
  previousAttributes?: Record<string, unknown>;
}): EventObject {
  return {
    id: stripeId('evt'),
    object: 'event',
    api_version: fields.apiVersion,
    created: fields.created,
    data: {
      // A snapshot: later changes to the object never show in an event already made.
      object: structuredClone(fields.object),
      ...(fields.previousAttributes ? { previous_attributes: fields.previousAttributes } : {}),
    },
    livemode: false,
    pending_webhooks: 0,
    request: fields.request,
    type: fields.type,
  };
}
