import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client authenticated by key in connection_init, as a subscribing frontend connects. */
export function wsClient(base: string, key: string): Client {
  return createClient({
    url: `${base.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
}

export interface LiveSubscription<T> {
  /** Every `data[field]` received, in arrival order. */
  events: T[];
  /** Errors received (in `next` results or as a terminal error). */
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** Resolves once the server completed or errored the subscription. */
  ended: Promise<void>;
  /** Resolves when `done(events)` holds; rejects after `timeoutMs` describing what arrived. */
  waitFor(done: (events: T[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the subscription has ended (with an error) or rejects after `timeoutMs`. */
  waitForEnd(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export function subscribe<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> {
  const events: T[] = [];
  const errors: LiveSubscription<T>['errors'] = [];
  let finished = false;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const stop = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...(result.errors as LiveSubscription<T>['errors']));
        for (const value of Object.values(result.data ?? {})) events.push(value);
      },
      error: (error) => {
        errors.push(...(Array.isArray(error) ? error : [{ message: String((error as Error).message ?? error) }]));
        finished = true;
        end();
      },
      complete: () => {
        finished = true;
        end();
      },
    },
  );
  const poll = async (check: () => boolean, timeoutMs: number, what: () => string) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    events,
    errors,
    ended,
    waitFor: (done, timeoutMs = 15_000) =>
      poll(
        () => done(events),
        timeoutMs,
        () => `events; got ${JSON.stringify(events)} and errors ${JSON.stringify(errors)}`,
      ),
    waitForEnd: (timeoutMs = 15_000) =>
      poll(
        () => finished,
        timeoutMs,
        () => `the end; got ${JSON.stringify(events)}`,
      ),
    stop,
  };
}
