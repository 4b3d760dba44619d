import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { WEBHOOK_KINDS } from '../../connectors/connector-registry.js';
import type { ChannelKind } from '../../domain/channels/channel.entity.js';
import type { GraphQLContext } from '../context.js';
import { ChannelNode } from './channel.types.js';

/** The URL to register with the platform, for the kinds that send webhooks to the hub. */
@Resolver(() => ChannelNode)
export class ChannelWebhookUrlResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The channel's webhook URL as this hub publishes it (<PUBLIC_URL>/webhooks/<id>): register it with the platform (Shopify webhooks, eBay's notification and account-deletion endpoint). Null for kinds that send none.",
  })
  webhookUrl(@Root() channel: ChannelNode, @Ctx() ctx: GraphQLContext): string | null {
    if (!WEBHOOK_KINDS.includes(channel.kind as ChannelKind) || !ctx.services.publicUrl) return null;
    return ctx.services.publicUrl.webhookUrl(channel.id);
  }
}
