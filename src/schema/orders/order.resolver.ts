import { Arg, Args, Authorized, Ctx, ID, Info, Mutation, Query, Resolver } from 'type-graphql';
import { ORDER_STATUSES } from '../../domain/orders/order-status.js';
import type { GraphQLResolveInfo } from 'graphql';
import { listOrders } from '../../domain/orders/order-list.service.js';
import { selectsField } from '../common/selects-field.js';
import { orderById, orderByNumber } from '../../domain/orders/order-query.service.js';
import { MAX_ORDER_LINES } from '../../domain/orders/place-order.input.js';
import { placeOrderInScope } from '../../domain/orders/place-order-in-scope.js';
import { allowed } from '../auth/policy.js';
import { assertMaxItems } from '../common/input-limits.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { OrdersArgs, PlaceOrderInput } from './order.inputs.js';
import { OrderConnection, OrderNode, orderNodeOf } from './order.types.js';

@Resolver()
export class OrderResolver {
  @Authorized(allowed('order'))
  @Query(() => OrderNode, {
    description: 'One order by id; NOT_FOUND when it does not exist or is outside the key’s channel.',
  })
  async order(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<OrderNode> {
    return orderNodeOf(await orderById(operationContext(ctx), id));
  }

  @Authorized(allowed('orderByNumber'))
  @Query(() => OrderNode, {
    description: 'One order by number (SY-10001 for direct orders). Numbers are unique per channel.',
  })
  async orderByNumber(
    @Arg('number') number: string,
    @Arg('channelId', () => String, {
      nullable: true,
      description: 'Needed only when several channels use the number.',
    })
    channelId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    return orderNodeOf(await orderByNumber(operationContext(ctx), number, channelId));
  }

  @Authorized(allowed('orders'))
  @Query(() => OrderConnection, {
    description: 'Orders matching a filter, one page at a time (newest first by default).',
  })
  async orders(
    @Args() args: OrdersArgs,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<OrderConnection> {
    assertMaxItems('filter.statuses', args.filter?.statuses, ORDER_STATUSES.length);
    const withTotal = selectsField(info, 'totalCount');
    return connectionOf(await listOrders(operationContext(ctx), args, { withTotal }), orderNodeOf);
  }

  @Authorized(allowed('placeOrder'))
  @Mutation(() => OrderNode, {
    description:
      'Places an order: validates, records, confirms, applies hold rules, authorises payment and reserves stock, all or nothing. ' +
      'Paid by card (paymentMethod, Stripe) it answers CONFIRMED and is authorised by a job after the commit, then allocated. ' +
      'Failures: BAD_USER_INPUT (extensions.field names the input), INSUFFICIENT_STOCK, FORBIDDEN (another channel), CONFLICT (duplicate externalId).',
  })
  async placeOrder(@Arg('input') input: PlaceOrderInput, @Ctx() ctx: GraphQLContext): Promise<OrderNode> {
    assertMaxItems('lines', input.lines, MAX_ORDER_LINES);
    return orderNodeOf(await placeOrderInScope(operationContext(ctx), ctx.services.orders, input));
  }
}
