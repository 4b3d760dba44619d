import { createHash } from 'node:crypto';
import type { AmazonCredentials } from '../../domain/channels/channel-credentials.js';
import type { ChannelOrder } from '../../domain/channels/channel-order.js';
import {
  PlatformError,
  type CallBudget,
  type ChannelConnector,
  type FulfilmentPush,
  type OrderPage,
  type StockPushResult,
  type StockTarget,
} from '../connector.js';
import { callAmazon, READ_POLICY, WRITE_POLICY } from './amazon-call.js';
import { submitFeed, type FeedWaitOptions } from './amazon-feed-submission.js';
import {
  listingsQuantityFeed,
  MAX_FEED_MESSAGES,
  quantityPatch,
  QUANTITY_PATCH_PRODUCT_TYPE,
  rejectedSkus,
} from './amazon-listings-feed.js';
import { mapAmazonOrder, MAPPED_INCLUDED_DATA } from './amazon-order.mapper.js';
import { LWA_ENDPOINT, LwaTokenProvider } from './lwa-token-provider.js';
import { SpApiAuth } from './sp-api-auth.js';
import { createSpApiClients, type SpApiClients } from './sp-api-clients.js';

/** searchOrders returns at most 100 orders a page. */
export const AMAZON_MAX_ORDERS_PAGE = 100;

/**
 * searchOrders' published usage plan (CONNECTORS.md §2): about 20 calls an hour, burst 20. Amazon
 * may give a seller another rate and says so in `x-amzn-RateLimit-Limit`; the rate announced
 * last is used once one was seen.
 */
export const SEARCH_ORDERS_PLAN = { ratePerSecond: 0.0056, burst: 20 } as const;

export interface AmazonConnectorOptions {
  credentials: AmazonCredentials;
  /**
   * Base URL override for the SP-API and, unless `lwaEndpoint` says otherwise, for the LWA
   * token endpoint too (the simulator serves both); null for Amazon itself.
   */
  endpoint: string | null;
  lwaEndpoint?: string;
  /** Per call; default 15 s. */
  timeoutMs?: number;
  /** How a stock feed is awaited (default: poll every 15 s, give up after 10 min). */
  feedWait?: Partial<FeedWaitOptions>;
  now?: () => number;
}

/** Carrier codes Amazon knows by name; any other carrier goes as `Other` with its name. */
const AMAZON_CARRIER_CODES = [
  'UPS',
  'USPS',
  'FedEx',
  'DHL',
  'DHL eCommerce',
  'Royal Mail',
  'Amazon Shipping',
  'Yamato Transport',
  'Japan Post',
  'Canada Post',
  'Australia Post',
  'Deutsche Post',
  'Hermes',
  'DPD',
  'GLS',
  'Chronopost',
  'Colissimo',
];

/**
 * The Amazon Selling Partner API connector for one seller: orders pulled with Orders
 * v2026-01-01 searchOrders (items inline), stock pushed as a JSON_LISTINGS_FEED (or one urgent
 * SKU with patchListingsItem), tracking with Orders v0 confirmShipment. Every call has a
 * timeout and a declared retry policy (amazon-call.ts); whatever fails comes out as a
 * PlatformError mapped in amazon-errors.ts, and the job decides from its kind.
 */
export class AmazonConnector implements ChannelConnector {
  readonly clients: SpApiClients;
  readonly tokens: LwaTokenProvider;
  private readonly timeoutMs: number;
  private readonly feedWait: FeedWaitOptions;
  /** searchOrders' rate as Amazon last announced it (x-amzn-RateLimit-Limit), if it did. */
  private announcedSearchRate: number | undefined;

  constructor(private readonly options: AmazonConnectorOptions) {
    const { credentials } = options;
    if (!credentials.marketplaceIds.length)
      throw new PlatformError('INVALID', 'An Amazon channel needs at least one marketplace id');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.feedWait = { pollIntervalMs: 15_000, maxWaitMs: 600_000, ...options.feedWait };
    this.tokens = new LwaTokenProvider({
      credentials,
      endpoint: options.lwaEndpoint ?? options.endpoint ?? LWA_ENDPOINT,
      timeoutMs: this.timeoutMs,
      ...(options.now ? { now: options.now } : {}),
    });
    this.clients = createSpApiClients({
      auth: new SpApiAuth(this.tokens),
      region: credentials.region,
      endpoint: options.endpoint,
    });
  }

  /**
   * searchOrders' bucket, per seller and app in its region (how Amazon counts), so every channel
   * and worker pulling for this seller draws on one budget.
   */
  get pullBudget(): CallBudget {
    const { clientId, region, sellerId } = this.options.credentials;
    const app = createHash('sha256').update(clientId).digest('hex').slice(0, 12);
    return {
      key: `amazon:${region}:${sellerId}:${app}:searchOrders`,
      ratePerSecond: SEARCH_ORDERS_PLAN.ratePerSecond,
      burst: SEARCH_ORDERS_PLAN.burst,
      ...(this.announcedSearchRate ? { announcedRatePerSecond: this.announcedSearchRate } : {}),
    };
  }

  /**
   * One searchOrders page of orders updated at or after `since` in the channel's marketplaces.
   * Amazon wants the same filters with its pagination token, so `since` must not move while
   * paging (channel-sync keeps it).
   */
  async pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage> {
    const { data, headers } = await callAmazon('searchOrders', READ_POLICY(this.timeoutMs), (o) =>
      this.clients.orders.searchOrders(
        {
          lastUpdatedAfter: since.toISOString(),
          marketplaceIds: this.options.credentials.marketplaceIds,
          includedData: [...MAPPED_INCLUDED_DATA],
          maxResultsPerPage: Math.max(1, Math.min(AMAZON_MAX_ORDERS_PAGE, Math.floor(pageSize))),
          ...(cursor ? { paginationToken: cursor } : {}),
        },
        o,
      ),
    );
    const announced = Number((headers as Record<string, unknown>)['x-amzn-ratelimit-limit']);
    if (Number.isFinite(announced) && announced > 0) this.announcedSearchRate = announced;
    return { orders: data.orders.map(mapAmazonOrder), nextCursor: data.pagination?.nextToken ?? null };
  }

  /**
   * One order as Amazon holds it now (Orders v2026-01-01 getOrder with the mapper's
   * includedData): what an ORDER_CHANGE notification is applied from, never its own summary.
   * A 404 comes out as NOT_FOUND.
   */
  async fetchOrder(amazonOrderId: string): Promise<ChannelOrder> {
    const { data } = await callAmazon('getOrder', READ_POLICY(this.timeoutMs), (o) =>
      this.clients.orders.getOrder({ orderId: amazonOrderId, includedData: [...MAPPED_INCLUDED_DATA] }, o),
    );
    return mapAmazonOrder(data.order);
  }

  /**
   * Sets each SKU's merchant-fulfilled quantity in one JSON_LISTINGS_FEED per 25,000 SKUs and
   * waits for the processing report; SKUs it refuses come back in `rejected`. Amazon has no
   * compare-and-swap, so nothing is ever `stale`; quantities are absolute, so a retried push
   * that sends a feed again is harmless.
   */
  async pushStock(targets: StockTarget[], _idempotencyKey: string): Promise<StockPushResult> {
    const rejected: NonNullable<StockPushResult['rejected']> = [];
    for (let start = 0; start < targets.length; start += MAX_FEED_MESSAGES) {
      const feed = listingsQuantityFeed(
        this.options.credentials.sellerId,
        targets.slice(start, start + MAX_FEED_MESSAGES),
      );
      const { report } = await submitFeed(
        this.clients.feeds,
        {
          feedType: 'JSON_LISTINGS_FEED',
          marketplaceIds: this.options.credentials.marketplaceIds,
          content: JSON.stringify(feed),
        },
        { ...this.feedWait, timeoutMs: this.timeoutMs },
      );
      rejected.push(...rejectedSkus(feed, report as Parameters<typeof rejectedSkus>[1]));
    }
    return { stale: [], rejected };
  }

  /** One SKU's quantity at once (the last units), with patchListingsItem instead of a feed. */
  async pushUrgentStock(target: StockTarget): Promise<StockPushResult> {
    const { data } = await callAmazon('patchListingsItem', READ_POLICY(this.timeoutMs), (o) =>
      // An absolute quantity set twice is the same: safe to retry like a read.
      this.clients.listings.patchListingsItem(
        {
          sellerId: this.options.credentials.sellerId,
          sku: target.sku,
          marketplaceIds: this.options.credentials.marketplaceIds,
          body: { productType: QUANTITY_PATCH_PRODUCT_TYPE, patches: quantityPatch(target.quantity) },
        },
        o,
      ),
    );
    const errors = (data.issues ?? []).filter((i) => i.severity === 'ERROR');
    if (data.status === 'INVALID' || errors.length)
      return {
        stale: [],
        rejected: [{ sku: target.sku, message: errors.map((i) => `${i.code} ${i.message}`).join('; ') }],
      };
    return { stale: [], rejected: [] };
  }

  /**
   * Confirms the shipment with its tracking (Orders v0 confirmShipment). It takes no idempotency
   * key, so the package reference is derived from ours and a retry first reads the order's
   * packages: one already carrying that reference means it was confirmed before.
   */
  async pushFulfilment(push: FulfilmentPush, idempotencyKey: string): Promise<string> {
    const packageReferenceId = packageReferenceIdFor(idempotencyKey);
    const fulfilmentId = `${push.externalOrderId}/${packageReferenceId}`;
    if (!push.trackingNumber)
      throw new PlatformError('INVALID', 'Amazon needs a tracking number to confirm a shipment');
    const { data } = await callAmazon('getOrder', READ_POLICY(this.timeoutMs), (o) =>
      this.clients.orders.getOrder({ orderId: push.externalOrderId, includedData: ['PACKAGES'] }, o),
    );
    if (data.order.packages?.some((p) => p.packageReferenceId === packageReferenceId)) return fulfilmentId;
    const known = AMAZON_CARRIER_CODES.find((c) => c.toLowerCase() === (push.carrier ?? '').trim().toLowerCase());
    await callAmazon('confirmShipment', WRITE_POLICY(this.timeoutMs), (o) =>
      this.clients.ordersV0.confirmShipment(
        {
          orderId: push.externalOrderId,
          payload: {
            marketplaceId: this.marketplaceOf(data.order.salesChannel.marketplaceId),
            packageDetail: {
              packageReferenceId,
              carrierCode: known ?? 'Other',
              ...(known ? {} : { carrierName: push.carrier?.trim() || 'Other' }),
              trackingNumber: push.trackingNumber!,
              shipDate: new Date(this.options.now?.() ?? Date.now()).toISOString(),
              orderItems: push.lines.map((l) => ({ orderItemId: l.externalLineId, quantity: l.quantity })),
            },
          },
        },
        o,
      ),
    );
    return fulfilmentId;
  }

  /**
   * Not built: a seller cancels an Amazon order through Seller Central or the order
   * acknowledgement feed, which this connector does not send yet. INVALID, so the job fails
   * visibly instead of retrying.
   */
  async pushCancellation(externalOrderId: string, _reason: string, _idempotencyKey: string): Promise<void> {
    throw new PlatformError(
      'INVALID',
      `Cancelling Amazon order ${externalOrderId} from the hub is not supported yet: cancel it in Seller Central`,
    );
  }

  private marketplaceOf(orderMarketplace: string | undefined): string {
    return orderMarketplace ?? this.options.credentials.marketplaceIds[0]!;
  }
}

/**
 * A package reference for confirmShipment from our idempotency key: Amazon takes positive
 * numbers only, so the first 52 bits of its SHA-256, plus one (never 0). The same key gives the
 * same reference, which is how a retry recognises its own package.
 */
export function packageReferenceIdFor(idempotencyKey: string): string {
  const hex = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 13);
  return (BigInt(`0x${hex}`) + 1n).toString();
}
