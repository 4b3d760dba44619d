import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { NO_FAULTS, pickFault, seededRandom, type FaultRates } from '../../../shopify/simulator/sim-faults.js';
import { errorBody, objectId, type Json, type SimShipment, type SimTracker } from './sim-objects.js';
import { billableOunces, centsText, priceCents, SIM_SERVICES, type SimService } from './sim-rates.js';
import { sendEvent, trackerUpdatedEvent, type WebhookDelivery } from './sim-webhooks.js';

/**
 * A local EasyPost: the subset of API v2 the hub uses, on 127.0.0.1 with a free port, so the
 * official `@easypost/api` client works against it unchanged (`baseUrl: sim.baseUrl`).
 *
 * - `POST /v2/shipments` (rates for the parcel), `GET /v2/shipments/:id`,
 *   `POST /v2/shipments/:id/buy` (a second buy is 422 `SHIPMENT.POSTAGE.EXISTS`),
 *   `POST /v2/shipments/:id/refund`, `POST /v2/trackers`, `GET /v2/trackers/:id`;
 * - HTTP Basic auth with the API key as user (401 with an EasyPost error body otherwise);
 * - seeded faults: 5xx, 429, hangs, and the **ambiguous** mode: a buy or refund is committed and
 *   then the socket is destroyed, so the client never learns it happened;
 * - a request log and per-reference purchase counts (`requests()`, `purchases()`, and over HTTP
 *   `GET /__sim/requests`, `GET /__sim/purchases`);
 * - a tracker driver: `advanceTracker` (or `POST /__sim/trackers/:id/advance`) moves a tracker
 *   pre_transit → in_transit → out_for_delivery → delivered and sends each step as a signed
 *   `tracker.updated` webhook to the configured URL, optionally duplicated or out of order.
 */
export interface SimFaults extends FaultRates {
  /** Share of buys and refunds committed and then cut off before the answer. */
  ambiguous: number;
}

export interface EasyPostSimulatorOptions {
  apiKey: string;
  /** 0 (default): a free port. */
  port?: number;
  seed?: number;
  faults?: Partial<SimFaults>;
  /** Where tracker updates are sent, with the webhook's secret. */
  webhook?: { url: string; secret: string } | null;
  now?: () => number;
}

export interface SimRequest {
  at: string;
  method: string;
  path: string;
  /** The answer's status; null when the socket was cut (ambiguous) or left hanging. */
  status: number | null;
  fault: 'none' | '5xx' | '429' | 'timeout' | 'ambiguous';
}

export interface SimPurchase {
  shipmentId: string;
  reference: string | null;
  rateId: string;
  trackingCode: string;
  at: string;
}

export type AdvanceOrder = 'in_order' | 'reversed' | 'shuffled';

/** The tracker's path through the carrier's network; each step is one scan. */
const TRACKER_STEPS = [
  { status: 'pre_transit', detail: 'label_created', message: 'Shipping label created', city: null },
  { status: 'in_transit', detail: 'arrived_at_facility', message: 'Arrived at sort facility', city: 'DALLAS' },
  { status: 'out_for_delivery', detail: 'out_for_delivery', message: 'Out for delivery', city: 'AUSTIN' },
  { status: 'delivered', detail: 'arrived_at_destination', message: 'Delivered, front door', city: 'AUSTIN' },
] as const;

const ADDRESS_FIELDS = ['street1', 'city', 'country'] as const;

export class EasyPostSimulator {
  private readonly shipments = new Map<string, SimShipment>();
  private readonly trackers = new Map<string, SimTracker>();
  private readonly log: SimRequest[] = [];
  private readonly bought: SimPurchase[] = [];
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly hanging = new Set<Socket>();
  private faults: SimFaults;
  private random: () => number;
  private webhook: { url: string; secret: string } | null;
  private trackingSeq = 1_000_000_000;
  private rateCard: readonly SimService[] = SIM_SERVICES;
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly apiKey: string,
    options: EasyPostSimulatorOptions,
  ) {
    this.faults = { ...NO_FAULTS, ambiguous: 0, ...options.faults };
    this.random = seededRandom(options.seed ?? 1);
    this.webhook = options.webhook ?? null;
    this.now = options.now ?? Date.now;
  }

  static async start(options: EasyPostSimulatorOptions): Promise<EasyPostSimulator> {
    // The handler needs the simulator, which needs the server's port: bound once listening.
    const bound: { sim?: EasyPostSimulator } = {};
    const server = createServer((req, res) => void bound.sim!.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the EasyPost simulator has no port');
    bound.sim = new EasyPostSimulator(server, `http://127.0.0.1:${address.port}`, options.apiKey, options);
    return bound.sim;
  }

  /** What the official client takes as `baseUrl`. */
  get baseUrl(): string {
    return `${this.url}/v2/`;
  }

  requests(): SimRequest[] {
    return [...this.log];
  }

  /** Every buy the simulator committed (answered or cut off). */
  purchases(): SimPurchase[] {
    return [...this.bought];
  }

  /** Committed buys per shipment reference (the hub's idempotency key). */
  purchasesByReference(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.bought) counts.set(p.reference ?? '', (counts.get(p.reference ?? '') ?? 0) + 1);
    return counts;
  }

  webhookDeliveries(): WebhookDelivery[] {
    return [...this.deliveries];
  }

  shipment(id: string): SimShipment | undefined {
    return this.shipments.get(id);
  }

  tracker(id: string): SimTracker | undefined {
    return this.trackers.get(id);
  }

  setFaults(faults: Partial<SimFaults>, seed?: number): void {
    this.faults = { ...NO_FAULTS, ambiguous: 0, ...faults };
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** The services quoted for shipments created from now on (default: SIM_SERVICES). */
  setRateCard(services: readonly SimService[] = SIM_SERVICES): void {
    this.rateCard = services;
  }

  setWebhook(webhook: { url: string; secret: string } | null): void {
    this.webhook = webhook;
  }

  /**
   * Moves a tracker `steps` scans along (never past delivered) and sends one signed
   * `tracker.updated` per step, each carrying the tracker as it was then; `order` sends them out
   * of order, `duplicate` sends each twice. Returns what the receiver answered.
   */
  async advanceTracker(
    trackerId: string,
    options: { steps?: number; order?: AdvanceOrder; duplicate?: boolean } = {},
  ): Promise<WebhookDelivery[]> {
    const tracker = this.trackers.get(trackerId);
    if (!tracker) throw new Error(`no tracker ${trackerId}`);
    const events: Json[] = [];
    for (let i = 0; i < (options.steps ?? 1); i++) {
      const at = TRACKER_STEPS.findIndex((s) => s.status === tracker.status);
      const next = TRACKER_STEPS[at + 1];
      if (!next) break;
      const previous = tracker.status;
      const when = this.nextTime(tracker.updated_at);
      tracker.status = next.status;
      tracker.status_detail = next.detail;
      tracker.updated_at = when;
      tracker.tracking_details.push(this.scan(next, when, tracker.carrier));
      const shipment = tracker.shipment_id ? this.shipments.get(tracker.shipment_id) : undefined;
      if (shipment) {
        shipment.status = tracker.status;
        shipment.tracker = structuredClone(tracker);
        shipment.updated_at = when;
      }
      if (this.webhook) events.push(trackerUpdatedEvent(tracker, previous, this.webhook.url));
    }
    let outgoing = events;
    if (options.order === 'reversed') outgoing = [...events].reverse();
    if (options.order === 'shuffled') outgoing = shuffle(events, this.random);
    if (options.duplicate) outgoing = outgoing.flatMap((e) => [e, e]);
    const sent: WebhookDelivery[] = [];
    for (const event of outgoing) {
      const target = this.webhook!;
      const result = await sendEvent(event, target);
      const delivery = {
        eventId: event.id as string,
        trackerId,
        status: (event.result as SimTracker).status,
        ...result,
      };
      this.deliveries.push(delivery);
      sent.push(delivery);
    }
    return sent;
  }

  async stop(): Promise<void> {
    for (const socket of this.hanging) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const entry: SimRequest = {
      at: new Date(this.now()).toISOString(),
      method: req.method ?? 'GET',
      path,
      status: null,
      fault: 'none',
    };
    const send = (status: number, body: unknown) => {
      entry.status = status;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(text);
    };
    let body: Json;
    try {
      body = await readJson(req);
    } catch {
      return send(400, errorBody('BAD_REQUEST', 'The request body is not valid JSON.'));
    }
    if (path.startsWith('/__sim/')) return this.control(req.method ?? 'GET', path, body, send);
    this.log.push(entry);
    if (path.startsWith('/labels/')) return this.serveLabel(res, entry);
    if (!path.startsWith('/v2/'))
      return send(404, errorBody('NOT_FOUND', 'The requested resource could not be found.'));

    const key = basicUser(req.headers.authorization);
    if (key === null)
      return send(401, errorBody('APIKEY.REQUIRED', 'No API key was provided: authenticate with HTTP Basic.'));
    if (key !== this.apiKey) return send(401, errorBody('APIKEY.INACTIVE', 'The API key provided is not valid.'));

    const fault = pickFault(this.faults, this.random);
    if (fault.kind === '5xx') {
      entry.fault = '5xx';
      return send(fault.status, errorBody('INTERNAL_SERVER_ERROR', 'We experienced an unexpected problem.'));
    }
    if (fault.kind === '429') {
      entry.fault = '429';
      res.setHeader('Retry-After', String(this.faults.retryAfterSeconds));
      return send(429, errorBody('RATE_LIMITED', 'You have exceeded the rate limit for this endpoint.'));
    }
    if (fault.kind === 'timeout') {
      entry.fault = 'timeout';
      this.hanging.add(req.socket);
      req.socket.once('close', () => this.hanging.delete(req.socket));
      return;
    }

    const segments = path.slice('/v2/'.length).split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const cutOff = () => {
      // Committed, then the connection dies before the answer: the client cannot tell.
      entry.fault = 'ambiguous';
      req.socket.destroy();
    };
    const ambiguous = () => this.faults.ambiguous > 0 && this.random() < this.faults.ambiguous;

    if (method === 'POST' && segments.length === 1 && segments[0] === 'shipments') {
      const result = this.createShipment(body.shipment as Json | undefined);
      return 'error' in result ? send(422, result.error) : send(201, result.shipment);
    }
    if (segments[0] === 'shipments' && segments[1]) {
      const shipment = this.shipments.get(segments[1]);
      if (!shipment) return send(404, errorBody('NOT_FOUND', 'The requested resource could not be found.'));
      if (method === 'GET' && segments.length === 2) return send(200, shipment);
      if (method === 'POST' && segments[2] === 'buy' && segments.length === 3) {
        const result = this.buy(shipment, body);
        if ('error' in result) return send(result.status, result.error);
        return ambiguous() ? cutOff() : send(200, shipment);
      }
      if (method === 'POST' && segments[2] === 'refund' && segments.length === 3) {
        const result = this.refund(shipment);
        if ('error' in result) return send(422, result.error);
        return ambiguous() ? cutOff() : send(200, shipment);
      }
    }
    if (segments[0] === 'trackers') {
      if (method === 'POST' && segments.length === 1) {
        const result = this.createTracker(body.tracker as Json | undefined);
        return 'error' in result ? send(422, result.error) : send(201, result.tracker);
      }
      if (method === 'GET' && segments.length === 2) {
        const tracker = this.trackers.get(segments[1]!);
        return tracker
          ? send(200, tracker)
          : send(404, errorBody('NOT_FOUND', 'The requested resource could not be found.'));
      }
    }
    return send(404, errorBody('NOT_FOUND', 'The requested resource could not be found.'));
  }

  private createShipment(input: Json | undefined): { shipment: SimShipment } | { error: Json } {
    const problems: { field: string; message: string }[] = [];
    const address = (name: string) => {
      const a = input?.[name] as Json | undefined;
      if (!a || typeof a !== 'object') {
        problems.push({ field: name, message: 'is required' });
        return {};
      }
      for (const f of ADDRESS_FIELDS)
        if (typeof a[f] !== 'string' || !(a[f] as string).trim())
          problems.push({ field: `${name}.${f}`, message: 'is required' });
      return { id: objectId('adr'), object: 'Address', mode: 'test', ...a };
    };
    const to = address('to_address');
    const from = address('from_address');
    const parcel = input?.parcel as Json | undefined;
    if (!parcel || typeof parcel.weight !== 'number' || !(parcel.weight > 0))
      problems.push({ field: 'parcel.weight', message: 'must be a number of ounces above 0' });
    if (problems.length > 0)
      return { error: errorBody('PARAMETER.REQUIRED', 'Missing or invalid parameters.', problems) };
    const at = this.time();
    const id = objectId('shp');
    const ounces = billableOunces(parcel as { weight: number });
    const rates = this.rateCard.map((s) => {
      const cents = priceCents(s, ounces);
      return {
        id: objectId('rate'),
        object: 'Rate',
        mode: 'test',
        service: s.service,
        carrier: s.carrier,
        carrier_account_id: `ca_${s.carrier.toLowerCase()}`,
        shipment_id: id,
        rate: centsText(cents),
        currency: 'USD',
        retail_rate: centsText(Math.round(cents * 1.15)),
        retail_currency: 'USD',
        list_rate: centsText(Math.round(cents * 1.05)),
        list_currency: 'USD',
        billing_type: 'easypost',
        delivery_days: s.deliveryDays,
        delivery_date: null,
        delivery_date_guaranteed: false,
        est_delivery_days: s.deliveryDays,
        created_at: at,
        updated_at: at,
      };
    });
    const shipment: SimShipment = {
      id,
      object: 'Shipment',
      mode: 'test',
      reference: typeof input!.reference === 'string' ? input!.reference : null,
      status: 'unknown',
      to_address: to,
      from_address: from,
      return_address: from,
      buyer_address: to,
      parcel: { id: objectId('prcl'), object: 'Parcel', mode: 'test', predefined_package: null, ...parcel },
      options: (input!.options as Json | undefined) ?? {},
      rates,
      selected_rate: null,
      postage_label: null,
      tracking_code: null,
      tracker: null,
      refund_status: null,
      insurance: null,
      is_return: false,
      messages: [],
      fees: [],
      created_at: at,
      updated_at: at,
    };
    this.shipments.set(id, shipment);
    return { shipment };
  }

  private buy(shipment: SimShipment, body: Json): { ok: true } | { status: number; error: Json } {
    if (shipment.postage_label)
      return { status: 422, error: errorBody('SHIPMENT.POSTAGE.EXISTS', 'This shipment already has postage.') };
    const rateId = (body.rate as Json | undefined)?.id;
    const rate = shipment.rates.find((r) => r.id === rateId);
    if (!rate)
      return {
        status: 422,
        error: errorBody('SHIPMENT.RATE.INVALID', "The rate is not one of this shipment's rates.", [
          { field: 'rate.id', message: 'not found on this shipment' },
        ]),
      };
    const at = this.time();
    const trackingCode = `EZ${++this.trackingSeq}`;
    const labelId = objectId('pl');
    const tracker: SimTracker = {
      id: objectId('trk'),
      object: 'Tracker',
      mode: 'test',
      tracking_code: trackingCode,
      status: 'pre_transit',
      status_detail: 'label_created',
      created_at: at,
      updated_at: at,
      signed_by: null,
      weight: Number((shipment.parcel.weight as number).toFixed(1)),
      est_delivery_date: null,
      shipment_id: shipment.id,
      carrier: rate.carrier as string,
      public_url: `${this.url}/track/${trackingCode}`,
      tracking_details: [this.scan(TRACKER_STEPS[0], at, rate.carrier as string)],
      carrier_detail: null,
      fees: [],
    };
    this.trackers.set(tracker.id, tracker);
    Object.assign(shipment, {
      selected_rate: rate,
      postage_label: {
        id: labelId,
        object: 'PostageLabel',
        label_url: `${this.url}/labels/${labelId}.png`,
        label_file_type: 'image/png',
        label_size: '4x6',
        label_resolution: 300,
        label_date: at,
        created_at: at,
        updated_at: at,
      },
      tracking_code: trackingCode,
      tracker: structuredClone(tracker),
      updated_at: at,
    });
    this.bought.push({
      shipmentId: shipment.id,
      reference: shipment.reference,
      rateId: rate.id as string,
      trackingCode,
      at,
    });
    return { ok: true };
  }

  private refund(shipment: SimShipment): { ok: true } | { error: Json } {
    if (!shipment.postage_label)
      return { error: errorBody('SHIPMENT.REFUND.UNAVAILABLE', 'This shipment has no postage to refund.') };
    if (shipment.refund_status)
      return {
        error: errorBody(
          'SHIPMENT.REFUND.ALREADY_REQUESTED',
          `A refund was already requested (${shipment.refund_status}).`,
        ),
      };
    const tracker = shipment.tracker ? this.trackers.get(shipment.tracker.id) : undefined;
    // A label already scanned by the carrier is not refundable: the refund is rejected.
    shipment.refund_status = !tracker || tracker.status === 'pre_transit' ? 'submitted' : 'rejected';
    shipment.updated_at = this.time();
    return { ok: true };
  }

  private createTracker(input: Json | undefined): { tracker: SimTracker } | { error: Json } {
    const code = input?.tracking_code;
    if (typeof code !== 'string' || !code.trim())
      return {
        error: errorBody('PARAMETER.REQUIRED', 'Missing required parameter.', [
          { field: 'tracker.tracking_code', message: 'is required' },
        ]),
      };
    const existing = [...this.trackers.values()].find((t) => t.tracking_code === code);
    if (existing) return { tracker: existing };
    const at = this.time();
    const tracker: SimTracker = {
      id: objectId('trk'),
      object: 'Tracker',
      mode: 'test',
      tracking_code: code,
      status: 'pre_transit',
      status_detail: 'label_created',
      created_at: at,
      updated_at: at,
      signed_by: null,
      weight: null,
      est_delivery_date: null,
      shipment_id: null,
      carrier: typeof input!.carrier === 'string' ? input!.carrier : 'USPS',
      public_url: `${this.url}/track/${code}`,
      tracking_details: [],
      carrier_detail: null,
      fees: [],
    };
    this.trackers.set(tracker.id, tracker);
    return { tracker };
  }

  private control(
    method: string,
    path: string,
    body: Json,
    send: (status: number, body: unknown) => void,
  ): void | Promise<void> {
    if (method === 'GET' && path === '/__sim/requests') return send(200, { requests: this.requests() });
    if (method === 'GET' && path === '/__sim/purchases')
      return send(200, { purchases: this.purchases(), byReference: Object.fromEntries(this.purchasesByReference()) });
    if (method === 'POST' && path === '/__sim/faults') {
      this.setFaults(body as Partial<SimFaults>, typeof body.seed === 'number' ? body.seed : undefined);
      return send(200, { faults: this.faults });
    }
    if (method === 'POST' && path === '/__sim/webhook') {
      const { url, secret } = body as { url?: unknown; secret?: unknown };
      this.setWebhook(typeof url === 'string' && typeof secret === 'string' ? { url, secret } : null);
      return send(200, { webhook: this.webhook ? { url: this.webhook.url } : null });
    }
    const advance = /^\/__sim\/trackers\/([^/]+)\/advance$/.exec(path);
    if (method === 'POST' && advance) {
      if (!this.trackers.has(advance[1]!)) return send(404, errorBody('NOT_FOUND', `no tracker ${advance[1]}`));
      if (!this.webhook) return send(409, errorBody('NO_WEBHOOK', 'configure POST /__sim/webhook first'));
      return this.advanceTracker(
        advance[1]!,
        body as { steps?: number; order?: AdvanceOrder; duplicate?: boolean },
      ).then((deliveries) => send(200, { deliveries }));
    }
    return send(404, errorBody('NOT_FOUND', 'no such control endpoint'));
  }

  private serveLabel(res: ServerResponse, entry: SimRequest): void {
    // A 1×1 PNG: enough for a label link to open.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
      'base64',
    );
    entry.status = 200;
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
    res.end(png);
  }

  private scan(step: (typeof TRACKER_STEPS)[number], datetime: string, carrier: string) {
    return {
      object: 'TrackingDetail' as const,
      message: step.message,
      description: step.message,
      status: step.status,
      status_detail: step.detail,
      datetime,
      source: carrier,
      carrier_code: null,
      tracking_location: {
        object: 'TrackingLocation' as const,
        city: step.city,
        state: step.city ? 'TX' : null,
        country: 'US',
        zip: null,
      },
    };
  }

  /** EasyPost's timestamps: whole seconds, UTC. */
  private time(ms = this.now()): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** A scan strictly after the previous one, so every update is newer than the last. */
  private nextTime(previous: string): string {
    return this.time(Math.max(this.now(), Date.parse(previous) + 1000));
  }
}

/** The API key from `Authorization: Basic base64(key:)`; null when absent or not Basic. */
function basicUser(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' ? (parsed as Json) : {};
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
