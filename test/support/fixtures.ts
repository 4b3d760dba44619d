import { readFileSync } from 'node:fs';

/** The official Shopify webhook payloads kept in the repository (test/fixtures/shopify). */
export const SHOPIFY_FIXTURES = new URL('../fixtures/shopify/', import.meta.url);

/** One fixture file's JSON (the payload is under `response`). */
export function shopifyFixture<T = { response: unknown }>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, SHOPIFY_FIXTURES), 'utf8')) as T;
}
