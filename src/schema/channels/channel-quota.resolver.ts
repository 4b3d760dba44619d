import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { ChannelApiQuota } from './channel-quota.types.js';
import { ChannelHealth } from './channel.types.js';

/** The platform's daily quotas on a channel's health (eBay counts calls per app and API a day). */
@Resolver(() => ChannelHealth)
export class ChannelQuotaResolver {
  @FieldResolver(() => [ChannelApiQuota], {
    nullable: true,
    description:
      "The platform's daily call quotas, per API, with what is left today (eBay); null for platforms without daily quotas or where the API has no Redis.",
  })
  async apiQuotas(@Root() health: ChannelHealth, @Ctx() ctx: GraphQLContext): Promise<ChannelApiQuota[] | null> {
    const quotas = ctx.services.channelQuotas;
    if (!quotas) return null;
    const usage = await quotas.usage(ctx.em, health.channelId);
    return usage?.map((u) => ({ ...u, api: u.api.toUpperCase() })) ?? null;
  }
}
