import { AMAZON_MARKETPLACES } from '../../domain/channels/amazon-marketplaces.js';

/**
 * Each known marketplace's currency. An order whose payment is not authorised yet (PENDING)
 * carries no money at all, so its currency comes from its marketplace.
 */
export const MARKETPLACE_CURRENCIES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(AMAZON_MARKETPLACES).map(([id, m]) => [id, m.currency]),
);
