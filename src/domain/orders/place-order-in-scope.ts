import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { isOrderVisibleTo } from './order-scope.js';
import type { Order } from './order.entity.js';
import type { PlaceOrderInput } from './place-order.input.js';
import { placeOrder, type PlaceOrderDeps } from './place-order.service.js';

/**
 * placeOrder as the API offers it. An idempotency key returns the order first placed with it;
 * if that order belongs to a channel the caller cannot see, it is refused as a CONFLICT
 * instead of being handed over, so a reused key never leaks another channel's order.
 */
export async function placeOrderInScope(
  ctx: OperationContext,
  deps: PlaceOrderDeps,
  input: PlaceOrderInput,
): Promise<Order> {
  const order = await placeOrder(ctx, deps, input);
  if (!isOrderVisibleTo(ctx.actor, order)) {
    throw new DomainError(
      ErrorCode.CONFLICT,
      'idempotencyKey is already used by another order: send a new key for a new order',
      {
        field: 'idempotencyKey',
      },
    );
  }
  return order;
}
