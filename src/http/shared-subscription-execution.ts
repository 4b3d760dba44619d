import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Principal } from '../domain/auth/principal.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Runs a subscription's selection once per event for every subscriber that would get the same
 * answer, instead of once per subscriber.
 *
 * An event reaches every subscription of a process at once (one listener per channel), and
 * graphql-js executes the selection for each of them: with 500 subscribers on a process, one
 * event cost 500 executions back to back, which delayed the last delivery by tens of
 * milliseconds. Subscribers that sent the same document with the same variables under the same
 * role and channel scope get the same result — the payload is built from the event alone and
 * authorisation depends on nothing else of the caller — so the first execution's result is
 * shared, keyed on the event object itself (a WeakMap: it is forgotten with the event).
 * The event filter (which events a subscriber receives) still runs per subscription.
 */
export class SharedSubscriptionExecution {
  /** The sharing key of each subscription's parsed document (one parse per subscription). */
  private readonly keys = new WeakMap<DocumentNode, string>();
  private readonly results = new WeakMap<object, Map<string, Result>>();

  /** Remembers who asked what, for the document `onSubscribe` parsed. */
  register(
    document: DocumentNode,
    request: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
    principal: Principal | null,
  ): void {
    this.keys.set(
      document,
      JSON.stringify([
        principal?.kind ?? null,
        principal?.role ?? null,
        principal?.channelId ?? null,
        request.operationName ?? null,
        request.query,
        request.variables ?? null,
      ]),
    );
  }

  /** graphql-ws's `subscribe`: graphql-js's own, except that each event's execution is shared. */
  readonly subscribe = async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const key = this.keys.get(args.document);
    const run = (event: unknown): Result => execute({ ...args, rootValue: event });
    return mapEvents(stream, (event) =>
      key === undefined || !isObject(event) ? run(event) : this.sharedRun(event, key, run),
    );
  };

  private sharedRun(event: object, key: string, run: (event: unknown) => Result): Result {
    let byKey = this.results.get(event);
    if (!byKey) {
      byKey = new Map();
      this.results.set(event, byKey);
    }
    let result = byKey.get(key);
    if (result === undefined) {
      result = run(event);
      byKey.set(key, result);
    }
    return result;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return isObject(value) && typeof (value as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

/**
 * The stream with each event mapped, as a plain iterator over the source: one promise per event
 * instead of another queued stream (a Repeater per subscription cost a third of the api's CPU
 * when one event reached 500 subscriptions). Ending it ends the source.
 */
function mapEvents(
  source: AsyncIterable<unknown>,
  mapper: (event: unknown) => Result,
): AsyncGenerator<ExecutionResult, void, void> {
  const events = source[Symbol.asyncIterator]();
  const done = (): IteratorResult<ExecutionResult, void> => ({ done: true, value: undefined });
  const iterator: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      const step = await events.next();
      return step.done ? done() : { done: false, value: await mapper(step.value) };
    },
    async return() {
      await events.return?.();
      return done();
    },
    async throw(error: unknown) {
      if (events.throw) await events.throw(error);
      else await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async [Symbol.asyncDispose]() {
      await events.return?.();
    },
  };
  return iterator;
}
