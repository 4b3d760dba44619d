import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeSimulator, listenSimulator } from '../../simulator-server.js';
import type { EbayOrder } from '../ebay-order.types.js';
import { EbaySimSigner } from './ebay-sim-signer.js';
import { EbaySimState, type EbaySimApi } from './ebay-sim-state.js';
import { matchesFilter, parseOrderFilter } from './ebay-sim-filter.js';

export interface EbaySimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** Refresh tokens the simulated seller has granted. */
  refreshTokens: string[];
  /** Lifetime of issued access tokens (eBay: 7200 s for user tokens). */
  accessTokenSeconds?: number;
  now?: () => number;
  port?: number;
}

/** getOrders' page size limits (CONNECTORS.md §3). */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/** bulkUpdatePriceQuantity takes at most 25 inventory items. */
const MAX_BULK_ITEMS = 25;

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Route = (req: IncomingMessage, url: URL, body: unknown, match: RegExpExecArray) => Answer;

const errorBody = (errorId: number, message: string) => ({
  errors: [{ errorId, domain: 'API_SIMULATOR', category: 'REQUEST', message }],
});

/**
 * A stateful eBay on loopback speaking eBay's real paths and headers: the identity token
 * endpoint (refresh-token and client-credentials grants), Sell Fulfillment getOrders / getOrder /
 * createShippingFulfillment, Sell Inventory bulkUpdatePriceQuantity and the Notification API's
 * getPublicKey. Every call needs a valid bearer token of the right kind, counts against its
 * API's daily quota (429 with Retry-After when spent) and may meet a scripted fault.
 */
export class EbaySimulator {
  readonly state: EbaySimState;
  readonly signer = new EbaySimSigner();
  private server: Server | undefined;
  baseUrl = '';
  private readonly routes: {
    method: string;
    pattern: RegExp;
    api: EbaySimApi;
    auth: 'user' | 'app' | 'basic';
    route: Route;
  }[];

  constructor(private readonly options: EbaySimulatorOptions) {
    this.state = new EbaySimState(options.now);
    for (const token of options.refreshTokens) this.state.refreshTokens.add(token);
    this.state.publicKeys.set(this.signer.kid, this.signer.publicKeyAnswer);
    this.routes = [
      {
        method: 'POST',
        pattern: /^\/identity\/v1\/oauth2\/token$/,
        api: 'identity',
        auth: 'basic',
        route: (_r, _u, b) => this.token(b),
      },
      {
        method: 'GET',
        pattern: /^\/sell\/fulfillment\/v1\/order$/,
        api: 'fulfillment',
        auth: 'user',
        route: (_r, u) => this.getOrders(u),
      },
      {
        method: 'GET',
        pattern: /^\/sell\/fulfillment\/v1\/order\/([^/]+)$/,
        api: 'fulfillment',
        auth: 'user',
        route: (_r, _u, _b, m) => this.getOrder(m[1]!),
      },
      {
        method: 'GET',
        pattern: /^\/sell\/fulfillment\/v1\/order\/([^/]+)\/shipping_fulfillment$/,
        api: 'fulfillment',
        auth: 'user',
        route: (_r, _u, _b, m) => this.getFulfillments(m[1]!),
      },
      {
        method: 'POST',
        pattern: /^\/sell\/fulfillment\/v1\/order\/([^/]+)\/shipping_fulfillment$/,
        api: 'fulfillment',
        auth: 'user',
        route: (_r, _u, b, m) => this.createFulfillment(m[1]!, b),
      },
      {
        method: 'POST',
        pattern: /^\/sell\/inventory\/v1\/bulk_get_inventory_item$/,
        api: 'inventory',
        auth: 'user',
        route: (_r, _u, b) => this.bulkGet(b),
      },
      {
        method: 'POST',
        pattern: /^\/sell\/inventory\/v1\/bulk_update_price_quantity$/,
        api: 'inventory',
        auth: 'user',
        route: (_r, _u, b) => this.bulkUpdate(b),
      },
      {
        method: 'GET',
        pattern: /^\/commerce\/notification\/v1\/public_key\/([^/]+)$/,
        api: 'notification',
        auth: 'app',
        route: (_r, _u, _b, m) => this.publicKey(m[1]!),
      },
    ];
  }

  async start(): Promise<string> {
    const { server, baseUrl } = await listenSimulator((req, res) => this.handle(req, res), { port: this.options.port });
    this.server = server;
    this.baseUrl = baseUrl;
    return baseUrl;
  }

  async stop(): Promise<void> {
    await closeSimulator(this.server);
    this.server = undefined;
  }

  /** Adds an order as a buyer's checkout would; returns it as stored. */
  addOrder(order: EbayOrder): EbayOrder {
    return this.state.putOrder(order);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const raw = await readBody(req);
    const found = this.routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    let answer: Answer;
    let api: EbaySimApi = 'fulfillment';
    if (!found) {
      answer = { status: 404, body: errorBody(2002, `No resource ${req.method} ${url.pathname}`) };
    } else {
      api = found.api;
      answer = this.dispatch(req, url, raw, found);
    }
    this.state.log.push({
      at: this.state.now(),
      api,
      method: req.method ?? '',
      path: url.pathname,
      status: answer.status,
      marketplaceId: header(req, 'x-ebay-c-marketplace-id'),
      ...(raw && api !== 'identity' ? { body: parseJson(raw) } : {}),
    });
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.body !== undefined) headers['Content-Type'] = 'application/json';
    res.writeHead(answer.status, headers).end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private dispatch(req: IncomingMessage, url: URL, raw: string, found: (typeof this.routes)[number]): Answer {
    const fault = this.state.takeFault(found.api);
    if (fault) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      return { status: fault.status, headers, body: errorBody(fault.status === 429 ? 2001 : 10001, 'Scripted fault') };
    }
    if (!this.state.spendQuota(found.api)) {
      const midnight = new Date(this.state.day() + 'T00:00:00.000Z').getTime() + 86_400_000;
      const seconds = Math.ceil((midnight - this.state.now()) / 1000);
      return {
        status: 429,
        headers: { 'Retry-After': String(seconds) },
        body: errorBody(2001, 'Too many requests: the daily call limit is reached'),
      };
    }
    const refused = this.authorise(req, found.auth);
    if (refused) return refused;
    let body: unknown = null;
    if (req.method === 'POST') {
      const type = header(req, 'content-type') ?? '';
      if (found.auth === 'basic') {
        if (!type.startsWith('application/x-www-form-urlencoded'))
          return { status: 400, body: { error: 'invalid_request' } };
        body = Object.fromEntries(new URLSearchParams(raw));
      } else {
        if (!type.startsWith('application/json'))
          return { status: 415, body: errorBody(2004, 'Content-Type must be application/json') };
        try {
          body = JSON.parse(raw) as unknown;
        } catch {
          return { status: 400, body: errorBody(2004, 'The request body is not JSON') };
        }
      }
    }
    return found.route(req, url, body, found.pattern.exec(url.pathname)!);
  }

  private authorise(req: IncomingMessage, kind: 'user' | 'app' | 'basic'): Answer | null {
    const authorization = header(req, 'authorization') ?? '';
    if (kind === 'basic') {
      const expected = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
      return authorization === `Basic ${expected}`
        ? null
        : { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    const token = this.state.accessTokens.get(authorization.replace(/^Bearer /, ''));
    if (!token || token.expiresAt <= this.state.now())
      return { status: 401, body: errorBody(1001, 'Invalid access token') };
    // A user token carries the seller's grant, an application token only the app's scope.
    if (kind === 'user' && token.kind !== 'user')
      return { status: 403, body: errorBody(1100, 'Insufficient permissions') };
    return null;
  }

  private token(form: unknown): Answer {
    const f = form as Record<string, string>;
    const seconds = this.options.accessTokenSeconds ?? 7200;
    let kind: 'user' | 'app';
    if (f.grant_type === 'refresh_token') {
      if (!this.state.refreshTokens.has(f.refresh_token ?? ''))
        return {
          status: 400,
          body: {
            error: 'invalid_grant',
            error_description: 'the provided authorization refresh token is invalid or was issued to another client',
          },
        };
      kind = 'user';
    } else if (f.grant_type === 'client_credentials') {
      kind = 'app';
    } else {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    const token = `v^1.1#sim#${randomBytes(12).toString('hex')}`;
    this.state.accessTokens.set(token, { kind, expiresAt: this.state.now() + seconds * 1000 });
    const tokenType = kind === 'user' ? 'User Access Token' : 'Application Access Token';
    return { status: 200, body: { access_token: token, expires_in: seconds, token_type: tokenType } };
  }

  private getOrders(url: URL): Answer {
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    const offset = Number(url.searchParams.get('offset') ?? '0');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return { status: 400, body: errorBody(30700, `The 'limit' value must be between 1 and ${MAX_LIMIT}`) };
    if (!Number.isInteger(offset) || offset < 0)
      return { status: 400, body: errorBody(30700, "The 'offset' value is invalid") };
    const filter = parseOrderFilter(url.searchParams.get('filter'));
    if (!filter) return { status: 400, body: errorBody(30800, 'Invalid filter') };
    const ids = url.searchParams.get('orderIds');
    let matched = [...this.state.orders.values()];
    matched = ids
      ? matched.filter((o) => ids.split(',').includes(o.orderId!))
      : matched.filter((o) => matchesFilter(o, filter));
    // Newest creation first. The order of eBay's own list is not documented: the connector must
    // not depend on it (it bounds the window and sorts each page itself).
    matched.sort((a, b) => Date.parse(b.creationDate!) - Date.parse(a.creationDate!));
    const page = matched.slice(offset, offset + limit);
    const href = (at: number) => {
      const u = new URL(url.pathname + url.search, this.baseUrl);
      u.searchParams.set('limit', String(limit));
      u.searchParams.set('offset', String(at));
      return u.toString();
    };
    const body: Record<string, unknown> = {
      href: href(offset),
      limit,
      offset,
      total: matched.length,
      orders: page.map(listView),
    };
    if (offset + limit < matched.length) body.next = href(offset + limit);
    if (offset > 0) body.prev = href(Math.max(0, offset - limit));
    return { status: 200, body };
  }

  private getOrder(orderId: string): Answer {
    const order = this.state.orders.get(decodeURIComponent(orderId));
    return order
      ? { status: 200, body: order }
      : { status: 404, body: errorBody(32100, `Invalid Order Id: ${orderId}`) };
  }

  private createFulfillment(orderId: string, body: unknown): Answer {
    const order = this.state.orders.get(decodeURIComponent(orderId));
    if (!order) return { status: 404, body: errorBody(32100, `Invalid Order Id: ${orderId}`) };
    const input = body as {
      lineItems?: { lineItemId?: string; quantity?: number }[];
      trackingNumber?: string;
      shippingCarrierCode?: string;
      shippedDate?: string;
    };
    const lines = input.lineItems ?? [];
    if (!lines.length) return { status: 400, body: errorBody(32200, 'lineItems is required') };
    const seen = new Set<string>();
    for (const l of lines) {
      const line = order.lineItems?.find((x) => x.lineItemId === l.lineItemId);
      if (!line) return { status: 400, body: errorBody(32200, `Invalid line item id: ${String(l.lineItemId)}`) };
      if (seen.has(line.lineItemId!))
        return { status: 400, body: errorBody(32210, 'Duplicate line item in the request') };
      seen.add(line.lineItemId!);
      const left = (line.quantity ?? 0) - this.state.shippedQuantity(order.orderId!, line.lineItemId!);
      if (left <= 0)
        return { status: 409, body: errorBody(32500, `Line item ${line.lineItemId} is already fulfilled`) };
      if ((l.quantity ?? line.quantity ?? 0) > left)
        return { status: 400, body: errorBody(32300, `Quantity above what is left to ship on ${line.lineItemId}`) };
    }
    const fulfillmentId = input.trackingNumber || this.state.nextId('FUL');
    this.state.addFulfillment(order, {
      fulfillmentId,
      lineItems: lines.map((l) => ({
        lineItemId: l.lineItemId!,
        quantity: l.quantity ?? order.lineItems!.find((x) => x.lineItemId === l.lineItemId)!.quantity!,
      })),
      trackingNumber: input.trackingNumber ?? '',
      shippingCarrierCode: input.shippingCarrierCode ?? '',
      shippedDate: input.shippedDate ?? new Date(this.state.now()).toISOString(),
    });
    const location = `${this.baseUrl}/sell/fulfillment/v1/order/${encodeURIComponent(order.orderId!)}/shipping_fulfillment/${encodeURIComponent(fulfillmentId)}`;
    return { status: 201, headers: { Location: location }, body: {} };
  }

  private getFulfillments(orderId: string): Answer {
    const order = this.state.orders.get(decodeURIComponent(orderId));
    if (!order) return { status: 404, body: errorBody(32100, `Invalid Order Id: ${orderId}`) };
    const fulfillments = (this.state.fulfillments.get(order.orderId!) ?? []).map((f) => ({
      fulfillmentId: f.fulfillmentId,
      lineItems: f.lineItems,
      shipmentTrackingNumber: f.trackingNumber,
      shippingCarrierCode: f.shippingCarrierCode,
      shippedDate: f.shippedDate,
    }));
    return { status: 200, body: { fulfillments, total: fulfillments.length } };
  }

  private bulkGet(body: unknown): Answer {
    const requests = (body as { requests?: { sku?: string }[] }).requests ?? [];
    if (!requests.length || requests.length > MAX_BULK_ITEMS)
      return { status: 400, body: errorBody(25709, `requests must hold 1 to ${MAX_BULK_ITEMS} SKUs`) };
    const responses = requests.map((r) => {
      const item = this.state.inventory.get(r.sku ?? '');
      if (!item)
        return {
          sku: r.sku,
          statusCode: 404,
          errors: [errorBody(25702, `SKU ${String(r.sku)} is not found`).errors[0]],
        };
      return {
        sku: item.sku,
        statusCode: 200,
        inventoryItem: { sku: item.sku, availability: { shipToLocationAvailability: { quantity: item.quantity } } },
      };
    });
    const status = responses.every((r) => r.statusCode === 200) ? 200 : 207;
    return { status, body: { responses } };
  }

  private bulkUpdate(body: unknown): Answer {
    const requests =
      (body as { requests?: { sku?: string; shipToLocationAvailability?: { quantity?: number } }[] }).requests ?? [];
    if (!requests.length || requests.length > MAX_BULK_ITEMS)
      return { status: 400, body: errorBody(25709, `requests must hold 1 to ${MAX_BULK_ITEMS} inventory items`) };
    const responses = requests.map((r) => {
      const item = this.state.inventory.get(r.sku ?? '');
      const quantity = r.shipToLocationAvailability?.quantity;
      if (!item)
        return {
          sku: r.sku,
          statusCode: 404,
          errors: [errorBody(25702, `SKU ${String(r.sku)} is not found`).errors[0]],
        };
      if (!Number.isInteger(quantity) || quantity! < 0)
        return { sku: r.sku, statusCode: 400, errors: [errorBody(25004, 'Invalid quantity').errors[0]] };
      if (!this.state.revise(item.sku))
        return {
          sku: r.sku,
          statusCode: 400,
          errors: [errorBody(25005, 'The listing reached its daily revision limit').errors[0]],
        };
      item.quantity = quantity!;
      return { sku: r.sku, offerId: item.offerIds[0], statusCode: 200 };
    });
    const status = responses.every((r) => r.statusCode === 200) ? 200 : 207;
    return { status, body: { responses } };
  }

  private publicKey(kid: string): Answer {
    const key = this.state.publicKeys.get(decodeURIComponent(kid));
    return key
      ? { status: 200, body: key }
      : { status: 404, body: errorBody(195001, `The public key ${kid} is not found`) };
  }
}

/** getOrders returns cancelRequests empty (only getOrder fills it), as eBay documents. */
function listView(order: EbayOrder): EbayOrder {
  if (!order.cancelStatus) return order;
  return { ...order, cancelStatus: { ...order.cancelStatus, cancelRequests: [] } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
