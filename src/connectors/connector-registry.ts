import {
  isAmazonCredentials,
  isEbayCredentials,
  isShopifyCredentials,
  type ChannelCredentials,
} from '../domain/channels/channel-credentials.js';
import type { ChannelKind } from '../domain/channels/channel.entity.js';
import { AmazonConnector } from './amazon/amazon.connector.js';
import type { ChannelConnector } from './connector.js';
import { EbayConnector } from './ebay/ebay.connector.js';
import { ShopifyConnector } from './shopify/shopify.connector.js';
import { shopifyWebhookAdapter } from './shopify/shopify-webhook.js';
import type { WebhookAdapter } from './webhook-adapter.js';

export interface ConnectorTarget {
  kind: ChannelKind;
  /** A base URL override (simulator or proxy); null for the platform itself. */
  endpoint: string | null;
  credentials: ChannelCredentials;
}

/** The connector for a channel. */
export function connectorFor(target: ConnectorTarget): ChannelConnector {
  const { credentials, endpoint } = target;
  // Each kind takes only its own platform's grant, told by a field only that grant has.
  switch (target.kind) {
    case 'shopify':
      if (!isShopifyCredentials(credentials)) throw mismatch(target.kind);
      return new ShopifyConnector({ credentials, endpoint });
    case 'ebay':
      if (!isEbayCredentials(credentials)) throw mismatch(target.kind);
      return new EbayConnector({ credentials, endpoint });
    case 'amazon':
      if (!isAmazonCredentials(credentials)) throw mismatch(target.kind);
      return new AmazonConnector({ credentials, endpoint });
    default:
      throw new Error(`No connector for channel kind "${String(target.kind)}": it has no platform to sync with`);
  }
}

function mismatch(kind: string): Error {
  return new Error(`The channel's stored credentials are not ${kind} credentials: they belong to another platform`);
}

/** The webhook adapter for a channel kind, or undefined when the kind takes no webhooks. */
export function webhookAdapterFor(kind: ChannelKind): WebhookAdapter | undefined {
  switch (kind) {
    case 'shopify':
      return shopifyWebhookAdapter;
    default:
      // Amazon (SQS notifications) comes with the next channels issue; eBay's notifications need
      // an asynchronous key lookup the inbox does not make yet (ebay-notification.ts); direct takes none.
      return undefined;
  }
}
