import { createHmac } from 'node:crypto';
import { objectId, type Json, type SimTracker } from './sim-objects.js';

/**
 * How EasyPost signs a webhook: `X-Hmac-Signature: hmac-sha256-hex=<hex>` over the body's bytes,
 * keyed with the webhook's secret in Unicode NFKD form (CONNECTORS.md §5).
 */
export function easyPostSignature(body: string, secret: string): string {
  const key = Buffer.from(secret.normalize('NFKD'), 'utf8');
  return `hmac-sha256-hex=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

/**
 * JSON as EasyPost's servers write it: a float stays a float (`"weight": 17.0`). JavaScript would
 * write 17, and the official client's verifier rewrites `"weight": 17` to `17.0` before hashing
 * (easypost-node issue 467), so a body signed as JavaScript writes it would fail that verifier.
 */
export function easyPostJson(value: unknown): string {
  return JSON.stringify(value).replace(/("weight":\s*)(\d+)(\s*)(?=,|\})/g, '$1$2.0');
}

/** A `tracker.updated` Event around a tracker as it was at that moment. */
export function trackerUpdatedEvent(tracker: SimTracker, previousStatus: string | null, url: string): Json {
  return {
    description: 'tracker.updated',
    mode: 'test',
    previous_attributes: previousStatus === null ? {} : { status: previousStatus },
    created_at: tracker.updated_at,
    pending_urls: [url],
    completed_urls: [],
    updated_at: tracker.updated_at,
    id: objectId('evt'),
    user_id: 'user_simulator',
    status: 'pending',
    object: 'Event',
    result: structuredClone(tracker),
  };
}

export interface WebhookDelivery {
  eventId: string;
  trackerId: string;
  status: string;
  /** The hub's HTTP status; null when it could not be reached. */
  httpStatus: number | null;
  error: string | null;
}

/** POSTs one signed event; never throws (the outcome is returned and logged by the simulator). */
export async function sendEvent(
  event: Json,
  target: { url: string; secret: string },
  timeoutMs = 5_000,
): Promise<{ httpStatus: number | null; error: string | null }> {
  const body = easyPostJson(event);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'EasyPost WebHook Agent 1.0',
        'X-Hmac-Signature': easyPostSignature(body, target.secret),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { httpStatus: res.status, error: null };
  } catch (error) {
    return { httpStatus: null, error: (error as Error).message };
  }
}
