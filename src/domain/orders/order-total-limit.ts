import { badInput } from '../errors.js';
import { MAX_ORDER_TOTAL } from '../input-limits.js';

/**
 * Refuses an order (placed or edited) whose subtotal or total would pass MAX_ORDER_TOTAL, before
 * anything is written: an order the API could not report exactly must never be committed.
 * The sums are plain numbers; one that passed 2^53 may be rounded, but a rounded sum that large
 * is still far above the limit, so checking the result is enough.
 */
export function checkOrderTotals(field: string, subtotal: number, total: number): void {
  for (const [name, value] of [
    ['subtotal', subtotal],
    ['total', total],
  ] as const) {
    if (!Number.isSafeInteger(value) || value > MAX_ORDER_TOTAL) {
      throw badInput(
        field,
        `would make the order's ${name} ${value}, above the limit of ${MAX_ORDER_TOTAL} minor units: split it into several orders`,
        { max: MAX_ORDER_TOTAL, [`${name}Amount`]: value },
      );
    }
  }
}
