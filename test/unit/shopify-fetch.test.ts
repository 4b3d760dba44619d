import { describe, expect, it } from '@jest/globals';
import { rewriteUrl } from '../../src/connectors/shopify/shopify-fetch.js';

describe('rewriteUrl: a Shopify request pointed at a channel endpoint', () => {
  const shopify = 'https://store.myshopify.com/admin/api/2026-04/graphql.json';

  it.each([
    ['http://127.0.0.1:4321', 'http://127.0.0.1:4321/admin/api/2026-04/graphql.json'],
    ['http://127.0.0.1:4321/', 'http://127.0.0.1:4321/admin/api/2026-04/graphql.json'],
    ['https://proxy.example/shopify/eu', 'https://proxy.example/shopify/eu/admin/api/2026-04/graphql.json'],
  ])('sends to %s', (endpoint, expected) => {
    expect(rewriteUrl(shopify, endpoint)).toBe(expected);
  });

  it('keeps the query string', () => {
    expect(rewriteUrl(`${shopify}?x=1`, 'http://127.0.0.1:1')).toBe(
      'http://127.0.0.1:1/admin/api/2026-04/graphql.json?x=1',
    );
  });
});
