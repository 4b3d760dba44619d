import {
  PlatformError,
  type ChannelConnector,
  type FulfilmentPush,
  type OrderPage,
  type PlatformVariant,
  type StockPushResult,
  type StockTarget,
} from '../connector.js';
import type { EbayCredentials } from '../../domain/channels/channel-credentials.js';
import type { ChannelOrder } from '../../domain/channels/channel-order.js';
import { ebayError } from './ebay-errors.js';
import { EbayHttp, type EbayRequest } from './ebay-http.js';
import { EbayTokenSource } from './ebay-oauth.js';
import type { EbayQuota } from './ebay-quota.js';
import { mapEbayOrder } from './ebay-order.mapper.js';
import type { EbayOrder, EbayOrderPage } from './ebay-order.types.js';
import { decodeOrderCursor, encodeOrderCursor } from './ebay-order-cursor.js';

/** getOrders' largest page (CONNECTORS.md §3). */
export const EBAY_MAX_ORDERS_PAGE = 200;
/** bulkUpdatePriceQuantity's and bulkGetInventoryItem's largest batch. */
export const EBAY_MAX_STOCK_BATCH = 25;
/**
 * The one stock figure eBay keeps per inventory item (its `shipToLocationAvailability`): what a
 * listing records as its location, since the hub's listings name one and eBay's figure has none.
 */
export const EBAY_SHIP_TO_LOCATION = 'shipToLocationAvailability';

const FULFILLMENT = '/sell/fulfillment/v1';
const INVENTORY = '/sell/inventory/v1';

export interface EbayConnectorOptions {
  credentials: EbayCredentials;
  /** Base URL override (simulator or proxy); null for eBay itself. */
  endpoint: string | null;
  timeoutMs?: number;
  retryDelayMs?: number;
  now?: () => number;
  /** The app's daily call quotas (the hub's are in Redis); absent: not counted here. */
  quota?: EbayQuota;
}

interface PriceQuantityResponse {
  sku?: string;
  statusCode?: number;
  errors?: { errorId?: number; message?: string; longMessage?: string }[];
}

interface FulfillmentList {
  fulfillments?: { fulfillmentId?: string; shipmentTrackingNumber?: string; lineItems?: { lineItemId?: string }[] }[];
}

/**
 * The eBay connector over the Sell Fulfillment and Sell Inventory REST APIs, with plain fetch
 * (CONNECTORS.md §7: we need a handful of calls, not the Trading API). Each call carries the
 * seller's user token and marketplace, a timeout and its declared retries (ebay-http.ts); every
 * failure is a PlatformError from ebay-errors.ts.
 */
export class EbayConnector implements ChannelConnector {
  /** getOrders' order across pages is eBay's own (not by lastModifiedDate): see the port. */
  readonly pagesOrderedByChange = false;
  private readonly http: EbayHttp;
  private readonly tokens: EbayTokenSource;
  private readonly now: () => number;

  constructor(private readonly options: EbayConnectorOptions) {
    this.http = new EbayHttp({
      endpoint: options.endpoint,
      timeoutMs: options.timeoutMs,
      retryDelayMs: options.retryDelayMs,
      quota: options.quota,
    });
    this.now = options.now ?? Date.now;
    this.tokens = new EbayTokenSource(this.http, options.credentials, this.now);
  }

  /** The token source, shared with the notification verifier (its application token). */
  get tokenSource(): EbayTokenSource {
    return this.tokens;
  }

  /**
   * One page of orders modified in [since, until], oldest change first within the page. The
   * window's upper end is fixed by the first page and carried in the cursor: an order modified
   * during the pull leaves the window instead of shifting every later offset (the next pull
   * from the moved cursor finds it).
   */
  async pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage> {
    const { offset, until } = cursor ? decodeOrderCursor(cursor) : { offset: 0, until: new Date(this.now()) };
    const limit = Math.max(1, Math.min(EBAY_MAX_ORDERS_PAGE, Math.floor(pageSize)));
    const { body } = await this.sell<EbayOrderPage>({
      method: 'GET',
      path: `${FULFILLMENT}/order`,
      query: {
        filter: `lastmodifieddate:[${since.toISOString()}..${until.toISOString()}]`,
        limit: String(limit),
        offset: String(offset),
      },
      retries: 2,
    });
    const orders = (body.orders ?? []).map(mapEbayOrder).sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
    const nextCursor = body.next ? encodeOrderCursor({ offset: offset + limit, until }) : null;
    return { orders, nextCursor };
  }

  /**
   * One order by id (Sell Fulfillment getOrder, which also fills cancelRequests), mapped as a
   * pulled one is; null when eBay answers 404. A read, so it retries a TRANSIENT failure.
   */
  async fetchOrder(externalOrderId: string): Promise<ChannelOrder | null> {
    try {
      const { body } = await this.sell<EbayOrder>({
        method: 'GET',
        path: `${FULFILLMENT}/order/${encodeURIComponent(externalOrderId)}`,
        retries: 2,
      });
      return mapEbayOrder(body);
    } catch (error) {
      if (error instanceof PlatformError && error.kind === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /**
   * Sets each SKU's ship-to-location quantity, 25 SKUs a call. eBay has no compare-and-swap, so
   * nothing is ever stale; a figure equal to the one last pushed is not sent at all, since each
   * send is a listing revision and a listing allows about 250 a day. eBay answers 207 when some
   * SKUs failed: those come back in `rejected` with their kind, the others are set. Absolute
   * sets are safe to repeat, so the call retries a TRANSIENT failure itself.
   */
  async pushStock(targets: StockTarget[], _idempotencyKey: string): Promise<StockPushResult> {
    const changed = targets.filter((t) => t.expectedQuantity === null || t.expectedQuantity !== t.quantity);
    const rejected: NonNullable<StockPushResult['rejected']> = [];
    for (let start = 0; start < changed.length; start += EBAY_MAX_STOCK_BATCH) {
      const batch = changed.slice(start, start + EBAY_MAX_STOCK_BATCH);
      const { status, body } = await this.sell<{ responses?: PriceQuantityResponse[] }>({
        method: 'POST',
        path: `${INVENTORY}/bulk_update_price_quantity`,
        json: {
          requests: batch.map((t) => ({ sku: t.sku, shipToLocationAvailability: { quantity: t.quantity } })),
        },
        expect: [200, 207],
        retries: 2,
      });
      if (status === 200) continue;
      for (const r of body.responses ?? []) {
        if (r.statusCode === 200 || !r.sku) continue;
        const error = ebayError({ status: r.statusCode ?? 500, body: { errors: r.errors ?? [] } });
        rejected.push({ sku: r.sku, kind: error.kind, message: error.message });
      }
    }
    return { stale: [], rejected };
  }

  /**
   * Creates a shipping fulfillment with tracking. eBay answers 409 when the lines are already
   * fulfilled, which is the effect we wanted (a retried job, or the seller shipped in Seller
   * Hub): the existing fulfillment with our tracking number, else one covering our lines, is
   * returned as done.
   */
  async pushFulfilment(push: FulfilmentPush, _idempotencyKey: string): Promise<string> {
    const order = encodeURIComponent(push.externalOrderId);
    const { status, headers } = await this.sell<unknown>({
      method: 'POST',
      path: `${FULFILLMENT}/order/${order}/shipping_fulfillment`,
      json: {
        lineItems: push.lines.map((l) => ({ lineItemId: l.externalLineId, quantity: l.quantity })),
        shippedDate: new Date(this.now()).toISOString(),
        ...(push.carrier ? { shippingCarrierCode: push.carrier } : {}),
        ...(push.trackingNumber ? { trackingNumber: push.trackingNumber } : {}),
      },
      expect: [201, 409],
      // A repeat of a create that went through is answered 409, which is handled as done.
      retries: 2,
    });
    if (status === 201) {
      const location = headers.get('location') ?? '';
      const id = decodeURIComponent(location.slice(location.lastIndexOf('/') + 1));
      if (!id) throw new PlatformError('INVALID', 'eBay created the fulfillment without a Location');
      return id;
    }
    return this.existingFulfillment(push);
  }

  private async existingFulfillment(push: FulfilmentPush): Promise<string> {
    const { body } = await this.sell<FulfillmentList>({
      method: 'GET',
      path: `${FULFILLMENT}/order/${encodeURIComponent(push.externalOrderId)}/shipping_fulfillment`,
      retries: 2,
    });
    const all = body.fulfillments ?? [];
    const lines = new Set(push.lines.map((l) => l.externalLineId));
    const found =
      all.find((f) => push.trackingNumber && f.shipmentTrackingNumber === push.trackingNumber) ??
      all.find((f) => f.lineItems?.some((l) => lines.has(l.lineItemId ?? '')));
    if (!found?.fulfillmentId)
      throw new PlatformError(
        'INVALID',
        `eBay says order ${push.externalOrderId} conflicts but lists no fulfillment of its lines`,
      );
    return found.fulfillmentId;
  }

  /**
   * eBay's Sell APIs give a seller no call to cancel an order (cancellation goes through the
   * buyer's request, Seller Hub or the Post-Order API, not built here). An order eBay already
   * cancelled is done; any other is INVALID with that explanation, so the job fails at once and
   * a person cancels it on eBay.
   */
  async pushCancellation(externalOrderId: string, _reason: string, _idempotencyKey: string): Promise<void> {
    const { body } = await this.sell<EbayOrder>({
      method: 'GET',
      path: `${FULFILLMENT}/order/${encodeURIComponent(externalOrderId)}`,
      retries: 2,
    });
    if (body.cancelStatus?.cancelState === 'CANCELED') return;
    throw new PlatformError(
      'INVALID',
      `eBay order ${externalOrderId} cannot be cancelled through the Sell APIs: cancel it in Seller Hub`,
    );
  }

  /**
   * The inventory items carrying these SKUs. eBay keys inventory items by SKU, so the SKU is
   * both the variant and the inventory item id; SKUs eBay does not hold are left out.
   */
  async listVariantsBySku(skus: string[]): Promise<PlatformVariant[]> {
    const wanted = [...new Set(skus.filter((s) => s.trim() !== ''))];
    const found: PlatformVariant[] = [];
    for (let start = 0; start < wanted.length; start += EBAY_MAX_STOCK_BATCH) {
      const batch = wanted.slice(start, start + EBAY_MAX_STOCK_BATCH);
      const { body } = await this.sell<{ responses?: { sku?: string; statusCode?: number }[] }>({
        method: 'POST',
        path: `${INVENTORY}/bulk_get_inventory_item`,
        json: { requests: batch.map((sku) => ({ sku })) },
        expect: [200, 207],
        retries: 2,
      });
      for (const r of body.responses ?? []) {
        if (r.statusCode !== 200 || !r.sku || !batch.includes(r.sku)) continue;
        found.push({ sku: r.sku, variantId: r.sku, inventoryItemId: r.sku, locationId: EBAY_SHIP_TO_LOCATION });
      }
    }
    return found;
  }

  /** A Sell API call with the seller's token and marketplace. */
  private async sell<T>(req: EbayRequest) {
    const token = await this.tokens.userToken();
    return this.http.request<T>({
      ...req,
      headers: {
        ...req.headers,
        Authorization: `Bearer ${token}`,
        'X-EBAY-C-MARKETPLACE-ID': this.options.credentials.marketplaceId,
      },
    });
  }
}
