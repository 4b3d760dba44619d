/**
 * Shopify's calculated-cost leaky bucket, per app and store: `maximumAvailable` points, refilled
 * at `restoreRate` points per second, never below 0. A call whose cost exceeds what is available
 * is refused (THROTTLED) and charges nothing.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class CostBucket {
  private available: number;
  private at: number;

  constructor(
    readonly maximum: number,
    readonly restoreRate: number,
    private readonly now: () => number,
  ) {
    this.available = maximum;
    this.at = now();
  }

  /** Refills for the time passed, then reports. */
  status(): ThrottleStatus {
    const now = this.now();
    this.available = Math.min(this.maximum, this.available + ((now - this.at) / 1000) * this.restoreRate);
    this.at = now;
    return {
      maximumAvailable: this.maximum,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }

  /** Takes `cost` points if available; false (and nothing taken) when not. */
  take(cost: number): boolean {
    this.status();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Test hook: empty or refill the bucket. */
  set(available: number): void {
    this.status();
    this.available = Math.max(0, Math.min(this.maximum, available));
  }
}

/** Mutations cost 10 points on Shopify. */
export const MUTATION_COST = 10;

/**
 * A query's cost: one point per object it returns (scalars are free), at least 1. Shopify prices
 * a query up front from `first` × nested sizes and refunds the difference afterwards; pricing by
 * what is returned keeps the same bucket mechanics while letting the contract's
 * `lineItems(first: 250)` through (docs/ARCHITECTURE.md, "Connectors").
 */
export function objectCost(data: unknown): number {
  let cost = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      cost += 1;
      Object.values(v).forEach(walk);
    }
  };
  walk(data);
  return Math.max(1, cost - 1);
}
