import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../../context.js';
import { ReturnLine } from '../../returns/return-line.entity.js';
import { ReturnRequest } from '../../returns/return-request.entity.js';
import { recordOrderEvent } from '../order-transitions.js';
import { checkLineQuantities, optionalText, type LineQuantity } from './lifecycle-input.js';
import { changeOrder, claimOrder, requireStatus } from './order-change.js';
import { returnDetail, returnsOf, unitsReturning, type ReturnDetail } from './return-detail.js';

export interface RequestReturnInput {
  lines: (LineQuantity & { reason?: string | null })[];
  reason?: string | null;
}

/**
 * Opens a return (RMA) for shipped units: each line may return what it shipped minus what other
 * returns (not rejected) already take back. `refundAmount` starts as what the requested units
 * are worth (unit price × quantity); receipt settles it.
 */
export async function requestReturn(
  ctx: OperationContext,
  orderId: string,
  input: RequestReturnInput,
): Promise<ReturnDetail> {
  const reason = optionalText('reason', input.reason);
  const lineReasons = (input.lines ?? []).map((l, i) => optionalText(`lines[${i}].reason`, l.reason));
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, orderId);
    if (lines.every((l) => l.quantityShipped === 0))
      requireStatus(order, ['PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED', 'COMPLETED'], 'requestReturn');
    const existing = await returnsOf(tx, order);
    const wanted = checkLineQuantities(
      'lines',
      input.lines,
      lines,
      (l) => l.quantityShipped - unitsReturning(l.id, existing.returns, existing.lines),
      'units shipped and not already being returned',
    );
    const ret = tx.create(ReturnRequest, {
      id: randomUUID(),
      order,
      status: 'requested',
      reason,
      decisionNote: null,
      refundAmount: wanted.reduce((sum, w) => sum + w.line.unitPriceAmount * w.quantity, 0),
      refundedAmount: null,
      currency: order.currency,
      refundReference: null,
      decidedAt: null,
      receivedAt: null,
      refundedAt: null,
    });
    const returnLines = wanted.map((w, i) =>
      tx.create(ReturnLine, {
        id: randomUUID(),
        returnRequest: ret,
        orderLineId: w.line.id,
        quantity: w.quantity,
        reason: lineReasons[i] ?? null,
        restock: null,
        receivedQuantity: null,
      }),
    );
    recordOrderEvent(tx, order, ctx.actor, 'return_requested', reason, {
      returnId: ret.id,
      lines: wanted.map((w, i) => ({
        lineId: w.line.id,
        sku: w.line.sku,
        quantity: w.quantity,
        reason: lineReasons[i] ?? null,
      })),
      refundAmount: ret.refundAmount,
      currency: ret.currency,
    });
    await tx.flush();
    return returnDetail(order, ret, returnLines, lines);
  });
}
