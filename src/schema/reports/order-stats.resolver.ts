import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { orderStats } from '../../domain/reports/order-stats.service.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { OrderStatsResult, orderStatsResultOf } from './order-stats.types.js';

@Resolver()
export class OrderStatsResolver {
  @Authorized(allowed('orderStats'))
  @Query(() => OrderStatsResult, {
    description:
      'Order statistics over orders placed in [from, to) (UTC, at most 366 days). A channel-scoped key gets its own channel only.',
  })
  async orderStats(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('channelId', () => String, { nullable: true }) channelId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderStatsResult> {
    return orderStatsResultOf(await orderStats(operationContext(ctx), { from, to, channelId }));
  }
}
