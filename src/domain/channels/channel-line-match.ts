import type { EntityManager } from '@mikro-orm/core';
import { Variant } from '../catalog/variant.entity.js';
import { skusForExternalVariants } from './channel-listing.service.js';
import type { ChannelOrderLine } from './channel-order.js';

/**
 * Where a channel's listings say a platform variant is one of our SKUs. By default the channel
 * listings table (channel-listing.service.ts); a caller may pass another lookup.
 */
export type ListingSkuLookup = (
  tx: EntityManager,
  channelId: string,
  externalVariantIds: readonly string[],
) => Promise<ReadonlyMap<string, string>>;

export interface MatchedLine {
  line: ChannelOrderLine;
  /** Null: no variant has the line's SKU and no listing maps its platform variant (the order is held). */
  variant: Variant | null;
}

/**
 * Resolves every platform line to a variant in one read: a listing mapping the platform variant
 * wins (set by hand when the platform's SKU differs), else the line's own SKU.
 */
export async function matchChannelLines(
  tx: EntityManager,
  channelId: string,
  lines: readonly ChannelOrderLine[],
  listingSkus: ListingSkuLookup = skusForExternalVariants,
): Promise<MatchedLine[]> {
  const externalIds = [...new Set(lines.map((l) => l.externalVariantId).filter((id): id is string => id !== null))];
  const listed = externalIds.length > 0 ? await listingSkus(tx, channelId, externalIds) : new Map();
  const skuOf = (l: ChannelOrderLine): string | null =>
    (l.externalVariantId !== null ? listed.get(l.externalVariantId) : undefined) ?? l.sku;
  const skus = [...new Set(lines.map(skuOf).filter((s): s is string => s !== null))];
  const variants = skus.length === 0 ? [] : await tx.find(Variant, { sku: { $in: skus } });
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  return lines.map((line) => {
    const sku = skuOf(line);
    return { line, variant: sku === null ? null : (bySku.get(sku) ?? null) };
  });
}

/** How a line is named on the timeline: its SKU, else its title and platform line id. */
export function describeLine(line: ChannelOrderLine): string {
  return line.sku ?? `(no SKU) ${line.title ?? line.externalLineId}`;
}
