import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import {
  EBAY_APIS,
  EBAY_DAILY_QUOTAS,
  nextQuotaReset,
  type EbayApi,
  type EbayQuota,
  type EbayQuotaUse,
} from '../connectors/ebay/ebay-quota.js';

/**
 * Counts one call unless the day's quota is spent, atomically (concurrent jobs in any process
 * cannot both take the last call). KEYS[1] the day's counter; ARGV: limit, expire-at (ms).
 * Returns the count after this call, or -1 when refused (nothing counted).
 */
const SPEND = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return -1 end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return used`;

/** An eBay application as its quotas know it: the same app through the same endpoint shares them. */
export function ebayAppKey(endpoint: string | null, clientId: string): string {
  return createHash('sha256')
    .update(`${endpoint ?? ''}\n${clientId}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * An eBay app's daily quotas in Redis, one counter per API and UTC day, shared by every worker
 * and process of the hub (the platform counts per app, not per process). Counters outlive their
 * day by one more day, then go.
 */
export class RedisEbayQuota implements EbayQuota {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly app: string,
    private readonly limits: Readonly<Record<EbayApi, number>> = EBAY_DAILY_QUOTAS,
    private readonly now: () => number = Date.now,
  ) {}

  private key(api: EbayApi, at: number): string {
    return `${this.prefix}:ebay-quota:${this.app}:${api}:${new Date(at).toISOString().slice(0, 10)}`;
  }

  async spend(api: EbayApi): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    const at = this.now();
    const reset = nextQuotaReset(at);
    const used = (await this.redis.eval(SPEND, 1, this.key(api, at), this.limits[api], reset + 86_400_000)) as number;
    return used < 0 ? { ok: false, retryAfterMs: Math.max(1, reset - at) } : { ok: true };
  }

  async usage(): Promise<EbayQuotaUse[]> {
    const at = this.now();
    const counts = await this.redis.mget(...EBAY_APIS.map((api) => this.key(api, at)));
    return EBAY_APIS.map((api, i) => {
      const limit = this.limits[api];
      const used = Math.min(limit, Number(counts[i] ?? 0));
      return { api, limit, used, remaining: limit - used, resetsAt: new Date(nextQuotaReset(at)) };
    });
  }
}
