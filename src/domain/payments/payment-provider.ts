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

export interface PaymentProvider {
  readonly id: string;
  /** Authorises the order's total; must be idempotent per `idempotencyKey`. */
  authorize(request: { orderId: string; amount: number; currency: string; idempotencyKey: string }): Promise<PaymentAuthorization>;
}

export const manualPaymentProvider: PaymentProvider = {
  id: 'manual',
  async authorize({ orderId, amount, currency }) {
    return { provider: 'manual', reference: `manual-${orderId}`, amount, currency };
  },
};
