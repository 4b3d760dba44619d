import { createHmac, randomUUID } from 'node:crypto';
import { seededRandom } from './sim-faults.js';

/**
 * Sends webhooks exactly as Shopify signs them: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(app
 * client secret, raw body bytes)), with the topic, shop, API version, webhook id, event id and
 * triggered-at headers. Like Shopify it delivers at least once: it can duplicate (same event id,
 * new webhook id, as two subscriptions would), reorder, delay and drop (seeded), and retries a
 * delivery that did not get a 2xx.
 */

export interface WebhookSenderOptions {
  secret: string;
  shopDomain: string;
  apiVersion: string;
  seed?: number;
  /** Share of events delivered twice. */
  duplicateRate?: number;
  /** Share of events silently never delivered (reconciliation must find them). */
  dropRate?: number;
  /** Extra delay before a first attempt, in ms (0…delayMs, seeded). */
  maxDelayMs?: number;
  /** Attempts per delivery; Shopify makes 8 over 4 hours. */
  maxAttempts?: number;
  /** First retry wait; doubled per attempt (Shopify: exponential backoff). */
  retryBaseMs?: number;
  /** Timeout of one attempt (Shopify waits about 5 s). */
  attemptTimeoutMs?: number;
}

export interface WebhookEvent {
  url: string;
  topic: string;
  /** The raw body: sent byte for byte (a string is sent as UTF-8). */
  body: string | Buffer;
  eventId?: string;
  triggeredAt?: Date;
}

export interface DeliveryRecord {
  eventId: string;
  webhookId: string;
  topic: string;
  attempt: number;
  at: number;
  status: number | null;
  error?: string;
}

export function shopifyHmac(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];
  readonly dropped: { eventId: string; topic: string }[] = [];
  private readonly random: () => number;
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: WebhookSenderOptions) {
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Queues one event (possibly duplicated, delayed or dropped); resolves when its deliveries end. */
  send(event: WebhookEvent): Promise<void> {
    const eventId = event.eventId ?? randomUUID();
    if (this.random() < (this.options.dropRate ?? 0)) {
      this.dropped.push({ eventId, topic: event.topic });
      return Promise.resolve();
    }
    const copies = this.random() < (this.options.duplicateRate ?? 0) ? 2 : 1;
    const triggeredAt = event.triggeredAt ?? new Date();
    const runs: Promise<void>[] = [];
    for (let i = 0; i < copies; i++) {
      const delay = Math.floor(this.random() * (this.options.maxDelayMs ?? 0));
      runs.push(this.track(this.deliver(event, eventId, randomUUID(), triggeredAt, delay)));
    }
    return Promise.all(runs).then(() => undefined);
  }

  /**
   * Sends a batch in a seeded shuffled order: with delays this is how "older after newer"
   * arrives at the hub.
   */
  sendShuffled(events: WebhookEvent[]): Promise<void> {
    const order = events.map((e) => ({ e, k: this.random() })).sort((a, b) => a.k - b.k);
    return Promise.all(order.map(({ e }) => this.send(e))).then(() => undefined);
  }

  /** Waits for every delivery in flight (retries included). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  headersFor(
    topic: string,
    body: string | Buffer,
    eventId: string,
    webhookId: string,
    triggeredAt: Date,
  ): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': shopifyHmac(this.options.secret, body),
      'X-Shopify-Shop-Domain': this.options.shopDomain,
      'X-Shopify-API-Version': this.options.apiVersion,
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Event-Id': eventId,
      'X-Shopify-Triggered-At': triggeredAt.toISOString(),
    };
  }

  private track(p: Promise<void>): Promise<void> {
    this.pending.add(p);
    return p.finally(() => this.pending.delete(p));
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async deliver(event: WebhookEvent, eventId: string, webhookId: string, triggeredAt: Date, delay: number) {
    await this.sleep(delay);
    const headers = this.headersFor(event.topic, event.body, eventId, webhookId, triggeredAt);
    const maxAttempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      const record: DeliveryRecord = { eventId, webhookId, topic: event.topic, attempt, at: Date.now(), status: null };
      try {
        const res = await fetch(event.url, {
          method: 'POST',
          headers,
          body: event.body,
          signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? 5_000),
        });
        await res.arrayBuffer();
        record.status = res.status;
      } catch (err) {
        record.error = (err as Error).message;
      }
      this.deliveries.push(record);
      if (record.status !== null && record.status >= 200 && record.status < 300) return;
      await this.sleep((this.options.retryBaseMs ?? 1_000) * 2 ** (attempt - 1));
    }
  }
}
