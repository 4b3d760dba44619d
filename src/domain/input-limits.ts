import { badInput } from './errors.js';

/**
 * Every numeric and length limit on what callers may send, in one place. The domain operations
 * that accept these values check them (so a job or the CLI is held to them too); the GraphQL
 * field descriptions and docs/API.md "Input limits" quote them.
 *
 * Amounts are integer minor units. The limits are far above what a real merchant sends, and
 * chosen so every figure the hub derives stays exact in a JavaScript number (2^53 − 1 ≈ 9.0e15)
 * and every stock figure fits GraphQL's 32-bit Int (2^31 − 1 ≈ 2.1e9):
 * - a line total is at most MAX_UNIT_PRICE × MAX_LINE_QUANTITY = 10^15;
 * - an order's subtotal and total are refused above MAX_ORDER_TOTAL = 10^12, so a report may sum
 *   over 9,000 orders of the largest possible total before it could pass 2^53 (reports check
 *   that, see `reportFigure`);
 * - one variant holds at most MAX_VARIANT_UNITS across all its locations, so a level, its
 *   available stock and availableToSell (a sum over locations) all stay below 2^31.
 */

/** Price of one unit of a variant, in minor units (10^10: 100 million dollars in cents). */
export const MAX_UNIT_PRICE = 10_000_000_000;
/** Units on one order line. */
export const MAX_LINE_QUANTITY = 100_000;
/** An order's subtotal and total, and each of its shipping, tax and discount amounts (10^12). */
export const MAX_ORDER_TOTAL = 1_000_000_000_000;
/** Units moved by one stock movement (receive, adjust, transfer) and a safety stock or reorder point. */
export const MAX_STOCK_QUANTITY = 10_000_000;
/** Units of one variant on hand across all locations together (10^9, below 2^31 − 1 with room to spare). */
export const MAX_VARIANT_UNITS = 1_000_000_000;
/** Characters of a product description (other texts name their limit where they are checked). */
export const MAX_DESCRIPTION_LENGTH = 10_000;

/** A whole amount in minor units from 0 to `max`; BAD_USER_INPUT naming the field, limit and value otherwise. */
export function checkAmount(field: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw badInput(field, `must be a whole amount in minor units from 0 to ${max}, got ${value}`, {
      min: 0,
      max,
      given: value,
    });
  }
  return value;
}

/**
 * A sum or figure computed by SQL (PostgreSQL's sum of bigint is numeric, which the drivers hand
 * over as text): the exact number when it is a safe integer no larger than `max`. Past that a
 * JavaScript number would round it, so the report is refused with a clear error instead of
 * answering a wrong figure (with the input limits above this needs thousands of orders of the
 * largest total in one report row).
 */
export function reportFigure(field: string, value: string | number | bigint, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || Math.abs(n) > max) {
    throw badInput(
      field,
      `adds up to ${String(value)}, beyond the ${max} the API can report exactly: narrow the range or the channel`,
      { max },
    );
  }
  return n;
}
