import type { EntityManager } from '@mikro-orm/core';
import { ReturnLine } from '../../returns/return-line.entity.js';
import { ReturnRequest } from '../../returns/return-request.entity.js';
import type { OrderLine } from '../order-line.entity.js';
import type { Order } from '../order.entity.js';

/** A return with its lines (SKU and unit price included) and its order. */
export interface ReturnDetail {
  order: Order;
  returnRequest: ReturnRequest;
  lines: { line: ReturnLine; sku: string; unitPriceAmount: number }[];
}

export function returnDetail(
  order: Order,
  returnRequest: ReturnRequest,
  returnLines: ReturnLine[],
  lines: OrderLine[],
): ReturnDetail {
  return { order, returnRequest, lines: returnLinesDetail(returnRequest, returnLines, lines) };
}

/** The return's own lines (of `returnLines`), with SKU and unit price from the order's `lines`, by line position. */
export function returnLinesDetail(
  returnRequest: ReturnRequest,
  returnLines: ReturnLine[],
  lines: OrderLine[],
): ReturnDetail['lines'] {
  return returnLines
    .filter((rl) => rl.returnRequest.id === returnRequest.id)
    .map((rl) => {
      const line = lines.find((l) => l.id === rl.orderLineId)!;
      return { line: rl, sku: line.sku, unitPriceAmount: line.unitPriceAmount, position: line.position };
    })
    .sort((a, b) => a.position - b.position)
    .map(({ position: _position, ...rest }) => rest);
}

/** The order's returns and their lines, read in the change's transaction (after the claim). */
export async function returnsOf(
  tx: EntityManager,
  order: Order,
): Promise<{ returns: ReturnRequest[]; lines: ReturnLine[] }> {
  const returns = await tx.find(ReturnRequest, { order: order.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const lines =
    returns.length === 0 ? [] : await tx.find(ReturnLine, { returnRequest: { $in: returns.map((r) => r.id) } });
  return { returns, lines };
}

/** Units of an order line already coming back: received units of settled returns, requested units of open ones. */
export function unitsReturning(orderLineId: string, returns: ReturnRequest[], lines: ReturnLine[]): number {
  const status = new Map(returns.map((r) => [r.id, r.status]));
  return lines
    .filter((rl) => rl.orderLineId === orderLineId && status.get(rl.returnRequest.id) !== 'rejected')
    .reduce((sum, rl) => {
      const settled = status.get(rl.returnRequest.id) === 'received' || status.get(rl.returnRequest.id) === 'refunded';
      return sum + (settled ? (rl.receivedQuantity ?? 0) : rl.quantity);
    }, 0);
}
