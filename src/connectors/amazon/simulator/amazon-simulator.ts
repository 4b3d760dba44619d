import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Order } from '@sp-api-sdk/orders-api-2026-01-01';
import { closeSimulator, listenSimulator } from '../../simulator-server.js';
import { SimFeeds } from './sim-feeds.js';
import { listParam, parseJsonBody, readBody, sendJson, spApiErrors } from './sim-http.js';
import { SimListings } from './sim-listings.js';
import { SimOrders, withIncludedData } from './sim-orders.js';
import { SP_API_USAGE_PLANS, TokenBucket, type SpApiOperation, type UsagePlan } from './sim-rate-limits.js';

/**
 * A local Selling Partner API for one seller, for tests and the sandbox: a real HTTP server on
 * loopback speaking the real paths and headers. Login with Amazon's token endpoint, Orders
 * v2026-01-01 searchOrders and getOrder, Orders v0 confirmShipment, the Feeds flow and patchListingsItem;
 * every SP-API answer carries `x-amzn-RateLimit-Limit` and `x-amzn-RequestId`, and each
 * operation has the default usage plan's token bucket (429 QuotaExceeded when empty). Tests
 * read the call log and inject failures with `failNext`.
 */

export interface AmazonSimulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  sellerId?: string;
  /** Lifetime of an access token, seconds (LWA: 3600). */
  tokenLifetimeSeconds?: number;
  /** How long a feed stays IN_QUEUE (default 0: processed on the first getFeed). */
  feedProcessingMs?: number;
  /**
   * Other usage plans than Amazon's published ones (tests that need searchOrders to refill in
   * seconds, not minutes); the announced `x-amzn-RateLimit-Limit` follows them.
   */
  usagePlans?: Partial<Record<SpApiOperation, UsagePlan>>;
  now?: () => number;
}

export interface SimCall {
  at: number;
  operation: SpApiOperation | 'lwaToken' | 'uploadFeedDocument' | 'downloadFeedDocument' | 'unknown';
  method: string;
  path: string;
  status: number;
  query: Record<string, string>;
  body: unknown;
  /** The x-amz-access-token sent (null when none). */
  accessToken: string | null;
  /** What the simulator answered (JSON bodies parsed), for contract tests. */
  response?: unknown;
  responseHeaders?: Record<string, string>;
}

interface Route {
  operation: SpApiOperation;
  method: string;
  pattern: RegExp;
}

const ROUTES: Route[] = [
  { operation: 'searchOrders', method: 'GET', pattern: /^\/orders\/2026-01-01\/orders$/ },
  { operation: 'getOrder', method: 'GET', pattern: /^\/orders\/2026-01-01\/orders\/([^/]+)$/ },
  { operation: 'confirmShipment', method: 'POST', pattern: /^\/orders\/v0\/orders\/([^/]+)\/shipmentConfirmation$/ },
  { operation: 'createFeedDocument', method: 'POST', pattern: /^\/feeds\/2021-06-30\/documents$/ },
  { operation: 'getFeedDocument', method: 'GET', pattern: /^\/feeds\/2021-06-30\/documents\/([^/]+)$/ },
  { operation: 'createFeed', method: 'POST', pattern: /^\/feeds\/2021-06-30\/feeds$/ },
  { operation: 'getFeed', method: 'GET', pattern: /^\/feeds\/2021-06-30\/feeds\/([^/]+)$/ },
  { operation: 'patchListingsItem', method: 'PATCH', pattern: /^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/ },
];
const DOCUMENT_PATH = /^\/_sim\/feed-documents\/([^/]+)$/;
const MAX_PAGE = 100;

export class AmazonSimulator {
  readonly orders: SimOrders;
  readonly listings = new SimListings();
  readonly feeds: SimFeeds;
  readonly calls: SimCall[] = [];
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly sellerId: string;
  private readonly buckets = new Map<SpApiOperation, TokenBucket>();
  private readonly tokens = new Map<string, number>();
  private readonly failures: { operation: SimCall['operation']; status: number }[] = [];
  private readonly now: () => number;
  private server: Server | undefined;
  private baseUrl: string | undefined;

  constructor(private readonly options: AmazonSimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.clientId = options.clientId ?? 'amzn1.application-oa2-client.simulator';
    this.clientSecret = options.clientSecret ?? 'simulator-client-secret';
    this.refreshToken = options.refreshToken ?? 'Atzr|simulator-refresh-token';
    this.sellerId = options.sellerId ?? 'A2SIMULATORSELLER';
    this.orders = new SimOrders(this.now);
    this.feeds = new SimFeeds(this.listings, this.sellerId, this.now, options.feedProcessingMs ?? 0);
    for (const [op, plan] of Object.entries({ ...SP_API_USAGE_PLANS, ...options.usagePlans }))
      this.buckets.set(op as SpApiOperation, new TokenBucket(plan, this.now));
  }

  async start(): Promise<string> {
    const { server, baseUrl } = await listenSimulator((req, res) => this.handle(req, res), this.options);
    this.server = server;
    this.baseUrl = baseUrl;
    return baseUrl;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('The simulator is not started');
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeSimulator(server);
  }

  /** Adds orders as given (e.g. the official searchOrders example, unchanged). */
  addOrders(orders: Order[]): void {
    for (const o of orders) this.orders.put(o);
  }

  /** The operation's bucket (to read what is left, or drain it in a test). */
  bucket(operation: SpApiOperation): TokenBucket {
    return this.buckets.get(operation)!;
  }

  /** The next call to `operation` answers `status` (a 5xx, 429, 403 …) instead of running. */
  failNext(operation: SimCall['operation'], status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ operation, status });
  }

  /** Expires every access token issued so far (the next SP-API call is refused 403). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const call: SimCall = {
      at: this.now(),
      operation: 'unknown',
      method,
      path: url.pathname,
      status: 0,
      query: Object.fromEntries(url.searchParams),
      body: parseJsonBody(body) ?? (body.length ? body.toString('utf8') : undefined),
      accessToken: headerValue(req, 'x-amz-access-token'),
    };
    this.calls.push(call);
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      call.status = status;
      call.response = payload;
      call.responseHeaders = headers;
      sendJson(res, status, payload, headers);
    };

    if (method === 'POST' && url.pathname === '/auth/o2/token') {
      call.operation = 'lwaToken';
      if (this.injected(call.operation, reply)) return;
      return this.issueToken(body, reply);
    }
    const doc = DOCUMENT_PATH.exec(url.pathname);
    if (doc) return this.feedDocument(method, decodeURIComponent(doc[1]!), body, call, res);

    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) return reply(404, spApiErrors('NotFound', `No such resource: ${method} ${url.pathname}`));
    call.operation = route.operation;
    const bucket = this.buckets.get(route.operation)!;
    const headers = { 'x-amzn-RateLimit-Limit': String(bucket.plan.rate), 'x-amzn-RequestId': randomUUID() };
    const answer = (status: number, payload?: unknown): void => reply(status, payload, headers);

    const expiry = call.accessToken ? this.tokens.get(call.accessToken) : undefined;
    if (expiry === undefined)
      return answer(403, spApiErrors('Unauthorized', 'Access to requested resource is denied.'));
    if (expiry <= this.now())
      return answer(403, spApiErrors('Unauthorized', 'The access token you provided has expired.'));
    if (this.injected(route.operation, answer)) return;
    if (!bucket.take())
      return answer(429, spApiErrors('QuotaExceeded', 'You exceeded your quota for the requested resource.'));

    const match = route.pattern.exec(url.pathname)!;
    const params = match.slice(1).map((p) => decodeURIComponent(p));
    const json = parseJsonBody(body) as Record<string, unknown> | undefined;
    switch (route.operation) {
      case 'searchOrders':
        return this.searchOrders(url.searchParams, answer);
      case 'getOrder': {
        const order = this.orders.get(params[0]!);
        if (!order) return answer(404, spApiErrors('NotFound', `No order ${params[0]}`));
        return answer(200, { order: withIncludedData(order, listParam(url.searchParams, 'includedData')) });
      }
      case 'confirmShipment':
        return this.confirmShipment(params[0]!, json, answer);
      case 'createFeedDocument': {
        const contentType = json?.contentType;
        if (typeof contentType !== 'string') return answer(400, spApiErrors('InvalidInput', 'contentType is required'));
        const created = this.feeds.createDocument(contentType);
        return answer(201, {
          feedDocumentId: created.id,
          url: `${this.url}/_sim/feed-documents/${encodeURIComponent(created.id)}`,
        });
      }
      case 'getFeedDocument': {
        const found = this.feeds.documents.get(params[0]!);
        if (!found) return answer(404, spApiErrors('NotFound', `No feed document ${params[0]}`));
        return answer(200, {
          feedDocumentId: found.id,
          url: `${this.url}/_sim/feed-documents/${encodeURIComponent(found.id)}`,
        });
      }
      case 'createFeed': {
        const { feedType, marketplaceIds, inputFeedDocumentId } = json ?? {};
        if (typeof feedType !== 'string' || !Array.isArray(marketplaceIds) || typeof inputFeedDocumentId !== 'string')
          return answer(
            400,
            spApiErrors('InvalidInput', 'feedType, marketplaceIds and inputFeedDocumentId are required'),
          );
        const feed = this.feeds.create(feedType, marketplaceIds as string[], inputFeedDocumentId);
        if (typeof feed === 'string') return answer(400, spApiErrors('InvalidInput', feed));
        return answer(202, { feedId: feed.feedId });
      }
      case 'getFeed': {
        const feed = this.feeds.get(params[0]!);
        if (!feed) return answer(404, spApiErrors('NotFound', `No feed ${params[0]}`));
        const { processAt: _processAt, inputFeedDocumentId: _input, ...visible } = feed;
        return answer(200, visible);
      }
      case 'patchListingsItem':
        return this.patchListingsItem(params[0]!, params[1]!, url.searchParams, json, answer);
    }
  }

  private issueToken(body: Buffer, reply: (status: number, payload: unknown) => void): void {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'refresh_token')
      return reply(400, {
        error: 'unsupported_grant_type',
        error_description: 'The simulator takes refresh_token grants',
      });
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret)
      return reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    if (form.get('refresh_token') !== this.refreshToken)
      return reply(400, {
        error: 'invalid_grant',
        error_description: 'The request has an invalid grant parameter : refresh_token',
      });
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    const token = `Atza|sim-${randomUUID()}`;
    this.tokens.set(token, this.now() + lifetime * 1000);
    reply(200, { access_token: token, refresh_token: this.refreshToken, token_type: 'bearer', expires_in: lifetime });
  }

  private searchOrders(params: URLSearchParams, answer: (status: number, payload?: unknown) => void): void {
    const after = params.get('lastUpdatedAfter');
    const createdAfter = params.get('createdAfter');
    if ((after === null) === (createdAfter === null))
      return answer(400, spApiErrors('InvalidInput', 'Exactly one of createdAfter and lastUpdatedAfter is required'));
    const since = Date.parse((after ?? createdAfter)!);
    if (Number.isNaN(since))
      return answer(400, spApiErrors('InvalidInput', 'lastUpdatedAfter must be an ISO 8601 date-time'));
    const size = Number(params.get('maxResultsPerPage') ?? MAX_PAGE);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
      return answer(400, spApiErrors('InvalidInput', `maxResultsPerPage must be between 1 and ${MAX_PAGE}`));
    const result = this.orders.search(
      {
        lastUpdatedAfter: since,
        marketplaceIds: listParam(params, 'marketplaceIds'),
        fulfillmentStatuses: listParam(params, 'fulfillmentStatuses'),
        fulfilledBy: listParam(params, 'fulfilledBy'),
      },
      size,
      params.get('paginationToken'),
    );
    if (result === 'bad-token')
      return answer(400, spApiErrors('InvalidInput', 'Invalid paginationToken for these parameters'));
    const included = listParam(params, 'includedData');
    answer(200, {
      orders: result.orders.map((o) => withIncludedData(o, included)),
      ...(result.nextToken ? { pagination: { nextToken: result.nextToken } } : {}),
      ...(after !== null
        ? { lastUpdatedBefore: new Date(this.now()).toISOString() }
        : { createdBefore: new Date(this.now()).toISOString() }),
    });
  }

  private confirmShipment(
    orderId: string,
    json: Record<string, unknown> | undefined,
    answer: (status: number, payload?: unknown) => void,
  ): void {
    const pkg = json?.packageDetail as Record<string, unknown> | undefined;
    const items = pkg?.orderItems;
    if (
      typeof json?.marketplaceId !== 'string' ||
      !pkg ||
      typeof pkg.packageReferenceId !== 'string' ||
      !/^[1-9]\d*$/.test(pkg.packageReferenceId) ||
      typeof pkg.carrierCode !== 'string' ||
      typeof pkg.trackingNumber !== 'string' ||
      typeof pkg.shipDate !== 'string' ||
      !Array.isArray(items) ||
      items.length === 0
    ) {
      return answer(
        400,
        spApiErrors(
          'InvalidInput',
          'marketplaceId and packageDetail (a positive numeric packageReferenceId, carrierCode, trackingNumber, shipDate, orderItems) are required',
        ),
      );
    }
    if (!this.orders.get(orderId)) return answer(404, spApiErrors('NotFound', `No order ${orderId}`));
    const refused = this.orders.confirmShipment(orderId, {
      packageReferenceId: pkg.packageReferenceId,
      carrierCode: pkg.carrierCode,
      trackingNumber: pkg.trackingNumber,
      shipDate: pkg.shipDate,
      orderItems: (items as { orderItemId: string; quantity: number }[]).map((i) => ({
        orderItemId: String(i.orderItemId),
        quantity: Number(i.quantity),
      })),
    });
    if (refused) return answer(400, spApiErrors('InvalidInput', refused));
    answer(204);
  }

  private patchListingsItem(
    sellerId: string,
    sku: string,
    params: URLSearchParams,
    json: Record<string, unknown> | undefined,
    answer: (status: number, payload?: unknown) => void,
  ): void {
    if (sellerId !== this.sellerId)
      return answer(403, spApiErrors('Unauthorized', `Not authorised for seller ${sellerId}`));
    if (!listParam(params, 'marketplaceIds').length)
      return answer(400, spApiErrors('InvalidInput', 'marketplaceIds is required'));
    if (typeof json?.productType !== 'string' || !Array.isArray(json.patches))
      return answer(400, spApiErrors('InvalidInput', 'productType and patches are required'));
    const issues = this.listings.patch(sku, json.productType, json.patches as never);
    answer(200, {
      sku,
      status: issues.some((i) => i.severity === 'ERROR') ? 'INVALID' : 'ACCEPTED',
      submissionId: randomUUID().replace(/-/g, ''),
      issues: issues.map((i) => ({ ...i, categories: ['INVALID_ATTRIBUTE'] })),
    });
  }

  /** The feed document URL (our stand-in for S3's presigned one): PUT uploads, GET downloads. */
  private feedDocument(method: string, id: string, body: Buffer, call: SimCall, res: ServerResponse): void {
    const doc = this.feeds.documents.get(id);
    const done = (status: number, text = ''): void => {
      call.status = status;
      res.writeHead(status, text ? { 'content-type': doc?.contentType ?? 'text/plain' } : {}).end(text);
    };
    if (method === 'PUT') {
      call.operation = 'uploadFeedDocument';
      if (!doc) return done(404);
      this.feeds.upload(id, body);
      return done(200);
    }
    call.operation = 'downloadFeedDocument';
    if (method !== 'GET' || !doc?.content) return done(404);
    done(200, doc.content.toString('utf8'));
  }

  private injected(operation: SimCall['operation'], answer: (status: number, payload?: unknown) => void): boolean {
    const index = this.failures.findIndex((f) => f.operation === operation);
    if (index < 0) return false;
    const [failure] = this.failures.splice(index, 1);
    const status = failure!.status;
    const code =
      status === 429
        ? 'QuotaExceeded'
        : status >= 500
          ? 'InternalFailure'
          : status === 403
            ? 'Unauthorized'
            : 'InvalidInput';
    answer(status, spApiErrors(code, `Injected ${status}`));
    return true;
  }
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}
