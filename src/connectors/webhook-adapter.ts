/**
 * How the webhook inbox treats one platform's deliveries: verify the signature over the raw
 * bytes before anything is parsed, then name the delivery (dedupe key) and its topic. One per
 * channel kind; the inbox route itself knows no platform.
 */
export interface VerifiedDelivery {
  /** Unique per channel: the platform's event id (Shopify: X-Shopify-Event-Id, else X-Shopify-Webhook-Id). */
  deliveryId: string;
  topic: string;
  /** When the platform says the event happened (Shopify: X-Shopify-Triggered-At), if it says. */
  triggeredAt: Date | null;
}

export type WebhookVerdict =
  | { ok: true; delivery: VerifiedDelivery }
  /** 401: signature missing or wrong. 400: headers missing/malformed. 422: a topic we do not take. */
  | { ok: false; status: 400 | 401 | 422; reason: string };

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** A platform that answers at once from the bytes and a shared secret (Shopify, Stripe, EasyPost). */
export interface WebhookAdapter {
  verify(rawBody: Buffer, headers: WebhookHeaders, secret: string): WebhookVerdict;
}

/** The channel a delivery was sent to, as the inbox read it (its row's id and sealed credentials). */
export interface WebhookChannelRef {
  id: string;
  credentialsCiphertext: string | null;
}

/**
 * A channel kind's adapter. It may answer later (eBay: the signing key is fetched by key id from
 * the platform, then cached), so the inbox awaits only when it is handed a promise: Shopify's
 * synchronous verdict keeps its ack path free of an extra await. A verify that throws (the key
 * could not be fetched for a passing reason) is answered 503, and the platform delivers again.
 */
export interface ChannelWebhookAdapter {
  verify(
    rawBody: Buffer,
    headers: WebhookHeaders,
    secret: string,
    channel: WebhookChannelRef,
  ): WebhookVerdict | Promise<WebhookVerdict>;
}
