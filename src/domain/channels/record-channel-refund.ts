import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { claimOrder } from '../orders/lifecycle/order-change.js';
import { Order } from '../orders/order.entity.js';
import { inTransaction } from '../transaction.js';
import type { ChannelRefund } from './channel-order.js';
import { recordChannelRefunds } from './channel-order-effects.js';

/**
 * A refund the platform announced on its own (Shopify `refunds/create`), recorded on the order
 * once by its platform id — the same rule as refunds that arrive inside an order version. An
 * order not ingested yet is an error the job retries (its order webhook may still be on the
 * way; a pull brings the refund with the order in any case).
 */
export async function recordChannelRefund(
  ctx: OperationContext,
  channelId: string,
  externalOrderId: string,
  refund: ChannelRefund,
  currency: string,
): Promise<string> {
  return inTransaction(ctx.em, async (tx) => {
    const found = await tx.findOne(Order, { channel: channelId, externalId: externalOrderId }, { fields: ['id'] });
    if (!found)
      throw new DomainError(ErrorCode.NOT_FOUND, `Channel ${channelId} has no order ${externalOrderId} yet`, {
        channelId,
        externalId: externalOrderId,
      });
    const { order, lines } = await claimOrder(tx, ctx, found.id);
    if (refund.amount > 0 && currency !== order.currency)
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        `refund ${refund.externalRefundId} is in ${currency}, the order in ${order.currency}`,
        { field: 'currency' },
      );
    const recorded = await recordChannelRefunds(tx, ctx, order, lines, { refunds: [refund] });
    await tx.flush();
    return recorded > 0
      ? `refund ${refund.externalRefundId} recorded on order ${order.id}`
      : `refund ${refund.externalRefundId} already recorded on order ${order.id}`;
  });
}
