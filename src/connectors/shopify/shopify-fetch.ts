import '@shopify/shopify-api/adapters/node';
import { AsyncLocalStorage } from 'node:async_hooks';
import { abstractFetch, setAbstractFetchFunc } from '@shopify/shopify-api/runtime';

/**
 * @shopify/shopify-api sends every request through one process-wide fetch hook and always to
 * `https://<shop>/admin/api/…` (it forces https, CONNECTORS.md §1). To point one channel at a
 * simulator or proxy without touching the others, the connector runs each request inside
 * `withEndpoint(endpoint, …)`; the hook below reads that from AsyncLocalStorage and rewrites the
 * origin to the endpoint's. Requests outside it (a channel on real Shopify) go out unchanged. No
 * shop→endpoint map, so two channels on the same shop domain can still have different endpoints.
 */
const endpointOf = new AsyncLocalStorage<string>();

export function withEndpoint<T>(endpoint: string | null, run: () => Promise<T>): Promise<T> {
  return endpoint ? endpointOf.run(endpoint, run) : run();
}

/** The Shopify URL with its scheme, host and port replaced by the endpoint's (a path prefix is kept). */
export function rewriteUrl(url: string, endpoint: string): string {
  const target = new URL(url);
  const base = new URL(endpoint);
  const prefix = base.pathname.replace(/\/$/, '');
  return `${base.origin}${prefix}${target.pathname}${target.search}`;
}

const routedFetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
  const endpoint = endpointOf.getStore();
  if (!endpoint) return fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return fetch(rewriteUrl(url, endpoint), init);
};

/**
 * Installs the hook (again if something replaced it). The library reads the hook when a client
 * is constructed, so the connector calls this before each `new Graphql(...)`.
 */
export function installShopifyFetch(): void {
  if (abstractFetch !== routedFetch) setAbstractFetchFunc(routedFetch);
}

installShopifyFetch();
