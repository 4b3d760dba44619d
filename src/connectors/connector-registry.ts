import { isAmazonCredentials, type ChannelCredentials } from '../domain/channels/channel-credentials.js';
import type { ChannelKind } from '../domain/channels/channel.entity.js';
import { AmazonConnector } from './amazon/amazon.connector.js';
import type { ChannelConnector } from './connector.js';
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
  switch (target.kind) {
    case 'shopify':
      if (isAmazonCredentials(target.credentials)) throw mismatch(target.kind);
      return new ShopifyConnector({ credentials: target.credentials, endpoint: target.endpoint });
    case 'amazon':
      if (!isAmazonCredentials(target.credentials)) throw mismatch(target.kind);
      return new AmazonConnector({ credentials: target.credentials, endpoint: target.endpoint });
    default:
      throw new Error(`No connector for channel kind "${String(target.kind)}": it has no platform to sync with`);
  }
}

function mismatch(kind: string): Error {
  return new Error(`The channel's stored credentials are not ${kind} credentials`);
}

/** The webhook adapter for a channel kind, or undefined when the kind takes no webhooks. */
export function webhookAdapterFor(kind: ChannelKind): WebhookAdapter | undefined {
  switch (kind) {
    case 'shopify':
      return shopifyWebhookAdapter;
    default:
      // Amazon (SQS notifications) and eBay come with the next channels issue; direct takes none.
      return undefined;
  }
}
