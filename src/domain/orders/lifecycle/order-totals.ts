import type { OrderLine } from '../order-line.entity.js';
import type { Order } from '../order.entity.js';

export interface TotalsSnapshot {
  subtotal: number;
  shipping: number;
  tax: number;
  discount: number;
  total: number;
}

type OrderAmounts = Pick<Order, 'subtotalAmount' | 'shippingAmount' | 'taxAmount' | 'discountAmount' | 'totalAmount'>;

export function totalsOf(order: OrderAmounts): TotalsSnapshot {
  return {
    subtotal: order.subtotalAmount,
    shipping: order.shippingAmount,
    tax: order.taxAmount,
    discount: order.discountAmount,
    total: order.totalAmount,
  };
}

/**
 * Recomputes line totals (unit price × units not cancelled) and the order's subtotal and total.
 * Shipping, tax and discount stay as placed: the hub has no tax or promotion engine to
 * re-apportion them. A cancellation may shrink the subtotal below the discount; the discount is
 * then cut so the total never goes negative (`clampDiscount`); an edit refuses instead.
 */
export function recomputeTotals(
  order: OrderAmounts,
  lines: Pick<OrderLine, 'lineTotalAmount' | 'unitPriceAmount' | 'quantity' | 'quantityCancelled'>[],
  options: { clampDiscount: boolean; zeroCharges?: boolean },
): TotalsSnapshot {
  for (const l of lines) l.lineTotalAmount = l.unitPriceAmount * (l.quantity - l.quantityCancelled);
  order.subtotalAmount = lines.reduce((sum, l) => sum + l.lineTotalAmount, 0);
  if (options.zeroCharges) {
    order.shippingAmount = 0;
    order.taxAmount = 0;
    order.discountAmount = 0;
  }
  const before = order.subtotalAmount + order.shippingAmount + order.taxAmount;
  if (options.clampDiscount && order.discountAmount > before) order.discountAmount = before;
  order.totalAmount = before - order.discountAmount;
  return totalsOf(order);
}
