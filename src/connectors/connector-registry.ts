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
import type { EbayQuota } from './ebay/ebay-quota.js';
import { ShopifyConnector } from './shopify/shopify.connector.js';
import { shopifyWebhookAdapter } from './shopify/shopify-webhook.js';
import type { ChannelWebhookAdapter } from './webhook-adapter.js';

export interface ConnectorTarget {
  kind: ChannelKind;
  /** A base URL override (simulator or proxy); null for the platform itself. */
  endpoint: string | null;
  credentials: ChannelCredentials;
  /** eBay: the app's daily quotas, by its app key (the hub's live in Redis); absent: not counted. */
  ebayQuota?: (app: { endpoint: string | null; clientId: string }) => EbayQuota;
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
      return new EbayConnector({
        credentials,
        endpoint,
        quota: target.ebayQuota?.({ endpoint, clientId: credentials.clientId }),
      });
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

/**
 * The webhook adapter for a channel kind, or undefined when the kind takes no webhooks. eBay's
 * needs the hub's key source (ebayWebhookAdapter over EbayNotificationKeys), so the caller hands
 * it in; without it eBay channels take no webhooks.
 */
export function webhookAdapterFor(kind: ChannelKind, ebay?: ChannelWebhookAdapter): ChannelWebhookAdapter | undefined {
  switch (kind) {
    case 'shopify':
      return shopifyWebhookAdapter;
    case 'ebay':
      return ebay;
    default:
      // Amazon's notifications come through SQS, not the inbox; direct takes none.
      return undefined;
  }
}

/** The kinds whose channels take deliveries at `/webhooks/<channelId>` (their detail shows the URL). */
export const WEBHOOK_KINDS: readonly ChannelKind[] = ['shopify', 'ebay'];
