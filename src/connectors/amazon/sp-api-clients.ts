import { FeedsApiClient } from '@sp-api-sdk/feeds-api-2021-06-30';
import { ListingsItemsApiClient } from '@sp-api-sdk/listings-items-api-2021-08-01';
import { OrdersApiClient as Orders2026Client } from '@sp-api-sdk/orders-api-2026-01-01';
import { OrdersApiClient as OrdersV0Client } from '@sp-api-sdk/orders-api-v0';
import type { AmazonCredentials } from '../../domain/channels/channel-credentials.js';
import type { SpApiAuth } from './sp-api-auth.js';

type AmazonRegion = AmazonCredentials['region'];

type ClientConfiguration = ConstructorParameters<typeof Orders2026Client>[0];

/*
 * Each generated client keeps its base path in a protected field set from the region. These
 * subclasses replace it with an endpoint override (the simulator, a proxy) and nothing else:
 * the SDK still adds `x-amz-access-token` and wraps errors. Its own 429 retries stay off
 * (`rateLimiting` unset): they sleep a minute inside the call, where our jobs wait instead.
 */
class Orders2026 extends Orders2026Client {
  constructor(configuration: ClientConfiguration, endpoint: string | null) {
    super(configuration);
    if (endpoint) this.basePath = endpoint;
  }
}
class OrdersV0 extends OrdersV0Client {
  constructor(configuration: ClientConfiguration, endpoint: string | null) {
    super(configuration);
    if (endpoint) this.basePath = endpoint;
  }
}
class Feeds extends FeedsApiClient {
  constructor(configuration: ClientConfiguration, endpoint: string | null) {
    super(configuration);
    if (endpoint) this.basePath = endpoint;
  }
}
class ListingsItems extends ListingsItemsApiClient {
  constructor(configuration: ClientConfiguration, endpoint: string | null) {
    super(configuration);
    if (endpoint) this.basePath = endpoint;
  }
}

/** The four typed SP-API clients one seller's connector uses. */
export interface SpApiClients {
  /** Orders v2026-01-01: searchOrders for pulls (v0 reads are deprecated). */
  orders: Orders2026Client;
  /** Orders v0: confirmShipment only. */
  ordersV0: OrdersV0Client;
  feeds: FeedsApiClient;
  listings: ListingsItemsApiClient;
}

export function createSpApiClients(options: {
  auth: SpApiAuth;
  region: AmazonRegion;
  /** Base URL override (no trailing slash); null for Amazon's regional endpoint. */
  endpoint: string | null;
}): SpApiClients {
  const endpoint = options.endpoint ? options.endpoint.replace(/\/+$/, '') : null;
  const configuration: ClientConfiguration = {
    auth: options.auth,
    region: options.region,
    userAgent: 'switchyard (Language=TypeScript)',
  };
  return {
    orders: new Orders2026(configuration, endpoint),
    ordersV0: new OrdersV0(configuration, endpoint),
    feeds: new Feeds(configuration, endpoint),
    listings: new ListingsItems(configuration, endpoint),
  };
}
