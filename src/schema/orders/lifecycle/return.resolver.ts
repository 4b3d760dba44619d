import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { approveReturn, rejectReturn } from '../../../domain/orders/lifecycle/decide-return.js';
import { receiveReturn } from '../../../domain/orders/lifecycle/receive-return.js';
import { requestReturn } from '../../../domain/orders/lifecycle/request-return.js';
import { MAX_ORDER_LINES } from '../../../domain/orders/place-order.input.js';
import { allowed } from '../../auth/policy.js';
import { assertMaxItems } from '../../common/input-limits.js';
import { operationContext, type GraphQLContext } from '../../context.js';
import { ReceiveReturnInput, RequestReturnInput } from './lifecycle.inputs.js';
import { ReturnPayload, returnPayloadOf } from './return.types.js';

@Resolver()
export class ReturnResolver {
  @Authorized(allowed('requestReturn'))
  @Mutation(() => ReturnPayload, { description: 'Opens a return (RMA) for shipped units not already being returned.' })
  async requestReturn(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('input') input: RequestReturnInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReturnPayload> {
    assertMaxItems('lines', input.lines, MAX_ORDER_LINES);
    return returnPayloadOf(await requestReturn(operationContext(ctx), orderId, input));
  }

  @Authorized(allowed('approveReturn'))
  @Mutation(() => ReturnPayload, { description: 'REQUESTED → APPROVED: the customer may send the units back.' })
  async approveReturn(
    @Arg('returnId', () => ID) returnId: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReturnPayload> {
    return returnPayloadOf(await approveReturn(operationContext(ctx), returnId, { note }));
  }

  @Authorized(allowed('rejectReturn'))
  @Mutation(() => ReturnPayload, {
    description: 'REQUESTED → REJECTED, with the reason; its units may be requested again.',
  })
  async rejectReturn(
    @Arg('returnId', () => ID) returnId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReturnPayload> {
    return returnPayloadOf(await rejectReturn(operationContext(ctx), returnId, { reason }));
  }

  @Authorized(allowed('receiveReturn'))
  @Mutation(() => ReturnPayload, {
    description:
      'APPROVED → RECEIVED → REFUNDED: records what arrived, restocks what may be sold again at the location that shipped it, refunds unit price × units received.',
  })
  async receiveReturn(
    @Arg('returnId', () => ID) returnId: string,
    @Arg('input') input: ReceiveReturnInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReturnPayload> {
    assertMaxItems('lines', input.lines, MAX_ORDER_LINES);
    return returnPayloadOf(await receiveReturn(operationContext(ctx), ctx.services.orders, returnId, input));
  }
}
