import { validateAddress, type PostalAddress } from '../address.js';
import { badInput } from '../errors.js';
import { currencyCode, emailAddress } from '../input-formats.js';
import { checkAmount, MAX_LINE_QUANTITY, MAX_ORDER_TOTAL } from '../input-limits.js';
import { ORDER_SOURCES, type OrderSource } from './order.entity.js';

/** What a caller sends to place an order (GraphQL input, CLI, tests). */
export interface PlaceOrderInput {
  idempotencyKey?: string | null;
  channelId?: string | null;
  externalId?: string | null;
  source?: string | null;
  currency: string;
  customer?: { email?: string | null; name?: string | null; phone?: string | null } | null;
  shippingAddress?: PostalAddress | null;
  /** Optional; validated like the shipping address. Hold rules may compare the two. */
  billingAddress?: PostalAddress | null;
  lines: { sku: string; quantity: number }[];
  shippingAmount?: number | null;
  taxAmount?: number | null;
  discountAmount?: number | null;
  /** When given, must equal lines + shipping + tax − discount: catches client/server price drift. */
  expectedTotalAmount?: number | null;
  purchaseOrderNumber?: string | null;
  paymentTerms?: string | null;
  /**
   * A card payment method for the gateway (`pm_card_visa`, …), for direct orders when the hub
   * takes card payments (STRIPE_SECRET_KEY). Without one, the payment waits for the storefront
   * to confirm it with the client secret (`Order.payment.clientSecret`).
   */
  paymentMethod?: string | null;
}

export interface ValidPlaceOrderInput {
  idempotencyKey: string | null;
  channelId: string;
  externalId: string | null;
  source: OrderSource;
  currency: string;
  customer: { email: string | null; name: string | null; phone: string | null } | null;
  shippingAddress: PostalAddress | null;
  /**
   * `undefined` (not null) when none was sent: the idempotency fingerprint hashes this object as
   * JSON, and an absent key keeps the fingerprints of orders without one what they were before
   * billing addresses existed.
   */
  billingAddress: PostalAddress | undefined;
  lines: { sku: string; quantity: number }[];
  shippingAmount: number;
  taxAmount: number;
  discountAmount: number;
  expectedTotalAmount: number | null;
  purchaseOrderNumber: string | null;
  paymentTerms: string | null;
  /** `undefined` when none was sent, as `billingAddress`: the fingerprints of other orders stay as they were. */
  paymentMethod: string | undefined;
}

export const MAX_ORDER_LINES = 250;
const KEY = /^[A-Za-z0-9._:-]{1,128}$/;
/** A gateway's payment method id (Stripe's `pm_…`; its test methods too, e.g. pm_card_visa). Never card data. */
const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,200}$/;

function paymentMethodOf(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  // A card number never reaches the hub (RELIABILITY S9): the storefront tokenises it with Stripe.
  if (/\d{13,}/.test(v))
    throw badInput(
      'paymentMethod',
      'looks like a card number: send the payment method id Stripe.js made, never card data',
    );
  if (!PAYMENT_METHOD.test(v))
    throw badInput(
      'paymentMethod',
      'must be a payment method id such as pm_card_visa (pm_ and 1 to 200 letters, digits or _)',
    );
  return v;
}

const amount = (field: string, value: number | null | undefined): number =>
  checkAmount(field, value ?? 0, MAX_ORDER_TOTAL);

/**
 * An optional identifier: absent (null/undefined) means "none" (or the default), but a blank
 * string is refused — a client that sends `""` has a bug, and treating it as absent would, for
 * an idempotency key, silently drop the retry protection it asked for.
 */
function optionalId(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (!v) throw badInput(field, 'must not be blank: leave it out (or null) instead');
  return v;
}

function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  const v = value?.trim();
  if (!v) return null;
  if (v.length > max) throw badInput(field, `must be at most ${max} characters`, { max });
  return v;
}

/** Checks the shape of an order before any database work; errors name the field and the rule. */
export function validatePlaceOrderInput(input: PlaceOrderInput, defaultChannelId: string): ValidPlaceOrderInput {
  const idempotencyKey = optionalId('idempotencyKey', input.idempotencyKey);
  if (idempotencyKey !== null && !KEY.test(idempotencyKey))
    throw badInput('idempotencyKey', 'must be 1 to 128 letters, digits or . _ : -');
  const channelId = optionalId('channelId', input.channelId);
  const currency = currencyCode('currency', input.currency);
  const source = (input.source ?? 'web') as OrderSource;
  if (!ORDER_SOURCES.includes(source))
    throw badInput('source', `must be one of ${ORDER_SOURCES.join(', ')}`, { allowed: ORDER_SOURCES });

  if (!Array.isArray(input.lines) || input.lines.length === 0) throw badInput('lines', 'must hold at least one line');
  if (input.lines.length > MAX_ORDER_LINES)
    throw badInput('lines', `must hold at most ${MAX_ORDER_LINES} lines`, { max: MAX_ORDER_LINES });
  const seen = new Set<string>();
  const lines = input.lines.map((line, i) => {
    const sku = (line.sku ?? '').trim();
    if (!sku || sku.length > 100) throw badInput(`lines[${i}].sku`, 'must be 1 to 100 characters');
    if (seen.has(sku)) throw badInput(`lines[${i}].sku`, `${sku} appears twice; put the whole quantity on one line`);
    seen.add(sku);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw badInput(
        `lines[${i}].quantity`,
        `must be a whole number from 1 to ${MAX_LINE_QUANTITY}, got ${line.quantity}`,
        { min: 1, max: MAX_LINE_QUANTITY },
      );
    }
    return { sku, quantity: line.quantity };
  });

  let customer: ValidPlaceOrderInput['customer'] = null;
  if (input.customer) {
    const email = input.customer.email;
    customer = {
      email: email === null || email === undefined ? null : emailAddress('customer.email', email),
      name: optionalText('customer.name', input.customer.name, 200),
      phone: optionalText('customer.phone', input.customer.phone, 40),
    };
  }
  const expected = input.expectedTotalAmount;
  return {
    idempotencyKey,
    channelId: channelId ?? defaultChannelId,
    externalId: optionalText('externalId', input.externalId, 128),
    source,
    currency,
    customer,
    shippingAddress: input.shippingAddress ? validateAddress('shippingAddress', input.shippingAddress) : null,
    billingAddress: input.billingAddress ? validateAddress('billingAddress', input.billingAddress) : undefined,
    lines,
    shippingAmount: amount('shippingAmount', input.shippingAmount),
    taxAmount: amount('taxAmount', input.taxAmount),
    discountAmount: amount('discountAmount', input.discountAmount),
    expectedTotalAmount: expected === null || expected === undefined ? null : amount('expectedTotalAmount', expected),
    purchaseOrderNumber: optionalText('purchaseOrderNumber', input.purchaseOrderNumber, 64),
    paymentTerms: optionalText('paymentTerms', input.paymentTerms, 32),
    paymentMethod: paymentMethodOf(input.paymentMethod),
  };
}
