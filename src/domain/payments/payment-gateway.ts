/**
 * Port: a card payment gateway that authorises now and captures later (Stripe first,
 * src/connectors/stripe). Unlike `PaymentProvider` (manual, channel), it is never called inside
 * an order's transaction: jobs call it from committed outbox events, each call with our own
 * deterministic idempotency key stored before the call (`order-<id>-capture-<n>`), so a
 * retried job repeats the same request and the gateway answers it from its idempotency store.
 * Amounts are integer minor units; currencies lower-case ISO 4217 as the gateway speaks them.
 */

/** The gateway's own intent states (Stripe's PaymentIntent `status`, unchanged). */
export type GatewayIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface GatewayIntent {
  /** The gateway's id (`pi_…`). */
  id: string;
  status: GatewayIntentStatus;
  amount: number;
  /** Still capturable (authorised, not yet captured or released). */
  amountCapturable: number;
  /** Captured so far. */
  amountReceived: number;
  currency: string;
  /** What a storefront needs to confirm the payment itself (3-D Secure, no method given yet). */
  clientSecret: string | null;
  /** Set after a decline: the gateway's code (`card_declined`) and decline code (`insufficient_funds`). */
  lastError: { code: string | null; declineCode: string | null; message: string } | null;
  /** `redirect_to_url`, `use_stripe_sdk`, … when status is `requires_action`. */
  nextAction: string | null;
  /** When the authorisation lapses (the charge's `capture_before`), ISO-8601 UTC; null if not authorised. */
  captureBefore: string | null;
  /** Why it was cancelled (`requested_by_customer`, `abandoned`, `automatic` for an expired hold). */
  cancellationReason: string | null;
  /** The key-value metadata the hub set (`orderId`). */
  metadata: Record<string, string>;
}

export interface GatewayRefund {
  /** The gateway's id (`re_…`). */
  id: string;
  intentId: string;
  amount: number;
  currency: string;
  /** `pending`, `succeeded`, `failed`, `canceled`, `requires_action`. */
  status: string;
}

/**
 * Why a call failed, so a job knows what to do:
 * - `declined`: the card said no (payment goes ON_HOLD with the reason; no retry);
 * - `invalid`: the request can never succeed (bad state, amount too large, key reused with other
 *   parameters): no retry, the job fails visibly;
 * - `transient`: timeout, connection dropped, 5xx, 429: retry with the same idempotency key.
 */
export type GatewayErrorKind = 'declined' | 'invalid' | 'transient';

export class PaymentGatewayError extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly details: {
      code?: string | null;
      declineCode?: string | null;
      httpStatus?: number | null;
      /** The intent as the error returned it (a decline carries it). */
      intent?: GatewayIntent | null;
    } = {},
  ) {
    super(message);
    this.name = 'PaymentGatewayError';
  }
}

export interface CreateIntentRequest {
  orderId: string;
  amount: number;
  currency: string;
  /** A payment method id (`pm_card_visa`, …). Without one the intent waits for the storefront. */
  paymentMethod: string | null;
  /** Receipt and Radar context; optional. */
  customerEmail: string | null;
  idempotencyKey: string;
}

export interface PaymentGateway {
  readonly id: string;
  /** Creates (and with a payment method, confirms) an intent with manual capture. */
  createIntent(request: CreateIntentRequest): Promise<GatewayIntent>;
  /** Re-reads an intent: webhooks come unordered, so the current state is read, not inferred. */
  retrieveIntent(intentId: string): Promise<GatewayIntent>;
  /** Captures `amount` (≤ capturable); `final` releases the rest, else more may be captured later. */
  capture(request: {
    intentId: string;
    amount: number;
    final: boolean;
    idempotencyKey: string;
  }): Promise<GatewayIntent>;
  /** Releases an uncaptured authorisation (void). */
  cancel(request: {
    intentId: string;
    reason: 'requested_by_customer' | 'abandoned' | 'fraudulent' | 'duplicate';
    idempotencyKey: string;
  }): Promise<GatewayIntent>;
  /** Gives back captured money; `amount` ≤ captured − refunded. */
  refund(request: {
    intentId: string;
    amount: number;
    reason: string | null;
    idempotencyKey: string;
  }): Promise<GatewayRefund>;
}
