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

export interface WebhookAdapter {
  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, secret: string): WebhookVerdict;
}
