import { seededRandom } from '../../shopify/simulator/sim-faults.js';
import { stripeSignatureHeader } from '../stripe-signature.js';

/**
 * Delivers Stripe events to an endpoint as Stripe does: POST of the event as pretty-printed JSON,
 * `Stripe-Signature: t=…,v1=…` freshly signed for every attempt, retried with exponential
 * backoff while the answer is not 2xx. Like Stripe it promises no order and may deliver twice
 * (seeded: `duplicateRate`, `maxDelayMs`), so a receiver must dedupe on the event id.
 */

export interface StripeWebhookSenderOptions {
  /** Endpoint secret(s) `whsec_…`; several give several v1 signatures (a secret being rolled). */
  secret: string | readonly string[];
  seed?: number;
  /** Share of events delivered twice (same event id, separately signed). */
  duplicateRate?: number;
  /** Random delay of 0…maxDelayMs before a first attempt: events overtake each other. */
  maxDelayMs?: number;
  /** Attempts per delivery (a Stripe sandbox retries 3 times over a few hours; live mode for 3 days). */
  maxAttempts?: number;
  /** First retry wait, doubled per attempt. */
  retryBaseMs?: number;
  /** How long one attempt may take before it counts as failed. */
  attemptTimeoutMs?: number;
  /** Clock for `t=` (ms). Real time by default: the receiver checks the age against its own clock. */
  now?: () => number;
}

export interface StripeDeliveryRecord {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  /** ISO-8601 UTC. */
  at: string;
  status: number | null;
  error?: string;
}

export class StripeWebhookSender {
  readonly deliveries: StripeDeliveryRecord[] = [];
  private readonly random: () => number;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: StripeWebhookSenderOptions) {
    this.random = seededRandom(options.seed ?? 1);
  }

  /**
   * Sends one event (maybe twice, maybe late); resolves true once some copy got a 2xx. `body`
   * defaults to the event as Stripe serialises it; a caller may pass exact bytes (a fixture).
   */
  send(url: string, event: { id: string; type: string }, body?: string | Buffer): Promise<boolean> {
    const payload = body ?? `${JSON.stringify(event, null, 2)}\n`;
    const copies = this.random() < (this.options.duplicateRate ?? 0) ? 2 : 1;
    const runs: Promise<boolean>[] = [];
    for (let i = 0; i < copies; i++) {
      const delay = Math.floor(this.random() * (this.options.maxDelayMs ?? 0));
      runs.push(this.track(this.deliver(url, event, payload, delay)));
    }
    return Promise.all(runs).then((results) => results.some(Boolean));
  }

  /** Waits for every delivery in flight, retries included. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  headersFor(body: string | Buffer): Record<string, string> {
    const now = this.options.now ?? Date.now;
    return {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'Cache-Control': 'no-cache',
      Accept: '*/*; q=0.5, application/xml',
      'Stripe-Signature': stripeSignatureHeader(body, this.options.secret, Math.floor(now() / 1000)),
    };
  }

  private track<T>(p: Promise<T>): Promise<T> {
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

  private async deliver(url: string, event: { id: string; type: string }, body: string | Buffer, delay: number) {
    await this.sleep(delay);
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      const record: StripeDeliveryRecord = {
        eventId: event.id,
        type: event.type,
        url,
        attempt,
        at: new Date().toISOString(),
        status: null,
      };
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: this.headersFor(body),
          body,
          signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? 10_000),
        });
        await res.arrayBuffer();
        record.status = res.status;
      } catch (err) {
        record.error = (err as Error).message;
      }
      this.deliveries.push(record);
      if (record.status !== null && record.status >= 200 && record.status < 300) return true;
      if (attempt < maxAttempts) await this.sleep((this.options.retryBaseMs ?? 1_000) * 2 ** (attempt - 1));
    }
    return false;
  }
}
