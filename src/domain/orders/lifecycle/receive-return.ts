import type { OperationContext } from '../../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../../errors.js';
import { recordLevelChanged } from '../../inventory/level-events.js';
import { changeOnHand } from '../../inventory/stock-ledger.js';
import { transitionReturn } from '../../returns/return-transitions.js';
import { MAX_ORDER_LINES } from '../place-order.input.js';
import { recordOrderEvent } from '../order-transitions.js';
import { handFreedStock } from './freed-stock.js';
import { optionalText } from './lifecycle-input.js';
import { changeOrder, claimOrder } from './order-change.js';
import { orderIdOf } from './order-of.js';
import { refundReturn, type LifecycleDeps } from './order-payment.js';
import { OrderStock } from './order-stock.js';
import { returnDetail, returnsOf, type ReturnDetail } from './return-detail.js';

export interface ReceiveReturnInput {
  /** Per order line of the return: units that arrived and whether they go back on the shelf. Lines not named arrived with nothing. */
  lines: { lineId: string; quantity: number; restock: boolean }[];
  note?: string | null;
}

/**
 * The parcel came back: records what arrived, puts restockable units back on hand (a `returned`
 * ledger row at the location that shipped them, the latest shipment first), then refunds what
 * arrived — unit price × units received, in minor units, capped at what the payment still holds
 * — through the payment port. approved → received → refunded, each step on the order timeline.
 * Paid by card, the refund is a payment step: the return stays received until the payments job
 * has the gateway's answer (order-payment.ts, refundReturn).
 */
export async function receiveReturn(
  ctx: OperationContext,
  deps: LifecycleDeps,
  returnId: string,
  input: ReceiveReturnInput,
): Promise<ReturnDetail> {
  const note = optionalText('note', input.note);
  if (!Array.isArray(input.lines) || input.lines.length === 0) throw badInput('lines', 'must hold at least one line');
  if (input.lines.length > MAX_ORDER_LINES)
    throw badInput('lines', `must hold at most ${MAX_ORDER_LINES} lines`, { max: MAX_ORDER_LINES });
  return changeOrder(ctx, async (tx) => {
    const claimed = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Return', returnId));
    const { order, lines } = claimed;
    const { returns, lines: allReturnLines } = await returnsOf(tx, order);
    const ret = returns.find((r) => r.id === returnId)!;
    transitionReturn(ret, 'received');
    const returnLines = allReturnLines.filter((rl) => rl.returnRequest.id === ret.id);

    const seen = new Set<string>();
    const received = input.lines.map((r, i) => {
      const rl = returnLines.find((x) => x.orderLineId === r.lineId);
      if (!rl) throw notFound('ReturnLine', String(r.lineId));
      if (seen.has(rl.id)) throw badInput(`lines[${i}].lineId`, `line ${r.lineId} appears twice`);
      seen.add(rl.id);
      if (!Number.isInteger(r.quantity) || r.quantity < 0 || r.quantity > rl.quantity) {
        throw new DomainError(
          ErrorCode.BAD_USER_INPUT,
          `lines[${i}].quantity: must be a whole number from 0 to ${rl.quantity} (units this return asked for), got ${r.quantity}`,
          {
            field: `lines[${i}].quantity`,
            min: 0,
            max: rl.quantity,
            lineId: rl.orderLineId,
          },
        );
      }
      if (typeof r.restock !== 'boolean') throw badInput(`lines[${i}].restock`, 'must be true or false');
      return { rl, quantity: r.quantity, restock: r.restock };
    });
    if (received.every((r) => r.quantity === 0))
      throw badInput('lines', 'nothing received: at least one unit must have arrived');
    for (const rl of returnLines) {
      const got = received.find((r) => r.rl === rl);
      rl.receivedQuantity = got?.quantity ?? 0;
      rl.restock = got ? got.restock && got.quantity > 0 : false;
    }

    // Restock where the units left from: shipped parcels of the line, the latest first.
    const stock = await OrderStock.load(tx, order, lines);
    const sent = stock.shipments
      .filter((s) => s.shippedAt && (s.status === 'shipped' || s.status === 'delivered'))
      .sort((a, b) => b.shippedAt!.getTime() - a.shippedAt!.getTime());
    const restocks = new Map<string, { variantId: string; locationId: string; quantity: number }>();
    const restocked: { lineId: string; locationId: string; quantity: number }[] = [];
    for (const { rl, quantity, restock } of received) {
      if (!restock || quantity === 0) continue;
      const line = lines.find((l) => l.id === rl.orderLineId)!;
      const from = sent.flatMap((s) =>
        stock
          .linesOf(s)
          .filter((sl) => sl.orderLineId === line.id)
          .map((sl) => ({ locationId: s.locationId, quantity: sl.quantity })),
      );
      let left = quantity;
      from.forEach((f, i) => {
        const n = i === from.length - 1 ? left : Math.min(left, f.quantity);
        if (n <= 0) return;
        const key = `${line.variant.id}|${f.locationId}`;
        const seenKey = restocks.get(key);
        if (seenKey) seenKey.quantity += n;
        else restocks.set(key, { variantId: line.variant.id, locationId: f.locationId, quantity: n });
        restocked.push({ lineId: line.id, locationId: f.locationId, quantity: n });
        left -= n;
      });
    }
    for (const r of [...restocks.values()].sort(
      (a, b) => a.variantId.localeCompare(b.variantId) || a.locationId.localeCompare(b.locationId),
    )) {
      const level = (await changeOnHand(
        tx,
        { variantId: r.variantId, locationId: r.locationId },
        r.quantity,
        'returned',
        ctx.actor.id,
        `return ${ret.id}`,
        order.id,
      ))!;
      recordLevelChanged(tx, level, { onHand: r.quantity });
    }

    ret.receivedAt = new Date();
    ret.refundAmount = received.reduce(
      (sum, r) => sum + lines.find((l) => l.id === r.rl.orderLineId)!.unitPriceAmount * r.quantity,
      0,
    );
    recordOrderEvent(tx, order, ctx.actor, 'return_received', note, {
      returnId: ret.id,
      lines: returnLines.map((rl) => ({
        lineId: rl.orderLineId,
        requested: rl.quantity,
        received: rl.receivedQuantity,
        restock: rl.restock,
      })),
      restocked,
      refundAmount: ret.refundAmount,
    });

    await refundReturn(tx, ctx, deps, claimed, ret);
    await handFreedStock(
      tx,
      ctx,
      [...restocks.values()].map((r) => r.variantId),
      `stock returned on order ${order.number}`,
    );
    await tx.flush();
    return returnDetail(order, ret, returnLines, lines);
  });
}
