import type { ChannelOrder } from '../domain/channels/channel-order.js';

/**
 * Every platform error, mapped in one place per connector into this closed set. Jobs decide on
 * the kind alone: RATE_LIMITED waits `retryAfterMs` (BullMQ's rate limiter), TRANSIENT retries
 * with backoff and jitter, AUTH and INVALID fail at once (UnrecoverableError) and mark the
 * channel's health, NOT_FOUND is the caller's to interpret.
 */
export type PlatformErrorKind = 'AUTH' | 'NOT_FOUND' | 'RATE_LIMITED' | 'TRANSIENT' | 'INVALID';

export class PlatformError extends Error {
  constructor(
    readonly kind: PlatformErrorKind,
    message: string,
    /** For RATE_LIMITED: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

/** A platform's published rate for one operation: a bucket of `burst` calls refilling at `ratePerSecond`. */
export interface CallBudget {
  /** Whose bucket: the platform counts per seller and app (Amazon), so channels of one seller share it. */
  key: string;
  /** The published rate, used until the platform announces one. */
  ratePerSecond: number;
  burst: number;
  /** The rate the platform announced on its last answer (Amazon's x-amzn-RateLimit-Limit), if seen. */
  announcedRatePerSecond?: number;
}

/** One page of orders changed since a time, oldest change first. */
export interface OrderPage {
  orders: ChannelOrder[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** One stock figure to set on the platform, with the value we believe it holds (compare-and-swap). */
export interface StockTarget {
  sku: string;
  /** The platform's ids for this SKU (from the channel's listing). */
  externalInventoryItemId: string;
  externalLocationId: string;
  quantity: number;
  /** What we last pushed or read; null to set without a compare. */
  expectedQuantity: number | null;
}

export interface StockPushResult {
  /** SKUs whose compare failed: the platform's current figure, to retry with. */
  stale: { sku: string; actualQuantity: number | null }[];
  /**
   * SKUs the platform refused on their own while the rest of the call succeeded (eBay's 207
   * multi-status, Amazon's feed processing report), with the platform's message. `kind` is the
   * PlatformErrorKind the refusal maps to where the platform gives a status per SKU (eBay);
   * absent where it gives only a message (Amazon). The stock push clears these SKUs without
   * recording their figures as pushed. Absent when the platform reports none.
   */
  rejected?: { sku: string; kind?: PlatformErrorKind; message: string }[];
}

export interface FulfilmentPush {
  externalOrderId: string;
  lines: { externalLineId: string; quantity: number }[];
  trackingNumber: string | null;
  carrier: string | null;
  trackingUrl: string | null;
}

/** A platform variant found by SKU, with where its stock is kept (for the channel's listing). */
export interface PlatformVariant {
  sku: string;
  variantId: string;
  inventoryItemId: string;
  /** The location the platform stocks the item at (the first one it lists); null when none. */
  locationId: string | null;
}

/**
 * What the hub needs from a platform. One implementation per platform, over the platform's own
 * package, with every base URL and fetch injectable (simulators in tests and the sandbox).
 * Every method throws PlatformError only.
 */
export interface ChannelConnector {
  /**
   * False when a pull's pages are not in order of change across the pull (eBay pages by offset
   * in an order of its own): the sync then moves the channel's cursor only once the whole pull
   * is done, so a pull cut short starts its window again instead of skipping older changes on
   * later pages. Absent means ordered (Shopify's UPDATED_AT sort).
   */
  readonly pagesOrderedByChange?: boolean;
  /**
   * The platform's budget for one page of a pull, where it is too small to spend by trial and
   * 429 (Amazon's searchOrders: about 20 calls an hour per seller): the sync takes a call from it
   * before each page and, when it is spent, stops and resumes the pull once a call is due.
   * Absent where backing off on the platform's answers is enough (Shopify's cost bucket).
   */
  readonly pullBudget?: CallBudget;
  /** Orders updated at or after `since`, in pages of at most `pageSize`. */
  pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage>;
  /** Sets stock figures; the connector splits into calls at the platform's batch limit. */
  pushStock(targets: StockTarget[], idempotencyKey: string): Promise<StockPushResult>;
  /**
   * Sets one SKU's figure at once, for a platform whose batch path is slow (Amazon's feeds take
   * minutes to process): the stock push sends the last units this way so a sold-out SKU stops
   * selling before the next feed lands. Absent where the batch call is already immediate.
   */
  pushUrgentStock?(target: StockTarget): Promise<StockPushResult>;
  /** Creates a fulfilment with tracking; returns the platform's fulfilment id. */
  pushFulfilment(push: FulfilmentPush, idempotencyKey: string): Promise<string>;
  /** Cancels the order on the platform (an order the hub cancelled). */
  pushCancellation(externalOrderId: string, reason: string, idempotencyKey: string): Promise<void>;
  /**
   * One order as the platform holds it now, mapped like a pulled one; null when the platform
   * does not know it. For notifications that only name an order (eBay's order topics, Amazon's
   * ORDER_CHANGE): the order is re-read and applied like a pulled one.
   */
  fetchOrder?(externalOrderId: string): Promise<ChannelOrder | null>;
  /** The platform's variants carrying these SKUs (exact matches), for matching listings by SKU on sync. */
  listVariantsBySku?(skus: string[]): Promise<PlatformVariant[]>;
}
