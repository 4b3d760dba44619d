import type { EbayOrder } from '../ebay-order.types.js';

/** getOrders' `filter`, as far as the simulator understands it. */
export interface OrderFilter {
  field: 'creationDate' | 'lastModifiedDate' | null;
  from: number | null;
  to: number | null;
  fulfillmentStatuses: string[] | null;
}

const RANGE = /^(creationdate|lastmodifieddate):\[([^\]]*?)\.\.([^\]]*)\]$/;
const STATUS = /^orderfulfillmentstatus:\{([A-Z_|]+)\}$/;

/**
 * Parses `lastmodifieddate:[2026-01-01T00:00:00.000Z..]`, `creationdate:[from..to]` and
 * `orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}`, comma-separated. When both date criteria
 * are given eBay uses creationdate only (CONNECTORS.md §3). Null when the filter is malformed.
 */
export function parseOrderFilter(filter: string | null): OrderFilter | null {
  const parsed: OrderFilter = { field: null, from: null, to: null, fulfillmentStatuses: null };
  if (!filter) return parsed;
  // A comma inside the brackets never occurs (ISO timestamps), so a plain split is enough.
  for (const criterion of filter.split(',').map((c) => c.trim())) {
    const range = RANGE.exec(criterion);
    if (range) {
      const field = range[1] === 'creationdate' ? 'creationDate' : 'lastModifiedDate';
      if (parsed.field === 'creationDate' && field === 'lastModifiedDate') continue;
      const from = range[2] ? Date.parse(range[2]) : null;
      const to = range[3] ? Date.parse(range[3]) : null;
      if (from === null || Number.isNaN(from) || (to !== null && Number.isNaN(to))) return null;
      Object.assign(parsed, { field, from, to });
      continue;
    }
    const status = STATUS.exec(criterion);
    if (status) {
      parsed.fulfillmentStatuses = status[1]!.split('|');
      continue;
    }
    return null;
  }
  return parsed;
}

export function matchesFilter(order: EbayOrder, filter: OrderFilter): boolean {
  if (filter.field) {
    const at = Date.parse(order[filter.field] ?? '');
    if (filter.from !== null && at < filter.from) return false;
    if (filter.to !== null && at > filter.to) return false;
  }
  if (filter.fulfillmentStatuses && !filter.fulfillmentStatuses.includes(order.orderFulfillmentStatus ?? ''))
    return false;
  return true;
}
