import { badInput } from '../errors.js';
import type { Order } from './order.entity.js';

/** The orders a list may be sorted by; each has a keyset cursor of its own (value, id). */
export const ORDER_SORTS = ['CREATED_AT_DESC', 'CREATED_AT_ASC', 'UPDATED_AT_DESC', 'TOTAL_DESC'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

export interface OrderSortSpec {
  field: 'createdAt' | 'updatedAt' | 'totalAmount';
  direction: 'asc' | 'desc';
}

export const ORDER_SORT_SPECS: Readonly<Record<OrderSort, OrderSortSpec>> = {
  CREATED_AT_DESC: { field: 'createdAt', direction: 'desc' },
  CREATED_AT_ASC: { field: 'createdAt', direction: 'asc' },
  UPDATED_AT_DESC: { field: 'updatedAt', direction: 'desc' },
  // Raw minor units: across currencies this orders by number, not by value.
  TOTAL_DESC: { field: 'totalAmount', direction: 'desc' },
};

/** Where a page ended, for the sort it was read with. */
export interface OrderKeyset {
  value: Date | number;
  id: string;
}

/**
 * Cursors carry their sort, so a cursor read under one orderBy and replayed under another is
 * refused rather than silently skipping or repeating orders.
 */
export function encodeOrderCursor(sort: OrderSort, order: Pick<Order, 'id' | OrderSortSpec['field']>): string {
  const value = order[ORDER_SORT_SPECS[sort].field];
  const raw = value instanceof Date ? value.toISOString() : String(value);
  return Buffer.from(JSON.stringify([sort, raw, order.id]), 'utf8').toString('base64url');
}

export function decodeOrderCursor(sort: OrderSort, cursor: string, field = 'after'): OrderKeyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) {
    throw badInput(field, 'is not a cursor this API returned (use pageInfo.endCursor)');
  }
  const [cursorSort, raw, id] = parsed as [string, string, string];
  if (cursorSort !== sort)
    throw badInput(field, `was returned for orderBy ${cursorSort}, not ${sort}: start again without "after"`);
  const spec = ORDER_SORT_SPECS[sort];
  const value = spec.field === 'totalAmount' ? Number(raw) : new Date(raw);
  if ((value instanceof Date ? Number.isNaN(value.getTime()) : !Number.isSafeInteger(value)) || !id) {
    throw badInput(field, 'is not a cursor this API returned (use pageInfo.endCursor)');
  }
  return { value, id };
}
