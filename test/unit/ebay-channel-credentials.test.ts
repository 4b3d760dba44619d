import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { connectorFor } from '../../src/connectors/connector-registry.js';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import { ShopifyConnector } from '../../src/connectors/shopify/shopify.connector.js';
import {
  isAmazonCredentials,
  isEbayCredentials,
  isShopifyCredentials,
  webhookSecretOf,
  type AmazonCredentials,
  type ChannelCredentials,
  type EbayCredentials,
  type ShopifyCredentials,
} from '../../src/domain/channels/channel-credentials.js';
import { openCredentials, sealCredentials } from '../../src/domain/channels/channel-secrets.js';

/**
 * The stored credentials carry no kind, and eBay's and Amazon's grants both hold a client id and
 * secret and a refresh token: each shape must be recognised as its own platform's only, both as
 * given and as read back from the sealed JSON, and a channel must take only its own platform's.
 */
const key = randomBytes(32);
const shopify: ShopifyCredentials = { shopDomain: 'a.myshopify.com', accessToken: 'shpat_x', webhookSecret: 'whs' };
const ebay: EbayCredentials = {
  clientId: 'Switchya-hub-PRD-0123456789-abcdef01',
  clientSecret: 'PRD-0123456789ab-cdef-0123-4567-89ab',
  refreshToken: 'v^1.1#i^1#r^1#REFRESH',
  verificationToken: 'a'.repeat(32),
  marketplaceId: 'EBAY_US',
};
const amazon: AmazonCredentials = {
  clientId: 'amzn1.application-oa2-client.abc',
  clientSecret: 'amzn1.oa2-cs.v1.SECRET',
  refreshToken: 'Atzr|REFRESH',
  sellerId: 'A2SELLER',
  region: 'eu',
  marketplaceIds: ['A1PA6795UKMFR9'],
};

const shapes: [string, ChannelCredentials][] = [
  ['shopify', shopify],
  ['ebay', ebay],
  ['amazon', amazon],
];
const kindOf = (c: ChannelCredentials): string[] =>
  [
    isShopifyCredentials(c) ? 'shopify' : null,
    isEbayCredentials(c) ? 'ebay' : null,
    isAmazonCredentials(c) ? 'amazon' : null,
  ].filter((k): k is string => k !== null);

describe('channel credentials: each shape is its own platform only', () => {
  it.each(shapes)('%s credentials are recognised as that platform’s alone', (kind, credentials) => {
    expect(kindOf(credentials)).toEqual([kind]);
  });

  it.each(shapes)(
    '%s credentials are read back from the stored JSON whole, as that platform’s alone',
    (kind, credentials) => {
      const opened = openCredentials(key, `ch-${kind}`, sealCredentials(key, `ch-${kind}`, credentials));
      expect(opened).toEqual(credentials);
      expect(kindOf(opened)).toEqual([kind]);
    },
  );

  it('a refresh token alone does not make a grant eBay’s or Amazon’s', () => {
    // Both hold one; what tells them apart is the verification token (eBay) or the seller (Amazon).
    expect(isEbayCredentials(amazon)).toBe(false);
    expect(isAmazonCredentials(ebay)).toBe(false);
  });

  it('only Shopify credentials carry a webhook secret', () => {
    expect(webhookSecretOf(shopify)).toBe('whs');
    expect(webhookSecretOf(ebay)).toBe('');
    expect(webhookSecretOf(amazon)).toBe('');
  });

  it.each([
    ['shopify', ShopifyConnector],
    ['ebay', EbayConnector],
    ['amazon', AmazonConnector],
  ] as const)('kind %s gets its connector for its own credentials and refuses the others', (kind, type) => {
    for (const [owner, credentials] of shapes) {
      const build = () => connectorFor({ kind, endpoint: 'http://127.0.0.1:9', credentials });
      if (owner === kind) expect(build()).toBeInstanceOf(type);
      else expect(build).toThrow(`not ${kind} credentials`);
    }
  });
});
