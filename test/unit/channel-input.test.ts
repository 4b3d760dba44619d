import { describe, expect, it } from '@jest/globals';
import { slugOf, validEndpoint, validShopifyCredentials } from '../../src/domain/channels/channel-input.js';
import { DomainError } from '../../src/domain/errors.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return String(error.details.field);
    throw error;
  }
  return undefined;
};

describe('channel input rules', () => {
  it.each([
    ['Shopify EU', 'shopify-eu'],
    ['  Ünïcodé   Störe!! ', 'unicode-store'],
    ['***', 'shopify'],
    ['a'.repeat(80), 'a'.repeat(56)],
  ])('slug of %p is %p', (name, slug) => {
    expect(slugOf(name, 'shopify')).toBe(slug);
    expect(slug).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('allows http endpoints outside production only', () => {
    expect(validEndpoint('http://127.0.0.1:8080/', { httpsOnly: false })).toBe('http://127.0.0.1:8080');
    expect(fieldOf(() => validEndpoint('http://127.0.0.1:8080', { httpsOnly: true }))).toBe('endpoint');
    expect(validEndpoint('https://proxy.example.com/shopify/', { httpsOnly: true })).toBe(
      'https://proxy.example.com/shopify',
    );
    expect(validEndpoint('  ', { httpsOnly: true })).toBeNull();
    expect(validEndpoint(null, { httpsOnly: true })).toBeNull();
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'https://x.example/?token=1',
    'https://a:b@x.example',
    '/relative',
  ])('refuses the endpoint %p', (value) => {
    expect(fieldOf(() => validEndpoint(value, { httpsOnly: false }))).toBe('endpoint');
  });

  it('wants a myshopify.com domain unless an endpoint is set', () => {
    const creds = { shopDomain: 'My-Store.myshopify.com', accessToken: ' shpat_1 ', webhookSecret: 's' };
    expect(validShopifyCredentials(creds, null)).toEqual({
      shopDomain: 'my-store.myshopify.com',
      accessToken: 'shpat_1',
      webhookSecret: 's',
    });
    expect(fieldOf(() => validShopifyCredentials({ ...creds, shopDomain: 'shop.example.com' }, null))).toBe(
      'credentials.shopDomain',
    );
    expect(
      fieldOf(() => validShopifyCredentials({ ...creds, shopDomain: 'evil.myshopify.com.example.com' }, null)),
    ).toBe('credentials.shopDomain');
    expect(
      validShopifyCredentials({ ...creds, shopDomain: 'localhost:9000' }, 'http://127.0.0.1:9000').shopDomain,
    ).toBe('localhost:9000');
    expect(fieldOf(() => validShopifyCredentials(null, null))).toBe('credentials');
  });
});
