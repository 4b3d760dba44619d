import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeSimulator, listenSimulator } from '../../simulator-server.js';
import {
  execute,
  getOperationAST,
  getDirectiveValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import {
  CostBucket,
  MAX_SINGLE_QUERY_COST,
  MUTATION_COST,
  objectCost,
  requestedQueryCost,
  type ThrottleStatus,
} from './sim-cost.js';
import { NO_FAULTS, pickFault, seededRandom, type Fault, type FaultRates } from './sim-faults.js';
import { restOrderFromSpec, type OrderSpec } from './sim-orders.js';
import { buildSimSchema, type IdempotencyRecord } from './sim-schema.js';
import { SimState, type RestOrder } from './sim-state.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

/**
 * A local Shopify Admin GraphQL API for tests, benchmarks and the sandbox: a real HTTP server on
 * 127.0.0.1 with state, the cost bucket, seeded faults, a call log and a webhook sender. Tests
 * drive it through the methods below; `/_sim/*` offers the same over HTTP for the CLI.
 */

export interface ShopifySimulatorOptions {
  port?: number;
  host?: string;
  shopDomain?: string;
  accessToken?: string;
  webhookSecret?: string;
  /** Cost bucket: Shopify's older documented default is 1000 points at 50/s. */
  bucketSize?: number;
  restoreRate?: number;
  faults?: Partial<FaultRates>;
  seed?: number;
  /** A hung call is closed after this long (the client should have timed out well before). */
  hangMs?: number;
  /** Clock for the bucket and timestamps (tests may pass a fake). */
  now?: () => number;
  webhooks?: Partial<Omit<WebhookSenderOptions, 'secret' | 'shopDomain' | 'apiVersion'>>;
  /**
   * New orders take their units out of `available`, as on Shopify (off by default, so a test's
   * stock figures change only when it says so).
   */
  commitStockOnOrder?: boolean;
  /**
   * Numeric ids (and so order names) start after this (default 1000). A simulator that restarts
   * against the same hub passes a larger one each time, so its orders never reuse an id.
   */
  firstId?: number;
}

export interface SimCall {
  at: number;
  /** The API version in the request path (null for a call outside the GraphQL route). */
  apiVersion: string | null;
  op: string;
  status: number;
  fault: Fault['kind'];
  throttled: boolean;
  requestedCost: number | null;
  actualCost: number | null;
  bucketBefore: number;
  bucketAfter: number;
  idempotencyKey: string | null;
  /** The request's variables (GraphQL calls), e.g. to read the quantities a push sent. */
  variables: Record<string, unknown> | null;
}

type CallTarget = { op: string; apiVersion: string | null; variables?: Record<string, unknown> };

export const SIM_API_VERSION = '2026-04';
const VERSION_PATH = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/;

export class ShopifySimulator {
  readonly state: SimState;
  readonly bucket: CostBucket;
  readonly calls: SimCall[] = [];
  readonly shopDomain: string;
  readonly accessToken: string;
  readonly webhookSecret: string;
  readonly webhooks: WebhookSender;
  private faults: FaultRates;
  private readonly random: () => number;
  private readonly schema: GraphQLSchema;
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  /** Subscribed URLs, each with the topics it takes (null: every topic announced). */
  private readonly webhookTargets = new Map<string, ReadonlySet<string> | null>();
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ShopifySimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.state = new SimState(this.now, options.firstId);
    this.bucket = new CostBucket(options.bucketSize ?? 1000, options.restoreRate ?? 50, this.now);
    this.shopDomain = options.shopDomain ?? 'switchyard-sim.myshopify.com';
    this.accessToken = options.accessToken ?? 'shpat_simulator_token';
    this.webhookSecret = options.webhookSecret ?? 'simulator-webhook-secret';
    this.faults = { ...NO_FAULTS, ...options.faults };
    this.random = seededRandom(options.seed ?? 1);
    this.webhooks = new WebhookSender({
      ...options.webhooks,
      secret: this.webhookSecret,
      shopDomain: this.shopDomain,
      apiVersion: SIM_API_VERSION,
      seed: options.webhooks?.seed ?? options.seed ?? 1,
    });
    this.schema = buildSimSchema(this.state, this.idempotency, {
      onOrderChanged: (order, topic) => this.announce(order, topic),
      commitsStock: () => this.options.commitStockOnOrder === true,
    });
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:<port>`). */
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
    this.webhooks.stop();
    const server = this.server;
    this.server = undefined;
    await closeSimulator(server);
  }

  // ---- control API -------------------------------------------------------------------------

  setFaults(faults: Partial<FaultRates>): void {
    this.faults = { ...this.faults, ...faults };
  }

  /**
   * Announces order changes to this URL as Shopify webhooks (orders/create, orders/updated, …);
   * with `topics`, only those (as a Shopify app subscribes per topic).
   */
  subscribeWebhooks(url: string, topics?: readonly string[]): void {
    this.webhookTargets.set(url, topics ? new Set(topics) : null);
  }

  /** Stores an order: a REST webhook-shaped order (e.g. a fixture's `response`, unchanged) or a spec. */
  createOrder(input: RestOrder | OrderSpec): RestOrder {
    const rest =
      'admin_graphql_api_id' in input ? (input as RestOrder) : restOrderFromSpec(this.state, input as OrderSpec);
    const isNew = !this.state.orders.has(rest.admin_graphql_api_id);
    const stored = this.state.putOrder(rest);
    if (isNew && this.options.commitStockOnOrder) this.state.commitStock(stored, -1);
    this.announce(stored, 'orders/create');
    return stored;
  }

  /** Changes an order (a shallow patch of REST fields) and moves its updated_at forward. */
  updateOrder(id: string, patch: Record<string, unknown>): RestOrder {
    const order = this.mustOrder(id);
    Object.assign(order, patch, { updated_at: this.state.isoNow() });
    this.announce(order, 'orders/updated');
    return order;
  }

  cancelOrder(id: string, reason = 'customer'): RestOrder {
    const order = this.mustOrder(id);
    const now = this.state.isoNow();
    Object.assign(order, { cancelled_at: now, cancel_reason: reason, updated_at: now });
    this.announce(order, 'orders/cancelled');
    return order;
  }

  /**
   * Records a refund on an order (REST shape: a refund with one `refund` transaction), announces
   * `refunds/create` (the refund, with `order_id`) and `orders/updated`.
   */
  refundOrder(id: string, amount: string, note: string | null = null): Record<string, unknown> {
    const order = this.mustOrder(id);
    const refundId = this.state.nextId();
    const now = this.state.isoNow();
    const orderNumericId = Number(order.admin_graphql_api_id.split('/').pop());
    const refund = {
      id: refundId,
      admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
      order_id: orderNumericId,
      created_at: now,
      processed_at: now,
      note,
      restock: false,
      refund_line_items: [],
      transactions: [
        {
          id: this.state.nextId(),
          kind: 'refund',
          status: 'success',
          amount,
          currency: order.currency,
          order_id: orderNumericId,
        },
      ],
    };
    const refunds = ((order.refunds as unknown[] | undefined) ?? []).concat(refund);
    const refunded = refunds
      .flatMap((r) => (r as { transactions?: { amount: string }[] }).transactions ?? [])
      .reduce((sum, t) => sum + Math.round(Number(t.amount) * 100), 0);
    const total = Math.round(Number((order.total_price as string | undefined) ?? '0') * 100);
    Object.assign(order, {
      refunds,
      financial_status: refunded >= total ? 'refunded' : 'partially_refunded',
      updated_at: now,
    });
    this.announceBody('refunds/create', JSON.stringify(refund));
    this.announce(order, 'orders/updated');
    return refund;
  }

  getOrder(id: string): RestOrder | undefined {
    return this.state.orders.get(id);
  }

  /** Creates the variant for a SKU if needed and sets its `available` at a location. */
  setStock(sku: string, locationId: string, available: number): { variantId: string; inventoryItemId: string } {
    const variant = this.state.addVariant(sku);
    this.state.setLevel(variant.inventoryItemId, locationId, available);
    return { variantId: variant.id, inventoryItemId: variant.inventoryItemId };
  }

  /** `available` of an inventory item at a location, undefined when not stocked there. */
  available(inventoryItemId: string, locationId: string): number | undefined {
    return this.state.level(inventoryItemId, locationId);
  }

  inventory(): { sku: string | null; inventoryItemId: string; locationId: string; available: number }[] {
    return [...this.state.levels.entries()].map(([key, available]) => {
      const [inventoryItemId, locationId] = key.split('|') as [string, string];
      return {
        sku: this.state.variantByInventoryItem(inventoryItemId)?.sku ?? null,
        inventoryItemId,
        locationId,
        available,
      };
    });
  }

  throttleStatus(): ThrottleStatus {
    return this.bucket.status();
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private mustOrder(id: string): RestOrder {
    const order = this.state.orders.get(id);
    if (!order) throw new Error(`No simulated order ${id}`);
    return order;
  }

  private announce(order: RestOrder, topic: string): void {
    this.announceBody(topic, JSON.stringify(order));
  }

  private announceBody(topic: string, body: string): void {
    for (const [url, topics] of this.webhookTargets) {
      if (topics && !topics.has(topic)) continue;
      void this.webhooks.send({ url, topic, body, triggeredAt: new Date(this.now()) });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/_sim/')) return this.control(req.method ?? 'GET', path, body, res);
    const version = VERSION_PATH.exec(path)?.[1];
    if (req.method !== 'POST' || !version) return json(res, 404, { errors: 'Not Found' });
    res.setHeader('X-Shopify-API-Version', version);
    if (req.headers['x-shopify-access-token'] !== this.accessToken) {
      this.log({ op: 'unauthenticated', apiVersion: version }, 401, { kind: 'none' }, null, null, false, null);
      return json(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(body.toString('utf8')) as typeof payload;
    } catch {
      return json(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    if (typeof payload.query !== 'string')
      return json(res, 400, { errors: { query: 'Required parameter missing or invalid' } });

    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (err) {
      return json(res, 200, { errors: [{ message: (err as GraphQLError).message }] });
    }
    const validation = validate(this.schema, document);
    const operation = getOperationAST(
      document,
      typeof payload.operationName === 'string' ? payload.operationName : undefined,
    );
    const op = operation ? rootFieldNames(operation) : 'invalid';
    if (validation.length || !operation) {
      return json(res, 200, { errors: validation.map((e) => ({ message: e.message, locations: e.locations })) });
    }
    const variables = (payload.variables ?? {}) as Record<string, unknown>;
    const key = this.idempotencyKeyOf(operation, variables);
    const target: CallTarget = { op, apiVersion: version, variables };

    const fault = pickFault(this.faults, this.random);
    if (fault.kind !== 'none') {
      const bucket = this.bucket.status().currentlyAvailable;
      this.log(
        target,
        fault.kind === '5xx' ? fault.status : fault.kind === '429' ? 429 : 0,
        fault,
        null,
        null,
        false,
        key,
        bucket,
        bucket,
      );
      if (fault.kind === '5xx') return json(res, fault.status, { errors: 'Internal Server Error' });
      if (fault.kind === '429') {
        res.setHeader('Retry-After', String(this.faults.retryAfterSeconds));
        return json(res, 429, {
          errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        });
      }
      // timeout: answer nothing; closed after hangMs so a client without a timeout is not stuck forever
      setTimeout(() => res.destroy(), this.options.hangMs ?? 30_000).unref();
      return;
    }

    const isMutation = operation.operation === 'mutation';
    const before = this.bucket.status().currentlyAvailable;
    // Priced up front as Shopify does: above the single-query cap it is refused whatever the
    // bucket holds; above what the bucket holds it is THROTTLED; either way nothing is charged.
    const requested = isMutation ? MUTATION_COST : requestedQueryCost(this.schema, document, operation, variables);
    if (requested > MAX_SINGLE_QUERY_COST) {
      this.log(target, 200, fault, requested, null, false, key, before, before);
      return json(res, 200, {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_SINGLE_QUERY_COST },
          },
        ],
        extensions: {
          cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: this.bucket.status() },
        },
      });
    }
    if (requested > before) return this.throttled(res, target, requested, before, key);
    const result = await execute({
      schema: this.schema,
      document,
      variableValues: variables,
      operationName: operation.name?.value,
    });
    // Charged what it actually returned (never more than the price asked up front).
    const actual = isMutation ? MUTATION_COST : Math.min(requested, objectCost(result.data ?? null));
    this.bucket.take(actual);
    const after = this.bucket.status();
    this.log(target, 200, fault, requested, actual, false, key, before, after.currentlyAvailable);
    return json(res, 200, {
      ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
      data: result.data ?? null,
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: after } },
    });
  }

  private throttled(res: ServerResponse, target: CallTarget, cost: number, before: number, key: string | null): void {
    const status = this.bucket.status();
    this.log(target, 200, { kind: 'none' }, cost, null, true, key, before, status.currentlyAvailable);
    json(res, 200, {
      errors: [
        {
          message: 'Throttled',
          extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
        },
      ],
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: status } },
    });
  }

  private idempotencyKeyOf(
    operation: ReturnType<typeof getOperationAST>,
    variables: Record<string, unknown>,
  ): string | null {
    const directive = this.schema.getDirective('idempotent')!;
    for (const sel of operation?.selectionSet.selections ?? []) {
      if (sel.kind !== Kind.FIELD) continue;
      try {
        const values = getDirectiveValues(directive, sel, variables);
        if (values?.key) return String(values.key);
      } catch {
        return null;
      }
    }
    return null;
  }

  private log(
    target: CallTarget,
    status: number,
    fault: Fault,
    requestedCost: number | null,
    actualCost: number | null,
    throttled: boolean,
    idempotencyKey: string | null,
    bucketBefore = this.bucket.status().currentlyAvailable,
    bucketAfter = bucketBefore,
  ): void {
    this.calls.push({
      at: this.now(),
      apiVersion: target.apiVersion,
      op: target.op,
      status,
      fault: fault.kind,
      throttled,
      requestedCost,
      actualCost,
      bucketBefore,
      bucketAfter,
      idempotencyKey,
      variables: target.variables ?? null,
    });
  }

  private control(method: string, path: string, body: Buffer, res: ServerResponse): void {
    try {
      const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      if (method === 'GET' && path === '/_sim/calls') return json(res, 200, this.calls);
      if (method === 'GET' && path === '/_sim/inventory') return json(res, 200, this.inventory());
      if (method === 'GET' && path === '/_sim/orders') return json(res, 200, [...this.state.orders.values()]);
      if (method === 'GET' && path === '/_sim/fulfillments')
        return json(res, 200, [...this.state.fulfillments.values()]);
      if (method === 'POST' && path === '/_sim/orders')
        return json(res, 201, this.createOrder(input as unknown as OrderSpec));
      if (method === 'POST' && path === '/_sim/stock')
        return json(res, 200, this.setStock(String(input.sku), String(input.locationId), Number(input.available)));
      if (method === 'POST' && path === '/_sim/webhooks') {
        this.subscribeWebhooks(String(input.url));
        return json(res, 200, { ok: true });
      }
      return json(res, 404, { errors: 'Not Found' });
    } catch (err) {
      return json(res, 400, { errors: (err as Error).message });
    }
  }
}

function rootFieldNames(operation: NonNullable<ReturnType<typeof getOperationAST>>): string {
  return operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '…')).join(',');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
