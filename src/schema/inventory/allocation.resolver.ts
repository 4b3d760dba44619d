import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { allocateOrder, reallocateOrder } from '../../domain/orders/order-allocation.service.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { OrderAllocation, orderAllocationOf } from './allocation.types.js';

@Resolver()
export class AllocationResolver {
  @Authorized(allowed('allocateOrder'))
  @Mutation(() => OrderAllocation, {
    description: 'Runs sourcing again for an order’s open quantities (e.g. a BACKORDERED order).',
  })
  async allocateOrder(@Arg('orderId', () => ID) orderId: string, @Ctx() ctx: GraphQLContext): Promise<OrderAllocation> {
    return orderAllocationOf(await allocateOrder(operationContext(ctx), orderId));
  }

  @Authorized(allowed('reallocateOrder'))
  @Mutation(() => OrderAllocation, {
    description: 'Moves all of an order’s stock to one location, or fails with INSUFFICIENT_STOCK changing nothing.',
  })
  async reallocateOrder(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('locationId', () => ID) locationId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderAllocation> {
    return orderAllocationOf(await reallocateOrder(operationContext(ctx), orderId, locationId));
  }
}
