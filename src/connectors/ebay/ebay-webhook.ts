import type { ChannelWebhookAdapter, WebhookChannelRef } from '../webhook-adapter.js';
import { verifyEbayNotification } from './ebay-notification.js';
import type { EbayPublicKeys } from './ebay-public-keys.js';

/** The notification keys a channel's deliveries are checked with (fetched through its endpoint, with its app token). */
export type EbayKeysFor = (channel: WebhookChannelRef) => Promise<Pick<EbayPublicKeys, 'get'>>;

/**
 * eBay's notifications on the webhook inbox. eBay signs with its own key, not a secret shared
 * with the channel, so the secret the inbox hands over is unused: the key is found by the key id
 * the signature names, through the channel's own endpoint and application token (keysFor).
 */
export function ebayWebhookAdapter(keysFor: EbayKeysFor): ChannelWebhookAdapter {
  return {
    async verify(rawBody, headers, _secret, channel) {
      return verifyEbayNotification(rawBody, headers, await keysFor(channel));
    },
  };
}
