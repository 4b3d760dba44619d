import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeSimulator, listenSimulator } from '../../simulator-server.js';
import { NO_FAULTS, pickFault, seededRandom, type FaultRates } from '../../shopify/simulator/sim-faults.js';
import { STRIPE_API_VERSION } from '../stripe-api-version.js';
import { errorBody, invalidParam, StripeApiError, unrecognizedUrl } from './sim-errors.js';
import { SimEvents } from './sim-events.js';
import { FormError, parseForm, type FormObject } from './sim-form.js';
import { fingerprint, IdempotencyStore, MAX_IDEMPOTENCY_KEY_LENGTH } from './sim-idempotency.js';
import { SimIntents } from './sim-intents.js';
import { stripeId, type PaymentIntentObject } from './sim-objects.js';
import { Params } from './sim-params.js';
import { SimRefunds } from './sim-refunds.js';
import { SimStore, type RequestMeta, type SimEffect } from './sim-store.js';
import { StripeWebhookSender, type StripeWebhookSenderOptions } from './stripe-webhook-sender.js';

/**
 * A local Stripe for tests, benchmarks and the sandbox: a real HTTP server on 127.0.0.1 that
 * speaks the v1 REST subset the hub uses (PaymentIntents with manual capture, refunds, events)
 * so the official `stripe` client works against it unchanged (`{ host, port, protocol: 'http' }`):
 * form-encoded bodies, Bearer secret keys, Idempotency-Key replay, Stripe's error bodies, test
 * payment methods, signed webhooks. Seeded faults include the ambiguous one: a capture or refund
 * committed whose answer is lost. Tests drive it through the methods below; `/__sim/*` offers the
 * same over HTTP for the CLI.
 */

export interface StripeFaultRates extends FaultRates {
  /** Share of captures and refunds committed and then answered with a dropped connection. */
  ambiguous: number;
}

export interface StripeSimulatorOptions {
  port?: number;
  host?: string;
  /** The secret key clients must send (`Authorization: Bearer sk_test_…`). */
  secretKey?: string;
  /** The webhook endpoint secret(s) events are signed with. */
  webhookSecret?: string | readonly string[];
  /** Clock for objects, holds and idempotency (ms); tests may pass a fake. */
  now?: () => number;
  faults?: Partial<StripeFaultRates>;
  seed?: number;
  /** A hung call (timeout fault) is closed after this long. */
  hangMs?: number;
  /** How long an uncaptured authorisation holds (Stripe: 7 days for online card payments). */
  authorisationDays?: number;
  webhooks?: Partial<Omit<StripeWebhookSenderOptions, 'secret'>>;
}

export interface StripeSimRequest {
  /** ISO-8601 UTC, from the simulator's clock. */
  at: string;
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** What the client got; 0 when it got no answer (timeout, ambiguous drop). */
  status: number;
  /** Answered from the idempotency store (`Idempotent-Replayed: true`). */
  replayed: boolean;
  fault: 'none' | '5xx' | '429' | 'timeout' | 'ambiguous';
  requestId: string;
  stripeVersion: string;
}

interface Route {
  run: (form: FormObject, meta: RequestMeta) => unknown;
  /** Captures and refunds: where the ambiguous fault applies. */
  movesMoney: boolean;
}

export const SIM_SECRET_KEY = 'sk_test_switchyard_simulator';
export const SIM_WEBHOOK_SECRET = 'whsec_switchyard_simulator';

export class StripeSimulator {
  readonly store: SimStore;
  readonly intents: SimIntents;
  readonly refunds: SimRefunds;
  readonly events: SimEvents;
  readonly webhooks: StripeWebhookSender;
  readonly requests: StripeSimRequest[] = [];
  readonly secretKey: string;
  readonly webhookSecret: string | readonly string[];
  private faults: StripeFaultRates;
  private readonly random: () => number;
  private readonly idempotency: IdempotencyStore;
  private clockOffsetMs = 0;
  private server: Server | undefined;
  private baseUrl: string | undefined;

  constructor(private readonly options: StripeSimulatorOptions = {}) {
    const clock = options.now ?? Date.now;
    const now = () => clock() + this.clockOffsetMs;
    this.secretKey = options.secretKey ?? SIM_SECRET_KEY;
    this.webhookSecret = options.webhookSecret ?? SIM_WEBHOOK_SECRET;
    this.faults = { ...NO_FAULTS, ambiguous: 0, ...options.faults };
    this.random = seededRandom(options.seed ?? 1);
    this.webhooks = new StripeWebhookSender({
      ...options.webhooks,
      secret: this.webhookSecret,
      seed: options.webhooks?.seed ?? options.seed ?? 1,
    });
    this.events = new SimEvents(this.webhooks, now, STRIPE_API_VERSION);
    this.store = new SimStore(
      now,
      (type, object, meta, previous) => this.events.emit(type, object, meta, previous),
      (options.authorisationDays ?? 7) * 86_400,
    );
    this.intents = new SimIntents(this.store);
    this.refunds = new SimRefunds(this.store);
    this.idempotency = new IdempotencyStore(now);
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    const { server, baseUrl } = await listenSimulator((req, res) => this.handle(req, res), this.options);
    this.server = server;
    this.baseUrl = baseUrl;
    return baseUrl;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('The Stripe simulator is not started');
    return this.baseUrl;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    this.webhooks.stop();
    const server = this.server;
    this.server = undefined;
    await closeSimulator(server);
  }

  // ---- control API -------------------------------------------------------------------------

  setFaults(faults: Partial<StripeFaultRates>): void {
    this.faults = { ...this.faults, ...faults };
  }

  /** Sends events to this URL, signed with the webhook secret; `events` as Stripe's `enabled_events`. */
  addWebhookEndpoint(url: string, events: readonly string[] = ['*']): void {
    this.events.addEndpoint(url, events);
  }

  /** The customer passes (or fails) the 3-D Secure challenge of an intent in requires_action. */
  completeAction(intentId: string, outcome: 'succeed' | 'fail' = 'succeed'): Record<string, unknown> {
    return this.intents.completeAction(intentId, outcome);
  }

  dispute(intentId: string, reason?: string): Record<string, unknown> {
    return this.refunds.dispute(intentId, reason);
  }

  earlyFraudWarning(intentId: string, fraudType?: string): Record<string, unknown> {
    return this.refunds.earlyFraudWarning(intentId, fraudType);
  }

  failRefund(refundId: string): Record<string, unknown> {
    return this.refunds.fail(refundId);
  }

  /** Moves the simulator's clock on and lapses the holds that expired meanwhile. */
  advanceClock(ms: number): number {
    this.clockOffsetMs += ms;
    return this.intents.expireHolds();
  }

  /** Lapses the holds past `capture_before` now (API calls do this first anyway). */
  expireHolds(): number {
    return this.intents.expireHolds();
  }

  /** Stores a `payment_intent` object as given (e.g. the fixtures3 one, unchanged). */
  seedIntent(intent: Record<string, unknown>): PaymentIntentObject {
    if (typeof intent.id !== 'string' || !intent.id.startsWith('pi_'))
      throw new Error('A payment_intent needs an id pi_…');
    const stored = structuredClone(intent) as PaymentIntentObject;
    this.store.intents.set(stored.id, stored);
    return stored;
  }

  /** Delivers an event exactly as given (its bytes, if a string) to the endpoints taking its type. */
  sendEvent(event: { id: string; type: string }, body?: string | Buffer): Promise<boolean[]> {
    return this.events.sendAsIs(event, body ?? `${JSON.stringify(event, null, 2)}\n`);
  }

  /** Committed effects, optionally of one intent and kind: the count tests compare against. */
  effectsFor(intentId?: string, kind?: SimEffect['kind']): SimEffect[] {
    return this.store.effects.filter((e) => (!intentId || e.intentId === intentId) && (!kind || e.kind === kind));
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private route(method: string, path: string): Route | undefined {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'v1') return undefined;
    const [, resource, id, action] = parts;
    const post = method === 'POST';
    const get = method === 'GET';
    if (resource === 'payment_intents') {
      if (post && !id) return { run: (f, m) => this.intents.create(f, m), movesMoney: false };
      if (get && id && !action) return { run: (f) => this.intents.retrieve(id, f), movesMoney: false };
      if (post && id && action === 'confirm')
        return { run: (f, m) => this.intents.confirm(id, f, m), movesMoney: false };
      if (post && id && action === 'capture')
        return { run: (f, m) => this.intents.capture(id, f, m), movesMoney: true };
      if (post && id && action === 'cancel') return { run: (f, m) => this.intents.cancel(id, f, m), movesMoney: false };
    }
    if (resource === 'refunds') {
      if (post && !id) return { run: (f, m) => this.refunds.create(f, m), movesMoney: true };
      if (get && id && !action) return { run: (f) => this.refunds.retrieve(id, f), movesMoney: false };
    }
    if (resource === 'charges' && get && id && !action)
      return { run: (f) => this.refunds.retrieveCharge(id, f), movesMoney: false };
    if (resource === 'events' && get && !action) {
      if (id)
        return {
          run: (f) => {
            new Params(f, []);
            return this.events.retrieve(id);
          },
          movesMoney: false,
        };
      return { run: (f) => this.events.list(f), movesMoney: false };
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/__sim/')) return this.control(method, url.pathname, raw, res);

    const requestId = stripeId('req', 14);
    const version = single(req.headers['stripe-version']) ?? STRIPE_API_VERSION;
    const key = method === 'POST' ? (single(req.headers['idempotency-key']) ?? null) : null;
    const entry: StripeSimRequest = {
      at: new Date(this.store.now()).toISOString(),
      method,
      path: url.pathname,
      idempotencyKey: key,
      status: 0,
      replayed: false,
      fault: 'none',
      requestId,
      stripeVersion: version,
    };
    this.requests.push(entry);
    res.setHeader('Request-Id', requestId);
    res.setHeader('Stripe-Version', version);
    if (key) res.setHeader('Idempotency-Key', key);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      json(res, status, body, headers);
    };

    const denied = this.authenticate(single(req.headers.authorization));
    if (denied) return answer(401, errorBody(denied.error), { 'WWW-Authenticate': 'Bearer realm="Stripe"' });

    const fault = pickFault(this.faults, this.random);
    if (fault.kind === '5xx') {
      entry.fault = '5xx';
      return answer(fault.status, {
        error: { type: 'api_error', message: 'An unknown error occurred while processing your request.' },
      });
    }
    if (fault.kind === '429') {
      entry.fault = '429';
      return answer(
        429,
        {
          error: {
            type: 'invalid_request_error',
            code: 'rate_limit',
            message:
              'Request rate limit exceeded. Learn more about rate limits here https://docs.stripe.com/rate-limits.',
          },
        },
        { 'Retry-After': String(this.faults.retryAfterSeconds) },
      );
    }
    if (fault.kind === 'timeout') {
      entry.fault = 'timeout';
      setTimeout(() => res.destroy(), this.options.hangMs ?? 30_000).unref();
      return;
    }

    const route = this.route(method, url.pathname);
    if (!route) {
      const error = unrecognizedUrl(method, url.pathname);
      return answer(error.status, errorBody(error.error));
    }
    let form: FormObject;
    try {
      form = this.formOf(method, single(req.headers['content-type']), raw, url);
    } catch (err) {
      const error = err instanceof StripeApiError ? err : invalidParam((err as Error).message, 'body');
      return answer(error.status, errorBody(error.error));
    }
    const print = fingerprint(form);
    if (key) {
      if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        const error = invalidParam(
          `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long.`,
          'Idempotency-Key',
        );
        return answer(error.status, errorBody(error.error));
      }
      const found = this.idempotency.lookup(key, method, url.pathname, print);
      if (found.kind === 'mismatch')
        return answer(400, { error: { type: 'idempotency_error', message: found.message } });
      if (found.kind === 'replay') {
        entry.replayed = true;
        if (route.movesMoney && this.dropsAnswer(entry, res)) return;
        return answer(found.result.status, found.result.body, {
          'Idempotent-Replayed': 'true',
          'Original-Request': found.result.requestId,
        });
      }
    }

    this.intents.expireHolds();
    let status = 200;
    let body: unknown;
    let stored = true;
    try {
      body = route.run(form, { requestId, idempotencyKey: key });
    } catch (err) {
      if (!(err instanceof StripeApiError)) throw err;
      status = err.status;
      body = errorBody(err.error);
      stored = err.stored;
    }
    if (key && stored)
      this.idempotency.store(key, { method, path: url.pathname, fingerprint: print, status, body, requestId });
    if (route.movesMoney && this.dropsAnswer(entry, res)) return;
    answer(status, body);
  }

  /** The ambiguous fault: the effect is committed (and stored under the key), the answer is lost. */
  private dropsAnswer(entry: StripeSimRequest, res: ServerResponse): boolean {
    if (this.faults.ambiguous <= 0 || this.random() >= this.faults.ambiguous) return false;
    entry.fault = 'ambiguous';
    entry.status = 0;
    res.socket?.destroy();
    return true;
  }

  private formOf(method: string, contentType: string | undefined, raw: Buffer, url: URL): FormObject {
    if (method !== 'POST') return parseForm(url.search.slice(1));
    if (raw.length === 0) return {};
    if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      throw invalidParam(
        'Invalid request (check that your POST content type is application/x-www-form-urlencoded). If you have any questions, we can help at https://support.stripe.com/.',
        'body',
      );
    try {
      return parseForm(raw.toString('utf8'));
    } catch (err) {
      if (err instanceof FormError) throw invalidParam(err.message, 'body');
      throw err;
    }
  }

  /** Bearer (stripe-node) or Basic with the key as user name (curl -u sk_test_…:). */
  private authenticate(authorization: string | undefined): StripeApiError | undefined {
    let key: string | undefined;
    if (authorization?.startsWith('Bearer ')) key = authorization.slice(7).trim();
    else if (authorization?.startsWith('Basic '))
      key = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0];
    if (!key)
      return new StripeApiError(
        401,
        {
          type: 'invalid_request_error',
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication for details, or we can help at https://support.stripe.com/.",
        },
        false,
      );
    if (key === this.secretKey) return undefined;
    return new StripeApiError(
      401,
      { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${maskKey(key)}` },
      false,
    );
  }

  private control(method: string, path: string, raw: Buffer, res: ServerResponse): void {
    try {
      const parts = path.split('/').filter(Boolean).slice(1);
      const [resource, id, action] = parts;
      if (method === 'GET' && resource === 'requests') return json(res, 200, this.requests);
      if (method === 'GET' && resource === 'effects') return json(res, 200, this.store.effects);
      if (method === 'GET' && resource === 'deliveries') return json(res, 200, this.webhooks.deliveries);
      if (method !== 'POST') return json(res, 404, { error: { message: 'Not Found' } });
      // A fixture event is forwarded byte for byte, so it is not parsed into an object first.
      if (resource === 'events' && !id) {
        const event = JSON.parse(raw.toString('utf8')) as { id: string; type: string };
        void this.sendEvent(event, raw);
        return json(res, 202, { id: event.id, type: event.type });
      }
      const input = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : undefined);
      if (resource === 'faults') {
        this.setFaults(input as Partial<StripeFaultRates>);
        return json(res, 200, this.faults);
      }
      if (resource === 'webhook_endpoints') {
        const url = text('url');
        if (!url) throw new Error('url is required');
        const events = Array.isArray(input.enabled_events) ? (input.enabled_events as string[]) : ['*'];
        this.addWebhookEndpoint(url, events);
        return json(res, 200, { url, enabled_events: events });
      }
      if (resource === 'clock') {
        const expired = this.advanceClock(Number(input.advance_seconds ?? 0) * 1000);
        return json(res, 200, { now: new Date(this.store.now()).toISOString(), expired });
      }
      if (resource === 'payment_intents' && !id) return json(res, 201, this.seedIntent(input));
      if (resource === 'payment_intents' && id && action === 'confirm')
        return json(res, 200, this.completeAction(id, text('outcome') === 'fail' ? 'fail' : 'succeed'));
      if (resource === 'payment_intents' && id && action === 'dispute')
        return json(res, 200, this.dispute(id, text('reason')));
      if (resource === 'payment_intents' && id && action === 'early_fraud_warning')
        return json(res, 200, this.earlyFraudWarning(id, text('fraud_type')));
      if (resource === 'refunds' && id && action === 'fail') return json(res, 200, this.failRefund(id));
      return json(res, 404, { error: { message: 'Not Found' } });
    } catch (err) {
      if (err instanceof StripeApiError) return json(res, err.status, errorBody(err.error));
      return json(res, 400, { error: { message: (err as Error).message } });
    }
  }
}

function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, Math.min(key.length - prefix.length - 4, 24)))}${key.slice(-4)}`;
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
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
