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
    /** Whether the hub emails this channel's customers (docs/NOTIFICATIONS.md); marketplaces send their own. */
    notifyCustomers: p.boolean().default(false),
    /** AES-256-GCM ciphertext of the ChannelCredentials (credentials-cipher.ts); null for `direct`. */
    credentialsCiphertext: p.text().nullable().lazy(),
    /** Base URL override (simulator or proxy); null = the platform itself. */
    endpoint: p.string().length(500).nullable(),
    /** Orders updated at or after this were not pulled yet. */
    syncCursor: p.datetime().nullable(),
    lastSyncAt: p.datetime().nullable(),
    lastError: p.string().length(1000).nullable(),
    lastErrorAt: p.datetime().nullable(),
    disconnectedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Channel extends ChannelSchema.class {}
ChannelSchema.setClass(Channel);

export const DIRECT_CHANNEL_ID = 'direct';
