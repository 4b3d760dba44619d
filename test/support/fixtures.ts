import { readFileSync } from 'node:fs';

/** The official Shopify webhook payloads kept in the repository (test/fixtures/shopify). */
export const SHOPIFY_FIXTURES = new URL('../fixtures/shopify/', import.meta.url);

/** One fixture file's JSON (the payload is under `response`). */
export function shopifyFixture<T = { response: unknown }>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, SHOPIFY_FIXTURES), 'utf8')) as T;
}

/** eBay's signed notification vectors (test/fixtures/ebay, copied unchanged from the shared fixtures). */
export interface EbaySignedVector {
  signature: string;
  message: unknown;
  response: { key: string; algorithm: string; digest: string } | null;
  public_key: string;
}

export function ebaySignedVectors(): Record<'VALID' | 'INVALID' | 'SIGNATURE_MISMATCH' | 'ERROR', EbaySignedVector> {
  const file = new URL('../fixtures/ebay/marketplace-account-deletion.signed-vectors.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof ebaySignedVectors>;
}

/** One of our eBay order files (test/fixtures/ebay/orders, written from eBay's `Order` model). */
export function ebayOrderFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/ebay/orders/${name}`, import.meta.url), 'utf8')) as T;
}

/** Amazon's official examples and API models kept in the repository (test/fixtures/amazon). */
export const AMAZON_FIXTURES = new URL('../fixtures/amazon/', import.meta.url);

/** One Amazon fixture or model file's JSON (`models/orders_2026-01-01.json` for a model). */
export function amazonFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, AMAZON_FIXTURES), 'utf8')) as T;
}
