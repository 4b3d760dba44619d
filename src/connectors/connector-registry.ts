import { isEbayCredentials, type ChannelCredentials } from '../domain/channels/channel-credentials.js';
import type { ChannelKind } from '../domain/channels/channel.entity.js';
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
  switch (target.kind) {
    case 'shopify':
      if (isEbayCredentials(credentials)) break;
      return new ShopifyConnector({ credentials, endpoint });
    case 'ebay':
      if (!isEbayCredentials(credentials)) break;
      return new EbayConnector({ credentials, endpoint });
    default:
      throw new Error(`No connector for channel kind "${String(target.kind)}": it has no platform to sync with`);
  }
  throw new Error(`Channel kind "${target.kind}" holds credentials of another platform`);
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
