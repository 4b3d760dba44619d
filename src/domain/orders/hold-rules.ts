import type { AddressMismatchPolicy } from '../../config/address-mismatch-policies.js';
import type { PostalAddress } from '../address.js';

/** The hold rules' settings (config ORDER_HOLD_TOTAL_ABOVE and ORDER_HOLD_ON_ADDRESS_MISMATCH). */
export interface HoldPolicy {
  /** Orders whose total (minor units) is above this are held; null: never. */
  holdTotalAbove: number | null;
  /** Absent: `off`; the values are explained in config/address-mismatch-policies.ts. */
  holdOnAddressMismatch?: AddressMismatchPolicy;
}

/** What the hold rules look at: the order as it is about to be confirmed. */
export interface HoldFacts {
  /** Minor units. */
  total: number;
  currency: string;
  shippingAddress: Pick<PostalAddress, 'countryCode' | 'postalCode'> | null | undefined;
  billingAddress: Pick<PostalAddress, 'countryCode' | 'postalCode'> | null | undefined;
}

/** Why the order must be reviewed before payment and allocation, one reason per rule hit; empty: no hold. */
export function holdReasons(order: HoldFacts, policy: HoldPolicy): string[] {
  const reasons: string[] = [];
  if (policy.holdTotalAbove !== null && order.total > policy.holdTotalAbove) {
    reasons.push(`total ${order.total} ${order.currency} is above the review threshold ${policy.holdTotalAbove}`);
  }
  const mismatch = addressMismatch(order.billingAddress, order.shippingAddress, policy.holdOnAddressMismatch ?? 'off');
  if (mismatch) reasons.push(mismatch);
  return reasons;
}

/** The reasons as the one `holdReason` an order carries. */
export function joinHoldReasons(reasons: readonly string[]): string {
  return reasons.join('; ');
}

/** Postal codes compared without case or whitespace. */
export function normalisePostalCode(code: string | null | undefined): string | null {
  const value = (code ?? '').replace(/\s+/g, '').toUpperCase();
  return value || null;
}

function addressMismatch(
  billing: HoldFacts['billingAddress'],
  shipping: HoldFacts['shippingAddress'],
  policy: AddressMismatchPolicy,
): string | null {
  if (policy === 'off' || !billing || !shipping) return null;
  const billingCountry = (billing.countryCode ?? '').trim().toUpperCase();
  const shippingCountry = (shipping.countryCode ?? '').trim().toUpperCase();
  if (billingCountry !== shippingCountry) {
    return `billing address country ${billingCountry} differs from shipping address country ${shippingCountry}`;
  }
  if (policy === 'postal') {
    const billingPostal = normalisePostalCode(billing.postalCode);
    const shippingPostal = normalisePostalCode(shipping.postalCode);
    // The codes themselves stay out of the reason: it is kept after a GDPR erasure, codes are personal.
    if (billingPostal !== null && shippingPostal !== null && billingPostal !== shippingPostal) {
      return 'billing address postal code differs from the shipping address postal code';
    }
  }
  return null;
}
