import { readFileSync } from 'node:fs';

/**
 * stripe/openapi's fixtures3 objects (`event`, `payment_intent`, `charge`, `refund`), kept
 * unchanged in test/fixtures/stripe (a copy of ../shared/fixtures/stripe).
 */
export const STRIPE_FIXTURES_FILE = new URL('../fixtures/stripe/fixtures3.subset.json', import.meta.url);

export interface StripeFixtures {
  event: Record<string, unknown> & { id: string; type: string; created: number };
  payment_intent: Record<string, unknown> & { id: string };
  charge: Record<string, unknown>;
  refund: Record<string, unknown>;
}

export function stripeFixtures(): StripeFixtures {
  return JSON.parse(readFileSync(STRIPE_FIXTURES_FILE, 'utf8')) as StripeFixtures;
}
