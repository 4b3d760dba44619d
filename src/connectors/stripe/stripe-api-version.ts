import type Stripe from 'stripe';

/**
 * The API version `stripe@23.2.0` types (its `apiVersion.js`). Pinned, not left to the account's
 * default, so what Stripe returns changes only with a code change; the simulator answers in it.
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = '2026-11-18.endive';
