/**
 * When a billing address that does not match the shipping address puts a new order ON_HOLD
 * (ORDER_HOLD_ON_ADDRESS_MISMATCH; the rule itself is in src/domain/orders/hold-rules.ts):
 * - `off`: never;
 * - `country`: the billing and shipping countries differ;
 * - `postal`: the countries differ, or both addresses have a postal code and the codes differ
 *   once case and whitespace are ignored ("sw1a 1aa" = "SW1A1AA").
 * An order without a billing address, or without a shipping address, never mismatches.
 *
 * Declared here, not in the domain, because config imports nothing of ours; the domain takes
 * the list from here (config is the lower layer).
 */
export const ADDRESS_MISMATCH_POLICIES = ['off', 'country', 'postal'] as const;
export type AddressMismatchPolicy = (typeof ADDRESS_MISMATCH_POLICIES)[number];
