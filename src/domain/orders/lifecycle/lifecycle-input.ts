import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { OrderLine } from '../order-line.entity.js';
import { MAX_ORDER_LINES } from '../place-order.input.js';
import { lineOf } from './order-change.js';

export const MAX_REASON_LENGTH = 500;

/** A required free text (a reason, a carrier): trimmed, 1 to `max` characters. */
export function requiredText(field: string, value: string | null | undefined, max = MAX_REASON_LENGTH): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) throw badInput(field, `is required (1 to ${max} characters)`, { max });
  if (v.length > max) throw badInput(field, `must be at most ${max} characters`, { max });
  return v;
}

export function optionalText(field: string, value: string | null | undefined, max = MAX_REASON_LENGTH): string | null {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) return null;
  if (v.length > max) throw badInput(field, `must be at most ${max} characters`, { max });
  return v;
}

export function optionalVersion(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 1) throw badInput('expectedVersion', 'must be a whole number from 1');
  return value;
}

export interface LineQuantity {
  lineId: string;
  quantity: number;
}

/**
 * Checks a list of `{ lineId, quantity }` against the order's lines before anything is written:
 * each id must be a line of the order (else NOT_FOUND), appear once, and ask for 1 to
 * `limitOf(line)` units (else BAD_USER_INPUT naming `field[i].quantity` and the limit, with
 * `what` saying what the limit counts).
 */
export function checkLineQuantities<T extends LineQuantity>(
  field: string,
  requested: readonly T[] | null | undefined,
  lines: OrderLine[],
  limitOf: (line: OrderLine) => number,
  what: string,
): { line: OrderLine; quantity: number; input: T }[] {
  if (!Array.isArray(requested) || requested.length === 0) throw badInput(field, 'must hold at least one line');
  if (requested.length > MAX_ORDER_LINES)
    throw badInput(field, `must hold at most ${MAX_ORDER_LINES} lines`, { max: MAX_ORDER_LINES });
  const seen = new Set<string>();
  return requested.map((r, i) => {
    const line = lineOf(lines, String(r.lineId ?? ''));
    if (seen.has(line.id))
      throw badInput(`${field}[${i}].lineId`, `line ${line.id} appears twice; put its whole quantity on one entry`);
    seen.add(line.id);
    const max = limitOf(line);
    if (!Number.isInteger(r.quantity) || r.quantity < 1 || r.quantity > max) {
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        max < 1
          ? `${field}[${i}].quantity: ${line.sku} has no ${what}`
          : `${field}[${i}].quantity: must be a whole number from 1 to ${max} (${what} of ${line.sku}), got ${r.quantity}`,
        { field: `${field}[${i}].quantity`, min: 1, max, lineId: line.id },
      );
    }
    return { line, quantity: r.quantity, input: r };
  });
}
