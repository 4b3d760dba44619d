import { Field, InputType, Int } from 'type-graphql';
import { BackorderPolicyEnum, ChannelKindEnum } from './channel.types.js';

@InputType({ description: "A platform's secrets. Write-only: stored encrypted, never returned or logged." })
export class ChannelCredentialsInput {
  @Field(() => String, { nullable: true, description: 'SHOPIFY: <shop>.myshopify.com (any host with an endpoint).' })
  shopDomain?: string | null;

  @Field(() => String, { nullable: true, description: 'SHOPIFY: the Admin API access token.' })
  accessToken?: string | null;

  @Field(() => String, { nullable: true, description: "SHOPIFY: the app's client secret (signs webhooks)." })
  webhookSecret?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "EBAY: the app's client id (App ID). AMAZON: the SP-API app's LWA client id.",
  })
  clientId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "EBAY: the app's client secret (Cert ID). AMAZON: the LWA client secret.",
  })
  clientSecret?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "EBAY: the seller's user refresh token (about 18 months). AMAZON: the seller's LWA refresh token (Atzr|…).",
  })
  refreshToken?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'EBAY: the account-deletion verification token (32 to 80 letters, digits, _ or -).',
  })
  verificationToken?: string | null;

  @Field(() => String, { nullable: true, description: 'EBAY: the marketplace id; default EBAY_US.' })
  marketplaceId?: string | null;

  @Field(() => String, { nullable: true, description: "AMAZON: the seller's merchant token (seller id)." })
  sellerId?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'AMAZON: the marketplaces the channel sells in (e.g. ATVPDKIKX0DER), all in one SP-API region.',
  })
  marketplaceIds?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'AMAZON: the SP-API region (na, eu or fe); derived from the marketplaces when absent.',
  })
  region?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "AMAZON: the SQS queue URL of the seller's ORDER_CHANGE subscription (docs/CONNECT-AMAZON.md); absent: pulls only.",
  })
  notificationQueueUrl?: string | null;
}

@InputType({ description: 'A channel to connect; limits are checked by the service.' })
export class ConnectChannelInput {
  @Field(() => ChannelKindEnum, { description: 'SHOPIFY, AMAZON or EBAY.' })
  kind!: string;

  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: '1 to 64 letters, digits, _ or -; derived from the name when absent. Never changes.',
  })
  id?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Default 0.' })
  stockBuffer?: number | null;

  @Field(() => BackorderPolicyEnum, { nullable: true, description: 'Default BACKORDER.' })
  backorderPolicy?: string | null;

  @Field(() => String, { nullable: true, description: 'Base URL override (simulator or proxy); https in production.' })
  endpoint?: string | null;

  @Field(() => ChannelCredentialsInput)
  credentials!: ChannelCredentialsInput;
}

@InputType({ description: 'Changes to a channel; absent fields stay as they are.' })
export class UpdateChannelInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true on a disconnected channel reconnects it.' })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  stockBuffer?: number | null;

  @Field(() => BackorderPolicyEnum, { nullable: true })
  backorderPolicy?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Whether the hub emails this channel's customers (order confirmed, shipped, delayed, delivered, refunded).",
  })
  notifyCustomers?: boolean | null;

  @Field(() => String, { nullable: true, description: 'null clears the override.' })
  endpoint?: string | null;

  @Field(() => ChannelCredentialsInput, { nullable: true, description: 'Replaces the stored credentials whole.' })
  credentials?: ChannelCredentialsInput | null;
}

@InputType({ description: 'Which platform variant a SKU is on a channel, set by hand.' })
export class MapListingInput {
  @Field()
  channelId!: string;

  @Field()
  sku!: string;

  @Field(() => String, { nullable: true, description: 'null clears the manual mapping.' })
  externalVariantId?: string | null;

  @Field(() => String, { nullable: true })
  externalInventoryItemId?: string | null;

  @Field(() => String, { nullable: true })
  externalLocationId?: string | null;
}
