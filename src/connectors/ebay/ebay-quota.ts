/**
 * eBay's daily call quotas, per application and API (CONNECTORS.md §3). The published defaults
 * name Notification (10,000 a day) and the token endpoint (refresh grants 50,000 a day); the Sell
 * Fulfillment and Inventory figures are the app's own (Developer Analytics getRateLimits), so the
 * defaults below are the conservative figures the simulator also enforces. Counters reset at
 * 00:00 UTC, as the simulator's do.
 */
export const EBAY_APIS = ['identity', 'fulfillment', 'inventory', 'notification'] as const;
export type EbayApi = (typeof EBAY_APIS)[number];

export const EBAY_DAILY_QUOTAS: Readonly<Record<EbayApi, number>> = {
  identity: 50_000,
  fulfillment: 100_000,
  inventory: 100_000,
  notification: 10_000,
};

/** The API a request path counts against. */
export function ebayApiOf(path: string): EbayApi {
  if (path.startsWith('/identity/')) return 'identity';
  if (path.startsWith('/sell/inventory/')) return 'inventory';
  if (path.startsWith('/commerce/notification/')) return 'notification';
  return 'fulfillment';
}

/** When the daily counters of the UTC day holding `now` reset: the next 00:00 UTC. */
export function nextQuotaReset(now: number): number {
  const day = new Date(now);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
}

export interface EbayQuotaUse {
  api: EbayApi;
  limit: number;
  used: number;
  remaining: number;
  resetsAt: Date;
}

/**
 * Where an app's daily counts are kept (Redis in the hub, shared by every worker and process).
 * `spend` counts one call before it is made and refuses, counting nothing, once the day's quota
 * is spent: the caller then waits for `retryAfterMs` (until the reset) instead of calling.
 */
export interface EbayQuota {
  spend(api: EbayApi): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  usage(): Promise<EbayQuotaUse[]>;
}
