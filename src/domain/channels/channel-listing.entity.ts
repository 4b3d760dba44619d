import { defineEntity, p } from '@mikro-orm/core';

export const LISTING_MAPPED_BY = ['auto', 'manual'] as const;
export type ListingMappedBy = (typeof LISTING_MAPPED_BY)[number];

/**
 * One SKU as a channel knows it: the platform's variant and inventory item ids (strings: Shopify's
 * exceed 2^53). `auto` rows come from sync matching SKUs; `manual` rows were set by an admin and
 * win over anything sync finds.
 */
export const ChannelListingSchema = defineEntity({
  name: 'ChannelListing',
  tableName: 'channel_listing',
  properties: {
    channelId: p.string().length(64).primary(),
    sku: p.string().length(100).primary(),
    externalVariantId: p.string().length(255),
    externalInventoryItemId: p.string().length(255).nullable(),
    externalLocationId: p.string().length(255).nullable(),
    mappedBy: p.enum([...LISTING_MAPPED_BY]),
    /** What the last stock push set on the platform (for changeFromQuantity); null before the first. */
    lastPushedQuantity: p.integer().nullable(),
    lastPushedAt: p.datetime().nullable(),
    /** The platform's refusal of the last push of this SKU (feed report, 207); null once one is accepted. */
    pushError: p.string().length(1000).nullable(),
    pushErrorAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class ChannelListing extends ChannelListingSchema.class {}
ChannelListingSchema.setClass(ChannelListing);
