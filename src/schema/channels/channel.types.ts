import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Principal } from '../../domain/auth/principal.js';
import { channelHealthOf, type ChannelView } from '../../domain/channels/channel-queries.js';
import type { ChannelListing } from '../../domain/channels/channel-listing.entity.js';
import { LISTING_MAPPED_BY } from '../../domain/channels/channel-listing.entity.js';
import { BACKORDER_POLICIES, CHANNEL_KINDS } from '../../domain/channels/channel.entity.js';
import { upperCaseEnumOf } from '../common/enum-of.js';
import { PageInfo } from '../common/page-info.type.js';

export const ChannelKindEnum = upperCaseEnumOf(CHANNEL_KINDS);
registerEnumType(ChannelKindEnum, {
  name: 'ChannelKind',
  description:
    'The platform a channel sells on: SHOPIFY, AMAZON and EBAY are connected with connectChannel; DIRECT is the API.',
});

export const BackorderPolicyEnum = upperCaseEnumOf(BACKORDER_POLICIES);
registerEnumType(BackorderPolicyEnum, {
  name: 'BackorderPolicy',
  description: 'What happens to lines that cannot be reserved: wait for stock, refuse the order, or ship what exists.',
});

export const ListingMappedByEnum = upperCaseEnumOf(LISTING_MAPPED_BY);
registerEnumType(ListingMappedByEnum, {
  name: 'ListingMappedBy',
  description: 'AUTO: matched by SKU on sync. MANUAL: set with mapListing; sync never changes it.',
});

@ObjectType({ description: 'How a channel is syncing.' })
export class ChannelHealth {
  @Field(() => Date, { nullable: true, description: 'The last successful pull.' })
  lastSyncAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The last error talking to the platform (no secrets).' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Seconds since lastSyncAt; null before the first sync.' })
  syncLagSeconds!: number | null;

  @Field(() => Date, { nullable: true, description: 'When disconnectChannel stopped it; null while connected.' })
  disconnectedAt!: Date | null;

  /** Whose health this is, for the inbox and job fields (resolved in ChannelHealthResolver); not a field. */
  channelId!: string;
}

@ObjectType('Channel', {
  description: 'A sales channel. Its credentials are never returned, only whether it has them.',
})
export class ChannelNode {
  @Field(() => ID, { description: "A readable id, used in /webhooks/<id> and in API keys' channel scope." })
  id!: string;

  @Field(() => ChannelKindEnum)
  kind!: string;

  @Field()
  name!: string;

  @Field({ description: 'False after disconnectChannel (or when paused): nothing is pulled or pushed.' })
  enabled!: boolean;

  @Field(() => Int, { description: 'Units held back from the stock the platform is told about.' })
  stockBuffer!: number;

  @Field(() => BackorderPolicyEnum)
  backorderPolicy!: string;

  @Field({
    description:
      "Whether the hub emails this channel's customers when SMTP is configured: on for `direct`, off for marketplaces (they send their own).",
  })
  notifyCustomers!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Base URL override (simulator or proxy). Shown to admin keys only; null for everyone else.',
  })
  endpoint!: string | null;

  @Field({ description: 'Whether credentials are stored (they are never returned).' })
  hasCredentials!: boolean;

  @Field(() => ChannelHealth)
  health!: ChannelHealth;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export function channelNodeOf(view: ChannelView, viewer: Principal): ChannelNode {
  const c = view.channel;
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    enabled: c.enabled,
    stockBuffer: c.stockBuffer,
    backorderPolicy: c.backorderPolicy,
    notifyCustomers: c.notifyCustomers,
    endpoint: viewer.role === 'admin' ? (c.endpoint ?? null) : null,
    hasCredentials: view.hasCredentials,
    health: { ...channelHealthOf(c), channelId: c.id },
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

@ObjectType('ChannelListing', { description: 'A SKU as one channel lists it (platform ids are strings).' })
export class ChannelListingNode {
  @Field()
  channelId!: string;

  @Field()
  sku!: string;

  @Field()
  externalVariantId!: string;

  @Field(() => String, { nullable: true })
  externalInventoryItemId!: string | null;

  @Field(() => String, { nullable: true })
  externalLocationId!: string | null;

  @Field(() => ListingMappedByEnum)
  mappedBy!: string;

  @Field(() => Int, { nullable: true, description: 'What the last stock push set on the platform.' })
  lastPushedQuantity!: number | null;

  @Field(() => Date, { nullable: true })
  lastPushedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Why the platform refused this SKU's last stock push (Amazon's feed processing report, eBay's per-SKU status); null once a push is accepted.",
  })
  pushError!: string | null;

  @Field(() => Date, { nullable: true })
  pushErrorAt!: Date | null;

  @Field()
  updatedAt!: Date;
}

export function channelListingNodeOf(l: ChannelListing): ChannelListingNode {
  return {
    channelId: l.channelId,
    sku: l.sku,
    externalVariantId: l.externalVariantId,
    externalInventoryItemId: l.externalInventoryItemId ?? null,
    externalLocationId: l.externalLocationId ?? null,
    mappedBy: l.mappedBy,
    lastPushedQuantity: l.lastPushedQuantity ?? null,
    lastPushedAt: l.lastPushedAt ?? null,
    pushError: l.pushError ?? null,
    pushErrorAt: l.pushErrorAt ?? null,
    updatedAt: l.updatedAt,
  };
}

@ObjectType()
export class ChannelListingEdge {
  @Field()
  cursor!: string;

  @Field(() => ChannelListingNode)
  node!: ChannelListingNode;
}

@ObjectType()
export class ChannelListingConnection {
  @Field(() => [ChannelListingEdge])
  edges!: ChannelListingEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType({ description: 'A pull was queued.' })
export class SyncChannelPayload {
  @Field(() => ID, { description: 'The job id (see failedJobs if it keeps failing).' })
  jobId!: string;

  @Field()
  channelId!: string;
}
