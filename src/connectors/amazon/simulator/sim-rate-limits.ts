/**
 * SP-API usage plans as the simulator enforces them: a token bucket per operation (and per
 * seller, since the simulator is one seller), `rate` tokens a second up to `burst`. The figures
 * are the default usage plans in the official models (CONNECTORS.md §2: searchOrders about 20
 * an hour, burst 20).
 */
export interface UsagePlan {
  rate: number;
  burst: number;
}

export const SP_API_USAGE_PLANS = {
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  patchListingsItem: { rate: 5, burst: 5 },
} as const satisfies Record<string, UsagePlan>;

export type SpApiOperation = keyof typeof SP_API_USAGE_PLANS;

/** One bucket: starts full, refills continuously at `rate` per second, never above `burst`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly plan: UsagePlan,
    private readonly now: () => number,
  ) {
    this.tokens = plan.burst;
    this.at = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  get available(): number {
    this.refill();
    return this.tokens;
  }

  /** Milliseconds until one whole token is back (0 when one is there). */
  get msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.plan.rate) * 1000);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.plan.burst, this.tokens + ((now - this.at) / 1000) * this.plan.rate);
    this.at = now;
  }
}
