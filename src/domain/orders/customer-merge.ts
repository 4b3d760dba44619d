import type { Customer } from './customer.entity.js';

/**
 * What an order teaches us about a customer we already know (same email): the contact fields
 * listed here are filled in where the customer has none, and never overwritten. The general
 * path applies it to the entity (mergeKnownCustomer), the one-statement placement builds its
 * `update customer` from the same list (placement-write.ts), so a new field reaches both.
 * Column names equal the property names.
 */
export const KNOWN_CUSTOMER_FILLS = ['name', 'phone'] as const satisfies readonly (keyof Customer)[];

export type CustomerContact = { [F in (typeof KNOWN_CUSTOMER_FILLS)[number]]?: string | null };

/** Fills the known customer's blank contact fields from the order's. */
export function mergeKnownCustomer(existing: CustomerContact, given: CustomerContact): void {
  for (const field of KNOWN_CUSTOMER_FILLS) existing[field] ??= given[field];
}
