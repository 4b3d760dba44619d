import { randomUUID } from 'node:crypto';
import type { FulfillmentStatus, Order } from '@sp-api-sdk/orders-api-2026-01-01';

/** The blocks of an order Amazon returns only when `includedData` asks for them. */
const INCLUDED_BLOCKS: Record<string, { order: (keyof Order)[]; item: string[] }> = {
  BUYER: { order: ['buyer'], item: [] },
  RECIPIENT: { order: ['recipient'], item: [] },
  PROCEEDS: { order: ['proceeds'], item: ['proceeds'] },
  EXPENSE: { order: [], item: ['expense'] },
  PROMOTION: { order: [], item: ['promotion'] },
  CANCELLATION: { order: [], item: ['cancellation'] },
  FULFILLMENT: { order: ['fulfillment'], item: ['fulfillment'] },
  PACKAGES: { order: ['packages'], item: [] },
  TAX: { order: ['tax'], item: ['tax'] },
  PAYMENT: { order: ['payment'], item: [] },
  FULFILLMENT_ORDERS: { order: ['fulfillmentOrders'], item: [] },
};

export interface OrderQuery {
  lastUpdatedAfter: number;
  marketplaceIds: string[];
  fulfillmentStatuses: string[];
  fulfilledBy: string[];
}

/** A confirmed package, as confirmShipment recorded it. */
export interface SimPackage {
  packageReferenceId: string;
  carrierCode: string;
  trackingNumber: string;
  shipDate: string;
  orderItems: { orderItemId: string; quantity: number }[];
}

/**
 * The simulated seller's orders in the v2026-01-01 shape, stored whole (fixtures go in
 * unchanged) and trimmed to `includedData` on the way out. Searches are stable: the first page
 * fixes the result set, later pages return those orders' current versions.
 */
export class SimOrders {
  private readonly orders = new Map<string, Order>();
  private readonly searches = new Map<string, { ids: string[]; key: string }>();
  readonly packages = new Map<string, SimPackage[]>();

  constructor(private readonly now: () => number) {}

  /** Adds or replaces an order as given (a deep copy). */
  put(order: Order): void {
    this.orders.set(order.orderId, structuredClone(order));
  }

  get(orderId: string): Order | undefined {
    const order = this.orders.get(orderId);
    return order ? structuredClone(order) : undefined;
  }

  get size(): number {
    return this.orders.size;
  }

  /** Changes an order's status as Amazon would (PENDING → UNSHIPPED, CANCELLED), bumping lastUpdatedTime. */
  setStatus(orderId: string, status: FulfillmentStatus): void {
    const order = this.require(orderId);
    order.fulfillment = { ...order.fulfillment, fulfillmentStatus: status };
    this.touch(order);
  }

  /** Matching orders oldest change first, tied by id; a token for the rest. */
  search(
    query: OrderQuery,
    pageSize: number,
    token: string | null,
  ): { orders: Order[]; nextToken: string | null } | 'bad-token' {
    const key = JSON.stringify(query);
    let ids: string[];
    if (token) {
      const saved = this.searches.get(token);
      // Amazon requires the same filters with a token; a token is good for one next page here.
      if (!saved || saved.key !== key) return 'bad-token';
      this.searches.delete(token);
      ids = saved.ids;
    } else {
      ids = [...this.orders.values()]
        .filter((o) => matches(o, query))
        .sort(
          (a, b) => Date.parse(a.lastUpdatedTime) - Date.parse(b.lastUpdatedTime) || a.orderId.localeCompare(b.orderId),
        )
        .map((o) => o.orderId);
    }
    const page = ids.slice(0, pageSize);
    const rest = ids.slice(pageSize);
    let nextToken: string | null = null;
    if (rest.length) {
      nextToken = Buffer.from(randomUUID()).toString('base64url');
      this.searches.set(nextToken, { ids: rest, key });
    }
    return { orders: page.map((id) => this.orders.get(id)!).map((o) => structuredClone(o)), nextToken };
  }

  /** Records a package and moves the order to PARTIALLY_SHIPPED or SHIPPED. Returns why not, if refused. */
  confirmShipment(orderId: string, pkg: SimPackage): string | null {
    const order = this.require(orderId);
    if (order.fulfillment?.fulfilledBy === 'AMAZON')
      return 'Amazon fulfils this order (AFN): the seller cannot confirm its shipment';
    const status = order.fulfillment?.fulfillmentStatus;
    if (status !== 'UNSHIPPED' && status !== 'PARTIALLY_SHIPPED')
      return `The order is ${status ?? 'without a status'}, not shippable`;
    const shipped = this.packages.get(orderId) ?? [];
    if (shipped.some((p) => p.packageReferenceId === pkg.packageReferenceId))
      return `packageReferenceId ${pkg.packageReferenceId} was already confirmed for this order`;
    for (const line of pkg.orderItems) {
      const item = order.orderItems.find((i) => i.orderItemId === line.orderItemId);
      if (!item) return `The order has no item ${line.orderItemId}`;
      const unshipped = item.fulfillment?.quantityUnfulfilled ?? item.quantityOrdered;
      if (line.quantity < 1 || line.quantity > unshipped)
        return `Item ${line.orderItemId} has ${unshipped} to ship, not ${line.quantity}`;
    }
    for (const line of pkg.orderItems) {
      const item = order.orderItems.find((i) => i.orderItemId === line.orderItemId)!;
      const done = (item.fulfillment?.quantityFulfilled ?? 0) + line.quantity;
      item.fulfillment = {
        ...item.fulfillment,
        quantityFulfilled: done,
        quantityUnfulfilled: item.quantityOrdered - done,
      };
    }
    this.packages.set(orderId, [...shipped, pkg]);
    // What getOrder/searchOrders show with includedData PACKAGES.
    order.packages = [
      ...(order.packages ?? []),
      {
        packageReferenceId: pkg.packageReferenceId,
        createdTime: new Date(this.now()).toISOString(),
        carrier: pkg.carrierCode,
        trackingNumber: pkg.trackingNumber,
        shipTime: pkg.shipDate,
        packageStatus: { status: 'SHIPPED' },
        packageItems: pkg.orderItems,
      },
    ];
    const allShipped = order.orderItems.every((i) => (i.fulfillment?.quantityUnfulfilled ?? i.quantityOrdered) === 0);
    order.fulfillment = { ...order.fulfillment, fulfillmentStatus: allShipped ? 'SHIPPED' : 'PARTIALLY_SHIPPED' };
    this.touch(order);
    return null;
  }

  private require(orderId: string): Order {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`The simulator has no order ${orderId}`);
    return order;
  }

  private touch(order: Order): void {
    // Strictly later than before, so a pull from the old time sees the change.
    const next = Math.max(this.now(), Date.parse(order.lastUpdatedTime) + 1000);
    order.lastUpdatedTime = new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

function matches(o: Order, q: OrderQuery): boolean {
  if (Date.parse(o.lastUpdatedTime) < q.lastUpdatedAfter) return false;
  if (q.marketplaceIds.length && !q.marketplaceIds.includes(o.salesChannel.marketplaceId ?? '')) return false;
  const status = o.fulfillment?.fulfillmentStatus;
  if (q.fulfillmentStatuses.length && (!status || !q.fulfillmentStatuses.includes(status))) return false;
  const by = o.fulfillment?.fulfilledBy;
  if (q.fulfilledBy.length && (!by || !q.fulfilledBy.includes(by))) return false;
  return true;
}

/** The order as searchOrders returns it for these `includedData` values (items always inline). */
export function withIncludedData(order: Order, included: string[]): Order {
  const out = structuredClone(order) as unknown as Record<string, unknown>;
  const items = out.orderItems as Record<string, unknown>[];
  for (const [name, blocks] of Object.entries(INCLUDED_BLOCKS)) {
    if (included.includes(name)) continue;
    for (const key of blocks.order) delete out[key];
    for (const item of items) for (const key of blocks.item) delete item[key];
  }
  return out as unknown as Order;
}
