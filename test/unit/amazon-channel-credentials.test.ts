import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { connectorFor } from '../../src/connectors/connector-registry.js';
import { ShopifyConnector } from '../../src/connectors/shopify/shopify.connector.js';
import {
  isAmazonCredentials,
  webhookSecretOf,
  type AmazonCredentials,
  type ShopifyCredentials,
} from '../../src/domain/channels/channel-credentials.js';
import { openCredentials, sealCredentials } from '../../src/domain/channels/channel-secrets.js';
import { encryptCredentials } from '../../src/domain/channels/credentials-cipher.js';

const key = randomBytes(32);
const amazon: AmazonCredentials = {
  clientId: 'amzn1.application-oa2-client.abc',
  clientSecret: 'amzn1.oa2-cs.v1.SECRET',
  refreshToken: 'Atzr|REFRESH',
  sellerId: 'A2SELLER',
  region: 'eu',
  marketplaceIds: ['A1PA6795UKMFR9', 'A1F83G8C2ARO7P'],
};
const shopify: ShopifyCredentials = { shopDomain: 'a.myshopify.com', accessToken: 'shpat_x', webhookSecret: 'whs' };

describe('Amazon channel credentials', () => {
  it('are sealed and opened whole, and told apart from Shopify ones', () => {
    const stored = sealCredentials(key, 'amazon-eu', amazon);
    expect(stored).not.toContain('REFRESH');
    const opened = openCredentials(key, 'amazon-eu', stored);
    expect(opened).toEqual(amazon);
    expect(isAmazonCredentials(opened)).toBe(true);
    expect(isAmazonCredentials(openCredentials(key, 'shop', sealCredentials(key, 'shop', shopify)))).toBe(false);
  });

  it('keep only the known fields when opened', () => {
    const stored = encryptCredentials(
      key,
      'amazon-eu',
      JSON.stringify({ ...amazon, extra: 'dropped', region: 'moon' }),
    );
    const opened = openCredentials(key, 'amazon-eu', stored) as AmazonCredentials & { extra?: string };
    expect(opened.extra).toBeUndefined();
    // An unknown region falls back to North America rather than carrying a bad value further.
    expect(opened.region).toBe('na');
  });

  it('sign no webhooks: an Amazon channel has no webhook secret, a Shopify one its own', () => {
    expect(webhookSecretOf(amazon)).toBe('');
    expect(webhookSecretOf(shopify)).toBe('whs');
  });
});

describe('connectorFor', () => {
  it('gives an amazon channel the AmazonConnector, pointed at its endpoint override', () => {
    const connector = connectorFor({ kind: 'amazon', endpoint: 'http://127.0.0.1:9', credentials: amazon });
    expect(connector).toBeInstanceOf(AmazonConnector);
  });

  it('still gives a shopify channel the ShopifyConnector', () => {
    expect(connectorFor({ kind: 'shopify', endpoint: null, credentials: shopify })).toBeInstanceOf(ShopifyConnector);
  });

  it('refuses credentials of another kind than the channel', () => {
    expect(() => connectorFor({ kind: 'amazon', endpoint: null, credentials: shopify })).toThrow(
      'not amazon credentials',
    );
    expect(() => connectorFor({ kind: 'shopify', endpoint: null, credentials: amazon })).toThrow(
      'not shopify credentials',
    );
  });
});
