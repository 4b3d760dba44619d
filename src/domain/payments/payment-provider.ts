/**
 * Port: how the domain takes payment. Stripe implements it later (connectors); until then the
 * `manual` provider records payment taken offline or already taken on the channel.
 */
export interface PaymentAuthorization {
  provider: string;
  reference: string;
  amount: number;
  currency: string;
}

/** Gives back (part of) an earlier authorisation or payment, identified by its `reference`. */
export interface PaymentReversalRequest {
  orderId: string;
  /** The reference `authorize` returned. */
  reference: string;
  /** Integer minor units, > 0. */
  amount: number;
  currency: string;
  idempotencyKey: string;
  reason: string;
}

/** What a void or refund did; `reference` is the provider's id for it (a refund id, say). */
export interface PaymentReversal {
  provider: string;
  reference: string;
  amount: number;
  currency: string;
}

export interface PaymentProvider {
  readonly id: string;
  /** Authorises the order's total; must be idempotent per `idempotencyKey`. */
  authorize(request: {
    orderId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
  }): Promise<PaymentAuthorization>;
  /**
   * Releases `amount` of an authorisation that was not captured (cancelled units, a smaller
   * edited order). A provider that cannot release part of a hold captures that much less later.
   * Idempotent per `idempotencyKey`.
   */
  void(request: PaymentReversalRequest): Promise<PaymentReversal>;
  /** Returns `amount` of money already taken (returns, cancelled paid orders). Idempotent per `idempotencyKey`. */
  refund(request: PaymentReversalRequest): Promise<PaymentReversal>;
}

export const manualPaymentProvider: PaymentProvider = {
  id: 'manual',
  async authorize({ orderId, amount, currency }) {
    return { provider: 'manual', reference: `manual-${orderId}`, amount, currency };
  },
  // Money moved offline or on the channel: the hub only records what was given back.
  async void({ amount, currency, idempotencyKey }) {
    return { provider: 'manual', reference: `manual-void-${idempotencyKey}`, amount, currency };
  },
  async refund({ amount, currency, idempotencyKey }) {
    return { provider: 'manual', reference: `manual-refund-${idempotencyKey}`, amount, currency };
  },
};
