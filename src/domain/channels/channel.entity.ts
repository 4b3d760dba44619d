import { defineEntity, p } from '@mikro-orm/core';

export const CHANNEL_KINDS = ['shopify', 'amazon', 'ebay', 'direct'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** What happens to order lines that cannot be reserved: wait for stock, refuse the order, or ship what exists. */
export const BACKORDER_POLICIES = ['backorder', 'reject', 'partial'] as const;
export type BackorderPolicy = (typeof BACKORDER_POLICIES)[number];

/** A connected sales channel. Its id is a readable code ("direct", "shopify-eu"). */
export const ChannelSchema = defineEntity({
  name: 'Channel',
  tableName: 'channel',
  properties: {
    id: p.string().length(64).primary(),
    kind: p.enum([...CHANNEL_KINDS]),
    name: p.string().length(200),
    enabled: p.boolean().default(true),
    stockBuffer: p.integer().default(0),
    backorderPolicy: p.enum([...BACKORDER_POLICIES]).default('backorder'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Channel extends ChannelSchema.class {}
ChannelSchema.setClass(Channel);

export const DIRECT_CHANNEL_ID = 'direct';
