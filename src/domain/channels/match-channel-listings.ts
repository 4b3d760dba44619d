import type { EntityManager } from '@mikro-orm/core';
import { upsertAutoListings } from './channel-listing.service.js';
import { sqlRows } from './sql.js';

/** A platform variant found by SKU (the connectors' PlatformVariant, structurally). */
export interface FoundVariant {
  sku: string;
  variantId: string;
  inventoryItemId: string;
  locationId: string | null;
}

/** SKUs looked up per round (the connector splits them into its own search calls). */
const SKUS_PER_ROUND = 250;

export interface ListingMatchSummary {
  /** Hub SKUs looked up on the platform. */
  looked: number;
  /** Listing rows written (new or changed automatic matches). */
  matched: number;
}

/**
 * Matches the hub's SKUs to the platform's variants by SKU (the automatic side of listings):
 * looks up the SKUs the channel has no complete listing for (variant, inventory item and
 * location), or every SKU with `all` (a reconciliation refreshes moved variants), and records
 * what the platform answered through `upsertAutoListings` (manual mappings always win).
 */
export async function matchChannelListings(
  em: EntityManager,
  channelId: string,
  listVariantsBySku: (skus: string[]) => Promise<FoundVariant[]>,
  options: { all?: boolean } = {},
): Promise<ListingMatchSummary> {
  const summary: ListingMatchSummary = { looked: 0, matched: 0 };
  let after = '';
  for (;;) {
    const rows = await sqlRows<{ sku: string }>(
      em,
      `select v.sku from variant v
        where v.sku > ?
          and (?::boolean or not exists (
                select 1 from channel_listing l
                 where l.channel_id = ? and l.sku = v.sku
                   and (l.mapped_by = 'manual'
                        or (l.external_inventory_item_id is not null and l.external_location_id is not null))))
        order by v.sku
        limit ?`,
      [after, options.all === true, channelId, SKUS_PER_ROUND],
    );
    if (rows.length === 0) return summary;
    const skus = rows.map((r) => r.sku);
    summary.looked += skus.length;
    const found = await listVariantsBySku(skus);
    summary.matched += await upsertAutoListings(
      em,
      channelId,
      found.map((v) => ({
        sku: v.sku,
        externalVariantId: v.variantId,
        externalInventoryItemId: v.inventoryItemId,
        externalLocationId: v.locationId,
      })),
    );
    after = skus[skus.length - 1]!;
    if (rows.length < SKUS_PER_ROUND) return summary;
  }
}
