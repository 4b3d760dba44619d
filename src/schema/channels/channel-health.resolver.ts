import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { webhookLagSeconds } from '../../domain/webhooks/delivery-health.js';
import type { GraphQLContext } from '../context.js';
import { ChannelHealth } from './channel.types.js';

/**
 * The live parts of a channel's health: its webhook inbox (one query for every channel of a
 * list) and its jobs (one scan of the channel queues for the list, through the JobInspector
 * port). Who may see the channel was decided when it was read.
 */
@Resolver(() => ChannelHealth)
export class ChannelHealthResolver {
  @FieldResolver(() => Int, {
    description: 'Webhook lag: seconds the oldest delivery still waiting to be processed has waited; 0 when none.',
  })
  async webhookLagSeconds(@Root() health: ChannelHealth, @Ctx() ctx: GraphQLContext): Promise<number> {
    return webhookLagSeconds(await ctx.loaders.channelDeliveries.load(health.channelId));
  }

  @FieldResolver(() => Int, { description: 'Webhook deliveries stored and not yet processed.' })
  async deliveriesPending(@Root() health: ChannelHealth, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.channelDeliveries.load(health.channelId)).deliveriesPending;
  }

  @FieldResolver(() => Int, { description: 'Webhook deliveries out of retries (replayWebhookDelivery).' })
  async deliveriesFailed(@Root() health: ChannelHealth, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.channelDeliveries.load(health.channelId)).deliveriesFailed;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'Sync and stock-push jobs of this channel waiting to run (waiting, delayed, prioritized); null where the API has no queues. Counts at most the 1,000 newest jobs per queue and state.',
  })
  async jobsWaiting(@Root() health: ChannelHealth, @Ctx() ctx: GraphQLContext): Promise<number | null> {
    return (await ctx.loaders.channelJobs.load(health.channelId))?.jobsWaiting ?? null;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'Sync and stock-push jobs of this channel that failed for good (failedJobs, retryJob); null where the API has no queues.',
  })
  async jobsFailed(@Root() health: ChannelHealth, @Ctx() ctx: GraphQLContext): Promise<number | null> {
    return (await ctx.loaders.channelJobs.load(health.channelId))?.jobsFailed ?? null;
  }
}
