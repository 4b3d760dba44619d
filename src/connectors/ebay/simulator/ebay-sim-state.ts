import type { EbayLineItem, EbayOrder } from '../ebay-order.types.js';

/** The APIs whose daily quotas the simulator counts separately, as eBay does. */
export type EbaySimApi = 'identity' | 'fulfillment' | 'inventory' | 'notification';

/** A listing allows about 250 revisions a day (CONNECTORS.md §3). */
export const EBAY_MAX_REVISIONS_PER_DAY = 250;

export interface SimInventoryItem {
  sku: string;
  quantity: number;
  offerIds: string[];
}

export interface SimFulfillment {
  fulfillmentId: string;
  lineItems: { lineItemId: string; quantity: number }[];
  trackingNumber: string;
  shippingCarrierCode: string;
  shippedDate: string;
}

/** A scripted failure: the next call to `api` (any API when absent) gets this answer instead. */
export interface SimFault {
  api?: EbaySimApi;
  status: number;
  retryAfterSeconds?: number;
}

export interface SimCall {
  at: number;
  api: EbaySimApi;
  method: string;
  path: string;
  status: number;
  marketplaceId: string | null;
  /** The parsed JSON body of a POST (what a contract test checks our requests with). */
  body?: unknown;
}

/**
 * Everything the eBay simulator holds, in memory: orders and their shipping fulfillments, the
 * seller's inventory with a per-listing daily revision counter, daily call counters per API
 * against their quotas, the OAuth grants, the Notification API's public keys, scripted faults
 * and a log of every call (to check afterwards that no call came before a Retry-After).
 */
export class EbaySimState {
  readonly orders = new Map<string, EbayOrder>();
  readonly fulfillments = new Map<string, SimFulfillment[]>();
  readonly inventory = new Map<string, SimInventoryItem>();
  readonly publicKeys = new Map<string, unknown>();
  readonly refreshTokens = new Set<string>();
  readonly accessTokens = new Map<string, { kind: 'user' | 'app'; expiresAt: number }>();
  readonly faults: SimFault[] = [];
  readonly log: SimCall[] = [];
  readonly quotas: Record<EbaySimApi, number> = {
    identity: 50_000,
    fulfillment: 100_000,
    inventory: 100_000,
    notification: 10_000,
  };
  /** Calls refused because their API's daily quota was spent: a client that keeps within it leaves 0. */
  quotaRefusals = 0;
  private readonly revisions = new Map<string, number>();
  private readonly calls = new Map<string, number>();
  private sequence = 0;

  constructor(readonly now: () => number = Date.now) {}

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${String(this.sequence).padStart(6, '0')}`;
  }

  /** The UTC day eBay's daily counters belong to. */
  day(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  /** Counts one call against the API's daily quota; false when the quota was already spent. */
  spendQuota(api: EbaySimApi): boolean {
    const key = `${this.day()}|${api}`;
    const used = this.calls.get(key) ?? 0;
    if (used >= this.quotas[api]) {
      this.quotaRefusals += 1;
      return false;
    }
    this.calls.set(key, used + 1);
    return true;
  }

  callsToday(api: EbaySimApi): number {
    return this.calls.get(`${this.day()}|${api}`) ?? 0;
  }

  /** Counts one revision of the SKU's listing; false when today's cap is reached (nothing changes). */
  revise(sku: string): boolean {
    const key = `${this.day()}|${sku}`;
    const used = this.revisions.get(key) ?? 0;
    if (used >= EBAY_MAX_REVISIONS_PER_DAY) return false;
    this.revisions.set(key, used + 1);
    return true;
  }

  revisionsToday(sku: string): number {
    return this.revisions.get(`${this.day()}|${sku}`) ?? 0;
  }

  takeFault(api: EbaySimApi): SimFault | undefined {
    const index = this.faults.findIndex((f) => f.api === undefined || f.api === api);
    return index < 0 ? undefined : this.faults.splice(index, 1)[0];
  }

  /** Stores an order as eBay would hold it: stamped with its dates, every line not started. */
  putOrder(order: EbayOrder): EbayOrder {
    const at = new Date(this.now()).toISOString();
    const stored: EbayOrder = {
      orderFulfillmentStatus: 'NOT_STARTED',
      cancelStatus: { cancelState: 'NONE_REQUESTED', cancelRequests: [] },
      ...structuredClone(order),
      orderId: order.orderId ?? this.nextId('12-00000-'),
      creationDate: order.creationDate ?? at,
      lastModifiedDate: order.lastModifiedDate ?? at,
    };
    this.orders.set(stored.orderId!, stored);
    return stored;
  }

  /** Quantity of a line already covered by shipping fulfillments. */
  shippedQuantity(orderId: string, lineItemId: string): number {
    let shipped = 0;
    for (const f of this.fulfillments.get(orderId) ?? [])
      for (const l of f.lineItems) if (l.lineItemId === lineItemId) shipped += l.quantity;
    return shipped;
  }

  /** Records a fulfillment and moves the order's and lines' fulfilment statuses as eBay does. */
  addFulfillment(order: EbayOrder, fulfillment: SimFulfillment): void {
    const id = order.orderId!;
    this.fulfillments.set(id, [...(this.fulfillments.get(id) ?? []), fulfillment]);
    const lines: EbayLineItem[] = order.lineItems ?? [];
    for (const line of lines) {
      const shipped = this.shippedQuantity(id, line.lineItemId!);
      if (shipped >= (line.quantity ?? 0)) line.lineItemFulfillmentStatus = 'FULFILLED';
      else if (shipped > 0) line.lineItemFulfillmentStatus = 'IN_PROGRESS';
    }
    const all = lines.every((l) => l.lineItemFulfillmentStatus === 'FULFILLED');
    order.orderFulfillmentStatus = all ? 'FULFILLED' : 'IN_PROGRESS';
    order.lastModifiedDate = new Date(this.now()).toISOString();
  }
}
