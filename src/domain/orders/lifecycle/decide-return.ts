import type { OperationContext } from '../../context.js';
import { transitionReturn } from '../../returns/return-transitions.js';
import { recordOrderEvent } from '../order-transitions.js';
import { optionalText, requiredText } from './lifecycle-input.js';
import { changeOrder, claimOrder } from './order-change.js';
import { orderIdOf } from './order-of.js';
import { returnDetail, returnsOf, type ReturnDetail } from './return-detail.js';

async function decide(
  ctx: OperationContext,
  returnId: string,
  to: 'approved' | 'rejected',
  note: string | null,
): Promise<ReturnDetail> {
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Return', returnId));
    const { returns, lines: returnLines } = await returnsOf(tx, order);
    const ret = returns.find((r) => r.id === returnId)!;
    transitionReturn(ret, to);
    ret.decisionNote = note;
    ret.decidedAt = new Date();
    recordOrderEvent(tx, order, ctx.actor, to === 'approved' ? 'return_approved' : 'return_rejected', note, {
      returnId: ret.id,
    });
    await tx.flush();
    return returnDetail(order, ret, returnLines, lines);
  });
}

/** requested → approved: the customer may send the units back. */
export async function approveReturn(
  ctx: OperationContext,
  returnId: string,
  input: { note?: string | null } = {},
): Promise<ReturnDetail> {
  return decide(ctx, returnId, 'approved', optionalText('note', input.note));
}

/** requested → rejected, with the reason the customer will be told; its units may be requested again. */
export async function rejectReturn(
  ctx: OperationContext,
  returnId: string,
  input: { reason: string },
): Promise<ReturnDetail> {
  return decide(ctx, returnId, 'rejected', requiredText('reason', input.reason));
}
