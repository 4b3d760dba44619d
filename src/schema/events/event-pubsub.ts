import { Repeater } from '@graphql-yoga/subscription';
import type { OutboxMessage } from '../../domain/outbox/outbox-message.js';
import type { OutboxTopic } from '../../domain/outbox/outbox.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';

/**
 * The feed of committed domain events that subscriptions read, by topic. The API processes
 * build it on a Redis event target fed by the outbox relay (so every process sees every event);
 * the default, for `emit-schema` and tests without Redis, is an in-process EventTarget.
 * It is also the `pubSub` type-graphql requires once a schema has subscriptions.
 */
export interface EventPubSub {
  publish(topic: OutboxTopic, message: OutboxMessage): void;
  /** Every message of `topic` from now on, each id once, until the iterator is returned. */
  subscribe(topic: OutboxTopic): AsyncIterable<OutboxMessage>;
}

export interface EventPubSubOptions {
  /** Where events travel; default: in this process only. */
  eventTarget?: EventTarget;
  /** The event type (Redis channel) of a topic; default: the topic itself. */
  channelOf?: (topic: OutboxTopic) => string;
  /**
   * How many events one subscription may have undelivered before it is ended with UNAVAILABLE.
   * A client that stops reading its socket must not grow the server's memory without bound,
   * and silently dropping events would break "every change, in order".
   */
  maxPending?: number;
}

/** Ids remembered per subscription to drop redeliveries (the relay publishes at least once). */
const DEDUPE_WINDOW = 10_000;
/** The repeater refuses more than 1,024 pushes in flight; stay below it. */
const MAX_PENDING = 1_000;

export function createEventPubSub(options: EventPubSubOptions = {}): EventPubSub {
  const target = options.eventTarget ?? new EventTarget();
  const channelOf = options.channelOf ?? ((topic: OutboxTopic) => topic);
  const maxPending = Math.min(options.maxPending ?? MAX_PENDING, MAX_PENDING);
  return {
    publish(topic, message) {
      target.dispatchEvent(new CustomEvent(channelOf(topic), { detail: message }));
    },
    subscribe(topic) {
      return eventStream(target, channelOf(topic), maxPending);
    },
  };
}

function isOutboxMessage(value: unknown): value is OutboxMessage {
  const m = value as Partial<OutboxMessage> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'number' &&
    typeof m.payload === 'object' &&
    m.payload !== null
  );
}

function eventStream(target: EventTarget, channel: string, maxPending: number): AsyncIterable<OutboxMessage> {
  return new Repeater<OutboxMessage>(async (push, stop) => {
    const seen = new Set<number>();
    let pending = 0;
    const listener = (event: Event) => {
      const message = (event as CustomEvent<unknown>).detail;
      if (!isOutboxMessage(message) || seen.has(message.id)) return;
      seen.add(message.id);
      if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
      if (pending >= maxPending) {
        stop(
          new DomainError(
            ErrorCode.UNAVAILABLE,
            `Subscription ended: more than ${maxPending} events were waiting for this client. Subscribe again.`,
          ),
        );
        return;
      }
      pending++;
      // Resolves once the consumer has taken the value (or the subscription has ended).
      push(message).then(
        () => pending--,
        () => pending--,
      );
    };
    target.addEventListener(channel, listener);
    await stop;
    target.removeEventListener(channel, listener);
  });
}
