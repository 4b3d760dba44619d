/**
 * The simulated store's state. Orders are kept in Shopify's REST webhook shape (what
 * fixtures/shopify/orders-create.json holds under `response`), so a fixture is accepted unchanged
 * and a webhook body is the stored record itself; the GraphQL view is derived from it
 * (sim-order-view.ts). Inventory is `available` per inventory item × location.
 */

/** A REST-shaped order; only the fields the simulator reads are typed, the rest is kept as is. */
export type RestOrder = Record<string, unknown> & {
  admin_graphql_api_id: string;
  updated_at: string;
  line_items: RestLineItem[];
};

export type RestLineItem = Record<string, unknown> & {
  admin_graphql_api_id: string;
  quantity: number;
  sku: string | null;
  variant_id: number | string | null;
};

export interface SimVariant {
  id: string;
  sku: string;
  title: string;
  inventoryItemId: string;
}

export interface FulfillmentOrderLine {
  id: string;
  lineItemId: string;
  totalQuantity: number;
  remainingQuantity: number;
}

export interface SimFulfillmentOrder {
  id: string;
  orderId: string;
  lines: FulfillmentOrderLine[];
}

export interface SimFulfillment {
  id: string;
  orderId: string;
  status: 'SUCCESS';
  createdAt: string;
  trackingInfo: { number: string | null; company: string | null; url: string | null }[];
  lines: { fulfillmentOrderLineItemId: string; quantity: number }[];
}

export class SimState {
  readonly orders = new Map<string, RestOrder>();
  readonly variants = new Map<string, SimVariant>();
  readonly locations = new Set<string>();
  /** `${inventoryItemId}|${locationId}` → available */
  readonly levels = new Map<string, number>();
  readonly fulfillmentOrders = new Map<string, SimFulfillmentOrder>();
  readonly fulfillments = new Map<string, SimFulfillment>();
  private seq: number;

  /** `firstId`: ids start after it (1000 by default, so the first order is #1001). */
  constructor(
    private readonly now: () => number,
    firstId = 1000,
  ) {
    this.seq = firstId;
  }

  /** A fresh numeric id, kept below 2^53 so the REST copies of our own orders stay exact. */
  nextId(): number {
    return ++this.seq;
  }

  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  /** Stores (or replaces) an order as given; creates its fulfillment order on first sight. */
  putOrder(order: RestOrder): RestOrder {
    const copy = structuredClone(order);
    this.orders.set(copy.admin_graphql_api_id, copy);
    if (![...this.fulfillmentOrders.values()].some((fo) => fo.orderId === copy.admin_graphql_api_id)) {
      const id = `gid://shopify/FulfillmentOrder/${this.nextId()}`;
      this.fulfillmentOrders.set(id, {
        id,
        orderId: copy.admin_graphql_api_id,
        lines: copy.line_items.map((li) => ({
          id: `gid://shopify/FulfillmentOrderLineItem/${this.nextId()}`,
          lineItemId: li.admin_graphql_api_id,
          totalQuantity: li.quantity,
          remainingQuantity: li.quantity,
        })),
      });
    }
    return copy;
  }

  fulfillmentOrdersOf(orderId: string): SimFulfillmentOrder[] {
    return [...this.fulfillmentOrders.values()].filter((fo) => fo.orderId === orderId);
  }

  fulfillmentsOf(orderId: string): SimFulfillment[] {
    return [...this.fulfillments.values()].filter((f) => f.orderId === orderId);
  }

  addVariant(sku: string, title = sku): SimVariant {
    const existing = [...this.variants.values()].find((v) => v.sku === sku);
    if (existing) return existing;
    const variant: SimVariant = {
      id: `gid://shopify/ProductVariant/${this.nextId()}`,
      sku,
      title,
      inventoryItemId: `gid://shopify/InventoryItem/${this.nextId()}`,
    };
    this.variants.set(variant.id, variant);
    return variant;
  }

  variantBySku(sku: string): SimVariant | undefined {
    return [...this.variants.values()].find((v) => v.sku === sku);
  }

  variantByInventoryItem(inventoryItemId: string): SimVariant | undefined {
    return [...this.variants.values()].find((v) => v.inventoryItemId === inventoryItemId);
  }

  level(inventoryItemId: string, locationId: string): number | undefined {
    return this.levels.get(`${inventoryItemId}|${locationId}`);
  }

  /**
   * Moves an order's units out of (sign -1) or back into (sign +1) `available`, as Shopify does
   * when an order commits stock and when a cancellation restocks it: at the first location that
   * stocks each line's item (Shopify lets `available` go negative when overselling is allowed).
   */
  commitStock(order: RestOrder, sign: -1 | 1): void {
    for (const li of order.line_items) {
      const variant = li.sku ? this.variantBySku(li.sku) : undefined;
      if (!variant) continue;
      const location = [...this.locations].find((l) => this.level(variant.inventoryItemId, l) !== undefined);
      if (location)
        this.setLevel(
          variant.inventoryItemId,
          location,
          this.level(variant.inventoryItemId, location)! + sign * li.quantity,
        );
    }
  }

  setLevel(inventoryItemId: string, locationId: string, available: number): void {
    this.locations.add(locationId);
    this.levels.set(`${inventoryItemId}|${locationId}`, available);
  }
}
