import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { cancelOrder } from '../../../domain/orders/lifecycle/cancel-order.js';
import { completeOrder } from '../../../domain/orders/lifecycle/complete-order.js';
import { confirmOrder } from '../../../domain/orders/lifecycle/confirm-order.js';
import { editOrder } from '../../../domain/orders/lifecycle/edit-order.js';
import { holdOrder } from '../../../domain/orders/lifecycle/hold-order.js';
import { releaseOrderHold } from '../../../domain/orders/lifecycle/release-order-hold.js';
import { MAX_ORDER_LINES } from '../../../domain/orders/place-order.input.js';
import { allowed } from '../../auth/policy.js';
import { assertMaxItems } from '../../common/input-limits.js';
import { operationContext, type GraphQLContext } from '../../context.js';
import { OrderNode, orderNodeOf } from '../order.types.js';
import { CancelOrderInput, EditOrderInput } from './lifecycle.inputs.js';

const VERSION = {
  nullable: true,
  description: 'The order version the change was prepared from; CONFLICT when it moved on.',
} as const;

/** Order status changes after placement. Illegal moves answer ILLEGAL_TRANSITION naming the current and allowed statuses. */
@Resolver()
export class OrderLifecycleResolver {
  @Authorized(allowed('confirmOrder'))
  @Mutation(() => OrderNode, { description: 'PENDING → CONFIRMED.' })
  async confirmOrder(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('expectedVersion', () => Int, VERSION) expectedVersion: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    return orderNodeOf(await confirmOrder(operationContext(ctx), orderId, { reason, expectedVersion }));
  }

  @Authorized(allowed('holdOrder'))
  @Mutation(() => OrderNode, {
    description:
      'Puts an order ON_HOLD (a customer asks to wait, an address to check, a fraud signal) from any status before it has fully shipped: PENDING up to PARTIALLY_SHIPPED. Reservations and payment are kept; nothing ships while it is held.',
  })
  async holdOrder(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('reason', { description: '1 to 500 characters.' }) reason: string,
    @Arg('expectedVersion', () => Int, VERSION) expectedVersion: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    return orderNodeOf(await holdOrder(operationContext(ctx), orderId, { reason, expectedVersion }));
  }

  @Authorized(allowed('releaseOrderHold'))
  @Mutation(() => OrderNode, {
    description:
      'Ends a hold. Held from ALLOCATED, BACKORDERED or PARTIALLY_SHIPPED: back to that status (then as its lines are now, e.g. BACKORDERED → ALLOCATED). Held before (or at placement): CONFIRMED → PAYMENT_AUTHORIZED (authorising what is not yet) → stock allocation, by the channel’s backorder policy.',
  })
  async releaseOrderHold(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('expectedVersion', () => Int, VERSION) expectedVersion: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    return orderNodeOf(
      await releaseOrderHold(operationContext(ctx), ctx.services.orders, orderId, { reason, expectedVersion }),
    );
  }

  @Authorized(allowed('editOrder'))
  @Mutation(() => OrderNode, {
    description:
      'Changes an order before it is fully allocated (PENDING, CONFIRMED, ON_HOLD held from one of these, PAYMENT_AUTHORIZED, BACKORDERED; nothing shipped): ' +
      'quantities, lines, shipping and billing address. Totals are recomputed, surplus stock released, an authorised payment follows the total.',
  })
  async editOrder(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('input') input: EditOrderInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    assertMaxItems('lines', input.lines, MAX_ORDER_LINES);
    assertMaxItems('addLines', input.addLines, MAX_ORDER_LINES);
    assertMaxItems('removeLineIds', input.removeLineIds, MAX_ORDER_LINES);
    return orderNodeOf(await editOrder(operationContext(ctx), ctx.services.orders, orderId, input));
  }

  @Authorized(allowed('cancelOrder'))
  @Mutation(() => OrderNode, {
    description:
      'Cancels the whole order (→ CANCELLED) or some units, before they ship: releases their stock and voids (or, for channel orders, refunds) their value.',
  })
  async cancelOrder(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('input') input: CancelOrderInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    assertMaxItems('lines', input.lines, MAX_ORDER_LINES);
    return orderNodeOf(await cancelOrder(operationContext(ctx), ctx.services.orders, orderId, input));
  }

  @Authorized(allowed('completeOrder'))
  @Mutation(() => OrderNode, { description: 'SHIPPED or DELIVERED → COMPLETED.' })
  async completeOrder(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('expectedVersion', () => Int, VERSION) expectedVersion: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderNode> {
    return orderNodeOf(await completeOrder(operationContext(ctx), orderId, { reason, expectedVersion }));
  }
}
