import type { EntityManager } from '@mikro-orm/core';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { allocateOrderStock } from './allocate-order.js';
import type { OrderLine } from './order-line.entity.js';
import { transitionOrder } from './order-transitions.js';
import type { Order } from './order.entity.js';

/**
 * What follows an authorisation, wherever it comes from: CONFIRMED → PAYMENT_AUTHORIZED, then
 * stock allocation by the channel's backorder policy (ALLOCATED, BACKORDERED, the missing units
 * cancelled, or INSUFFICIENT_STOCK under `reject`). Placement runs it with the `manual`
 * provider's authorisation, a hold's release with the authorisation it reuses or takes, and the
 * payments job when a card authorisation arrives (payments/apply-intent.ts).
 */
export async function authorizeAndAllocate(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  authorization: { reason: string; data: Record<string, unknown> },
  channel?: Channel,
): Promise<void> {
  transitionOrder(tx, order, 'PAYMENT_AUTHORIZED', ctx.actor, authorization.reason, authorization.data);
  await allocateOrderStock(
    tx,
    ctx,
    order,
    lines,
    channel ?? (await tx.findOneOrFail(Channel, { id: order.channel.id })),
  );
}
