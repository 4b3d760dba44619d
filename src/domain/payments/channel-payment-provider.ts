import type { PaymentProvider } from './payment-provider.js';

/** The provider name the timeline records for money the sales channel took or gave back. */
export const CHANNEL_PAYMENT_PROVIDER = 'channel';

/**
 * Marketplace orders arrive paid: the channel captured the money before the hub saw the order,
 * and refunds of a channel order are made on the channel. This provider moves no money; it only
 * lets the lifecycle code record, under provider `channel`, what the channel did.
 */
export function channelPaymentProvider(channelId: string): PaymentProvider {
  return {
    id: CHANNEL_PAYMENT_PROVIDER,
    async authorize({ orderId, amount, currency }) {
      return { provider: CHANNEL_PAYMENT_PROVIDER, reference: `${channelId}:${orderId}`, amount, currency };
    },
    async void({ amount, currency, idempotencyKey }) {
      return { provider: CHANNEL_PAYMENT_PROVIDER, reference: `${channelId}:void:${idempotencyKey}`, amount, currency };
    },
    async refund({ amount, currency, idempotencyKey }) {
      return {
        provider: CHANNEL_PAYMENT_PROVIDER,
        reference: `${channelId}:refund:${idempotencyKey}`,
        amount,
        currency,
      };
    },
  };
}
