import { validateAddress, type PostalAddress } from '../../address.js';
import { badInput } from '../../errors.js';
import { MAX_LINE_QUANTITY } from '../../input-limits.js';
import { MAX_ORDER_LINES } from '../place-order.input.js';
import { optionalText, optionalVersion, type LineQuantity } from './lifecycle-input.js';

export interface EditOrderInput {
  /** New quantities of existing lines: the units wanted, not counting units already cancelled. */
  lines?: LineQuantity[] | null;
  addLines?: { sku: string; quantity: number }[] | null;
  removeLineIds?: string[] | null;
  shippingAddress?: PostalAddress | null;
  billingAddress?: PostalAddress | null;
  reason?: string | null;
  expectedVersion?: number | null;
}

export interface ValidEditOrderInput {
  lines: LineQuantity[];
  addLines: { sku: string; quantity: number }[];
  removeLineIds: string[];
  shippingAddress: PostalAddress | null;
  billingAddress: PostalAddress | null;
  reason: string;
  expectedVersion: number | null;
}

function quantity(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_LINE_QUANTITY) {
    throw badInput(field, `must be a whole number from 1 to ${MAX_LINE_QUANTITY}, got ${value}`, {
      min: 1,
      max: MAX_LINE_QUANTITY,
    });
  }
  return value;
}

/** The shape of an edit, checked before any database work; what needs the order is checked in the service. */
export function validateEditOrderInput(input: EditOrderInput): ValidEditOrderInput {
  const list = <T>(field: string, value: T[] | null | undefined): T[] => {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw badInput(field, 'must be a list');
    if (value.length > MAX_ORDER_LINES)
      throw badInput(field, `must hold at most ${MAX_ORDER_LINES} entries`, { max: MAX_ORDER_LINES });
    return value;
  };
  const lines = list('lines', input.lines).map((l, i) => ({
    lineId: String(l.lineId ?? ''),
    quantity: quantity(`lines[${i}].quantity`, l.quantity),
  }));
  const seenSku = new Set<string>();
  const addLines = list('addLines', input.addLines).map((l, i) => {
    const sku = (l.sku ?? '').trim();
    if (!sku || sku.length > 100) throw badInput(`addLines[${i}].sku`, 'must be 1 to 100 characters');
    if (seenSku.has(sku))
      throw badInput(`addLines[${i}].sku`, `${sku} appears twice; put the whole quantity on one line`);
    seenSku.add(sku);
    return { sku, quantity: quantity(`addLines[${i}].quantity`, l.quantity) };
  });
  const removeLineIds = list('removeLineIds', input.removeLineIds).map((id) => String(id ?? ''));
  const shippingAddress = input.shippingAddress ? validateAddress('shippingAddress', input.shippingAddress) : null;
  const billingAddress = input.billingAddress ? validateAddress('billingAddress', input.billingAddress) : null;
  if (lines.length + addLines.length + removeLineIds.length === 0 && !shippingAddress && !billingAddress) {
    throw badInput(
      'lines',
      'nothing to change: give lines, addLines, removeLineIds, shippingAddress or billingAddress',
    );
  }
  return {
    lines,
    addLines,
    removeLineIds,
    shippingAddress,
    billingAddress,
    reason: optionalText('reason', input.reason) ?? 'edited',
    expectedVersion: optionalVersion(input.expectedVersion),
  };
}
