import type { VerifiedDelivery, WebhookAdapter, WebhookVerdict } from '../webhook-adapter.js';
import {
  STRIPE_SIGNATURE_TOLERANCE_SECONDS,
  verifyStripeSignature,
  type StripeSignatureCheck,
} from './stripe-signature.js';

/**
 * Stripe's deliveries to `POST /webhooks/stripe`: the signature first, over the raw bytes (401 when
 * missing, forged or older than the tolerance, whatever else is wrong), then the event's own id
 * (the dedupe key: Stripe redelivers the same event id), type and `created`, which only the body
 * carries. Every event type is taken and stored; the handler ignores the ones it does not apply,
 * because an endpoint that keeps refusing a type is retried by Stripe for days and then disabled.
 */

/** Stripe's ids and types are short; longer is not Stripe's and must not reach the inbox's columns. */
const MAX_ID_LENGTH = 255;
const MAX_TYPE_LENGTH = 64;

const REASONS: Record<Exclude<StripeSignatureCheck, { ok: true }>['reason'], string> = {
  missing: 'missing Stripe-Signature',
  malformed: 'Stripe-Signature has no single t= timestamp',
  mismatch: 'no v1 signature in Stripe-Signature matches the body',
  stale: `Stripe-Signature is older than the tolerance (${STRIPE_SIGNATURE_TOLERANCE_SECONDS} s by default): a replay?`,
};

export interface StripeWebhookAdapterOptions {
  /** Clock (ms) the signature's age is measured on. */
  now?: () => number;
  /** Oldest signature taken, in seconds (Stripe's default 300; 0 turns the check off, as in the SDK). */
  toleranceSeconds?: number;
}

export function createStripeWebhookAdapter(options: StripeWebhookAdapterOptions = {}): WebhookAdapter {
  const now = options.now ?? Date.now;
  const tolerance = options.toleranceSeconds ?? STRIPE_SIGNATURE_TOLERANCE_SECONDS;
  return {
    verify(rawBody, headers, secret): WebhookVerdict {
      // A repeated header is ambiguous (which one was meant?), so it counts as absent.
      const header = headers['stripe-signature'];
      const check = verifyStripeSignature(
        rawBody,
        typeof header === 'string' ? header : undefined,
        secret,
        Math.floor(now() / 1000),
        tolerance,
      );
      if (!check.ok) return { ok: false, status: 401, reason: REASONS[check.reason] };
      return readEvent(rawBody);
    },
  };
}

export const stripeWebhookAdapter: WebhookAdapter = createStripeWebhookAdapter();

function readEvent(rawBody: Buffer): WebhookVerdict {
  let event: { object?: unknown; id?: unknown; type?: unknown; created?: unknown };
  try {
    event = JSON.parse(rawBody.toString('utf8')) as typeof event;
  } catch {
    return { ok: false, status: 400, reason: 'the body is not JSON' };
  }
  if (typeof event !== 'object' || event === null || event.object !== 'event')
    return { ok: false, status: 400, reason: 'the body is not a Stripe event (object "event")' };
  const { id, type, created } = event;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH)
    return { ok: false, status: 400, reason: 'the event has no usable id' };
  if (typeof type !== 'string' || type === '' || type.length > MAX_TYPE_LENGTH)
    return { ok: false, status: 400, reason: 'the event has no usable type' };
  const delivery: VerifiedDelivery = {
    deliveryId: id,
    topic: type,
    triggeredAt:
      typeof created === 'number' && Number.isInteger(created) && created >= 0 && created < 1e11
        ? new Date(created * 1000)
        : null,
  };
  return { ok: true, delivery };
}
