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
  /** Orders updated at or after `since`, in pages of at most `pageSize`. */
  pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage>;
  /** Sets stock figures; the connector splits into calls at the platform's batch limit. */
  pushStock(targets: StockTarget[], idempotencyKey: string): Promise<StockPushResult>;
  /** Creates a fulfilment with tracking; returns the platform's fulfilment id. */
  pushFulfilment(push: FulfilmentPush, idempotencyKey: string): Promise<string>;
  /** Cancels the order on the platform (an order the hub cancelled). */
  pushCancellation(externalOrderId: string, reason: string, idempotencyKey: string): Promise<void>;
  /** The platform's variants carrying these SKUs (exact matches), for matching listings by SKU on sync. */
  listVariantsBySku?(skus: string[]): Promise<PlatformVariant[]>;
  /**
   * One order as the platform holds it now, for a notification that only names the order
   * (Amazon's ORDER_CHANGE): the order is re-read and applied like a pulled one.
   */
  fetchOrder?(externalOrderId: string): Promise<ChannelOrder>;
}
