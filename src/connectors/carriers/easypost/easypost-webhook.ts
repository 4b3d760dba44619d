import { createHmac, timingSafeEqual } from 'node:crypto';
import { applyTrackerUpdate } from '../../../domain/shipping/apply-tracking.js';
import type { ProviderWebhook } from '../../provider-webhook.js';
import type { WebhookAdapter, WebhookVerdict } from '../../webhook-adapter.js';
import { trackerOf } from './easypost.mapper.js';

const PREFIX = 'hmac-sha256-hex=';
/** The inbox's columns: delivery ids up to 255 characters, topics up to 64. */
const MAX_ID = 255;
const MAX_TOPIC = 64;
/** The events that carry a Tracker as their `result`. */
export const EASYPOST_TRACKER_TOPICS: ReadonlySet<string> = new Set(['tracker.created', 'tracker.updated']);

/** `hmac-sha256-hex=` + hex HMAC-SHA256 over the bytes, keyed with the NFKD form of the secret. */
export function easyPostSignatureOf(body: Buffer, secret: string): string {
  return (
    PREFIX +
    createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8'))
      .update(body)
      .digest('hex')
  );
}

function matches(given: Buffer, body: Buffer, secret: string): boolean {
  const expected = Buffer.from(easyPostSignatureOf(body, secret), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What the official client's verifier hashes besides the raw bytes: integer weights written as
 * floats (`"weight": 17` → `17.0`; easypost-node issue 467). EasyPost's servers write floats, so
 * the raw bytes normally match; this keeps a body that went through a JavaScript re-serialiser
 * (a proxy, a replay tool) verifiable exactly as the official client would.
 */
function officialVariant(body: Buffer): Buffer | null {
  const text = body.toString('utf8');
  const rewritten = text.replace(/("weight":\s*)(\d+)(\s*)(?=,|\})/g, '$1$2.0');
  return rewritten === text ? null : Buffer.from(rewritten, 'utf8');
}

/**
 * EasyPost deliveries (CONNECTORS.md §5): `X-Hmac-Signature` over the raw bytes first (401 when
 * missing or wrong, before anything is parsed), then the body must be an Event with an `id`
 * (the dedupe key) and a `description` (the topic). Every event type is taken: EasyPost sends
 * all of an account's events to each webhook and retries (then disables) an endpoint that
 * refuses them; the handler ignores those it does not use. EasyPost signs no timestamp: replays
 * are caught by the inbox's unique event id, and updates older than what the hub holds by the
 * tracker's `updated_at` in the handler.
 */
export const easyPostWebhookAdapter: WebhookAdapter = {
  verify(rawBody, headers, secret): WebhookVerdict {
    const header = headers['x-hmac-signature'];
    if (typeof header !== 'string' || !header.startsWith(PREFIX))
      return { ok: false, status: 401, reason: 'missing X-Hmac-Signature (hmac-sha256-hex=…)' };
    const given = Buffer.from(header.trim(), 'utf8');
    const variant = officialVariant(rawBody);
    if (!secret || !(matches(given, rawBody, secret) || (variant !== null && matches(given, variant, secret))))
      return { ok: false, status: 401, reason: 'X-Hmac-Signature does not match the body' };
    let event: unknown;
    try {
      event = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return { ok: false, status: 400, reason: 'the body is not JSON' };
    }
    const { id, description, created_at: createdAt } = (event ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !id || id.length > MAX_ID)
      return { ok: false, status: 400, reason: 'the event has no id (or one over 255 characters)' };
    if (typeof description !== 'string' || !description || description.length > MAX_TOPIC)
      return { ok: false, status: 400, reason: 'the event has no description (its type)' };
    const at = typeof createdAt === 'string' ? new Date(createdAt) : null;
    return {
      ok: true,
      delivery: { deliveryId: id, topic: description, triggeredAt: at && !Number.isNaN(at.getTime()) ? at : null },
    };
  },
};

/**
 * EasyPost's webhooks through the hub's inbox (`POST /webhooks/easypost`, rows under
 * `provider:easypost`): tracker events move the shipment whose label they track (domain
 * `applyTrackerUpdate`); other events are stored and ignored.
 */
export function easyPostWebhook(secret: () => string | undefined): ProviderWebhook {
  return {
    provider: 'easypost',
    adapter: easyPostWebhookAdapter,
    secret,
    async handle(ctx, delivery) {
      if (!EASYPOST_TRACKER_TOPICS.has(delivery.topic))
        return { status: 'ignored', outcome: `EasyPost ${delivery.topic} events are not used` };
      const event = JSON.parse(delivery.body) as { result?: unknown };
      const tracker =
        event.result && typeof event.result === 'object' ? trackerOf(event.result as Record<string, unknown>) : null;
      if (!tracker) return { status: 'ignored', outcome: 'the event carries no usable Tracker' };
      return applyTrackerUpdate(ctx, 'easypost', tracker);
    },
  };
}
