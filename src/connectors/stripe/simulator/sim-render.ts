import { invalidParam } from './sim-errors.js';
import type { ChargeObject, PaymentIntentObject, RefundObject } from './sim-objects.js';
import type { SimStore } from './sim-store.js';

/**
 * Objects as the API answers them: copies (a caller never holds the simulator's state), with a
 * charge's refund list filled in and the fields named in `expand[]` replaced by their objects.
 */

const EXPANDABLE: Readonly<Record<string, readonly string[]>> = {
  payment_intent: ['latest_charge', 'payment_method'],
  charge: ['payment_intent'],
  refund: ['charge', 'payment_intent'],
};

/** Refuses an `expand[]` the object does not offer, before the endpoint runs (as Stripe does). */
export function checkExpand(kind: keyof typeof EXPANDABLE, expand: readonly string[] | undefined): string[] {
  const list = [...(expand ?? [])];
  for (const field of list) {
    if (!EXPANDABLE[kind]!.includes(field))
      throw invalidParam(`This property cannot be expanded (${field.slice(0, 80)}).`, 'expand');
  }
  return list;
}

export function renderCharge(
  store: SimStore,
  charge: ChargeObject,
  expand: readonly string[] = [],
): Record<string, unknown> {
  const copy = structuredClone(charge) as Record<string, unknown>;
  const refunds = [...store.refunds.values()].filter((r) => r.charge === charge.id).reverse();
  copy.refunds = {
    object: 'list',
    data: structuredClone(refunds),
    has_more: false,
    url: `/v1/charges/${charge.id}/refunds`,
  };
  if (expand.includes('payment_intent') && charge.payment_intent) {
    const intent = store.intents.get(charge.payment_intent);
    if (intent) copy.payment_intent = renderIntent(store, intent);
  }
  return copy;
}

export function renderIntent(
  store: SimStore,
  intent: PaymentIntentObject,
  expand: readonly string[] = [],
): Record<string, unknown> {
  const copy = structuredClone(intent) as Record<string, unknown>;
  if (expand.includes('latest_charge')) {
    const charge = store.chargeOf(intent);
    copy.latest_charge = charge ? renderCharge(store, charge) : null;
  }
  if (expand.includes('payment_method') && intent.payment_method) {
    copy.payment_method = { id: intent.payment_method, object: 'payment_method', type: 'card' };
  }
  return copy;
}

export function renderRefund(
  store: SimStore,
  refund: RefundObject,
  expand: readonly string[] = [],
): Record<string, unknown> {
  const copy = structuredClone(refund) as Record<string, unknown>;
  if (expand.includes('charge')) {
    const charge = store.charges.get(refund.charge);
    if (charge) copy.charge = renderCharge(store, charge);
  }
  if (expand.includes('payment_intent') && refund.payment_intent) {
    const intent = store.intents.get(refund.payment_intent);
    if (intent) copy.payment_intent = renderIntent(store, intent);
  }
  return copy;
}
