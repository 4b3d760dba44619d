import { resourceMissing } from './sim-errors.js';
import type { FormObject } from './sim-form.js';
import { newEvent, type EventObject } from './sim-objects.js';
import { Params } from './sim-params.js';
import type { RequestMeta } from './sim-store.js';
import type { StripeWebhookSender } from './stripe-webhook-sender.js';

/**
 * Stripe events: made for every state change, kept for `GET /v1/events` (the recovery path:
 * `delivery_success=false` lists what no endpoint acknowledged) and sent to each webhook endpoint
 * whose `enabled_events` take the type (`*` takes all).
 */
export class SimEvents {
  readonly all: EventObject[] = [];
  private readonly byId = new Map<string, EventObject>();
  private readonly endpoints = new Map<string, ReadonlySet<string> | null>();
  /** Event id → whether some delivery got a 2xx (absent while pending or when no endpoint took it). */
  private readonly delivered = new Map<string, boolean>();

  constructor(
    private readonly sender: StripeWebhookSender,
    private readonly now: () => number,
    private readonly apiVersion: string,
  ) {}

  addEndpoint(url: string, enabledEvents: readonly string[] = ['*']): void {
    this.endpoints.set(url, enabledEvents.includes('*') ? null : new Set(enabledEvents));
  }

  emit(
    type: string,
    object: Record<string, unknown>,
    meta: RequestMeta | null,
    previousAttributes?: Record<string, unknown>,
  ): EventObject {
    const event = newEvent({
      type,
      object,
      created: Math.floor(this.now() / 1000),
      apiVersion: this.apiVersion,
      request: { id: meta?.requestId ?? null, idempotency_key: meta?.idempotencyKey ?? null },
      previousAttributes,
    });
    const targets = this.targetsFor(type);
    event.pending_webhooks = targets.length;
    this.all.push(event);
    this.byId.set(event.id, event);
    for (const url of targets) void this.deliver(url, event);
    return event;
  }

  /** Sends an event exactly as given (a fixture's bytes, say) to the endpoints that take its type. */
  sendAsIs(event: { id: string; type: string }, body: string | Buffer): Promise<boolean[]> {
    return Promise.all(this.targetsFor(event.type).map((url) => this.deliver(url, event, body)));
  }

  retrieve(id: string): EventObject {
    const event = this.byId.get(id);
    if (!event) throw resourceMissing('event', id);
    return event;
  }

  /** `GET /v1/events`: newest first, `limit` 1–100, `starting_after`, `type`, `delivery_success`. */
  list(form: FormObject): Record<string, unknown> {
    const p = new Params(form, ['limit', 'starting_after', 'type', 'delivery_success']);
    const limit = p.integer('limit', 1, 100) ?? 10;
    const type = p.string('type');
    const success = p.boolean('delivery_success');
    const after = p.string('starting_after');
    let list = [...this.all].reverse();
    if (type) list = list.filter((e) => matches(type, e.type));
    if (success !== undefined)
      list = list.filter((e) => this.delivered.has(e.id) && this.delivered.get(e.id) === success);
    if (after) {
      const at = list.findIndex((e) => e.id === after);
      if (at < 0) throw resourceMissing('event', after, 'starting_after');
      list = list.slice(at + 1);
    }
    return { object: 'list', data: list.slice(0, limit), has_more: list.length > limit, url: '/v1/events' };
  }

  private targetsFor(type: string): string[] {
    return [...this.endpoints].filter(([, types]) => !types || types.has(type)).map(([url]) => url);
  }

  private async deliver(url: string, event: { id: string; type: string }, body?: string | Buffer): Promise<boolean> {
    const ok = await this.sender.send(url, event, body);
    this.delivered.set(event.id, ok || this.delivered.get(event.id) === true);
    // Only the simulator's own events count down; an event sent as given (a fixture) is not touched.
    const own = this.byId.get(event.id);
    if (ok && own === event) own.pending_webhooks = Math.max(0, own.pending_webhooks - 1);
    return ok;
  }
}

/** `type` filters take `*` wildcards (`payment_intent.*`), as Stripe's do. */
function matches(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const re = new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
  return re.test(type);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
