import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSocket } from 'graphql-ws';

export interface ConsoleClient {
  client: Client;
  /** Closes the subscription socket (on sign-out). */
  dispose(): void;
}

/** Same host as the page: the hub serves the console, /graphql and its socket on one port. */
function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`;
}

/**
 * The GraphQL client of one signed-in session: queries and mutations POST to /graphql with the
 * session cookie and its CSRF token (the hub refuses a cookie without it); subscriptions run
 * over graphql-ws, the token in `connection_init`.
 */
export function createConsoleClient(csrfToken: string, onSessionEnded: () => void): ConsoleClient {
  const socket = createSocket({ url: socketUrl(), connectionParams: { csrfToken }, lazy: true, retryAttempts: 5 });
  const client = new Client({
    url: '/graphql',
    // POST always: a GET would be a "simple" request that Apollo's CSRF prevention refuses.
    preferGetMethod: false,
    fetchOptions: () => ({ credentials: 'same-origin', headers: { 'X-CSRF-Token': csrfToken } }),
    exchanges: [
      // A session that ended on the hub (expired, signed out elsewhere, user deactivated) answers
      // 401 or UNAUTHENTICATED (no cookie left): back to sign-in instead of an error on every screen.
      mapExchange({
        onError(error) {
          const unauthenticated =
            error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
          if (unauthenticated) onSessionEnded();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = socket.subscribe(operation, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void socket.dispose() };
}
