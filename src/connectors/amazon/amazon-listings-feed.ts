import type { StockTarget } from '../connector.js';

/** Messages one JSON_LISTINGS_FEED may hold. */
export const MAX_FEED_MESSAGES = 25_000;
/**
 * The product type sent with a quantity-only patch. Amazon requires one on every PATCH; for
 * offer attributes such as fulfillment_availability the generic `PRODUCT` is accepted, so we need
 * not know each SKU's real product type.
 */
export const QUANTITY_PATCH_PRODUCT_TYPE = 'PRODUCT';
/** The seller's own fulfilment (MFN), the only channel whose quantity we set. */
export const MERCHANT_FULFILMENT_CHANNEL = 'DEFAULT';

export interface ListingsFeedMessage {
  messageId: number;
  sku: string;
  operationType: 'PATCH';
  productType: string;
  patches: { op: 'merge'; path: string; value: { fulfillment_channel_code: string; quantity: number }[] }[];
}

export interface ListingsFeed {
  header: { sellerId: string; version: '2.0'; issueLocale: string };
  messages: ListingsFeedMessage[];
}

/** The quantity patch for one SKU, shared by the feed and patchListingsItem. */
export function quantityPatch(quantity: number): ListingsFeedMessage['patches'] {
  // `merge` sets the quantity and keeps the listing's restock date and handling time.
  return [
    {
      op: 'merge',
      path: '/attributes/fulfillment_availability',
      value: [{ fulfillment_channel_code: MERCHANT_FULFILMENT_CHANNEL, quantity: Math.max(0, Math.floor(quantity)) }],
    },
  ];
}

/** A JSON_LISTINGS_FEED setting each target's quantity; messageId n is targets[n - 1]. Pure. */
export function listingsQuantityFeed(sellerId: string, targets: StockTarget[]): ListingsFeed {
  if (targets.length > MAX_FEED_MESSAGES)
    throw new RangeError(`A feed holds at most ${MAX_FEED_MESSAGES} messages, not ${targets.length}`);
  return {
    header: { sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: targets.map((t, i) => ({
      messageId: i + 1,
      sku: t.sku,
      operationType: 'PATCH',
      productType: QUANTITY_PATCH_PRODUCT_TYPE,
      patches: quantityPatch(t.quantity),
    })),
  };
}

export interface ProcessingReport {
  issues?: { messageId?: number; code?: string; message?: string; severity?: string }[];
}

/** The SKUs a processing report refused (ERROR issues), with Amazon's messages. Pure. */
export function rejectedSkus(feed: ListingsFeed, report: ProcessingReport): { sku: string; message: string }[] {
  const byMessage = new Map<number, string[]>();
  for (const issue of report.issues ?? []) {
    if (issue.severity !== 'ERROR' || issue.messageId === undefined) continue;
    byMessage.set(issue.messageId, [
      ...(byMessage.get(issue.messageId) ?? []),
      `${issue.code ?? ''} ${issue.message ?? ''}`.trim(),
    ]);
  }
  return feed.messages
    .filter((m) => byMessage.has(m.messageId))
    .map((m) => ({ sku: m.sku, message: byMessage.get(m.messageId)!.join('; ') }));
}
