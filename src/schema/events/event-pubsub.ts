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
  /**
   * Every message of `topic` from now on that `keep` accepts (default: all), each id once, until
   * the iterator is returned. Filtering here, before the message is queued for the subscriber,
   * spares a thousand subscriptions a queue hop each for events they would drop anyway.
   */
  subscribe(topic: OutboxTopic, keep?: (message: OutboxMessage) => boolean): AsyncIterable<OutboxMessage>;
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

/** Ids remembered per channel and process to drop redeliveries (the relay publishes at least once). */
const DEDUPE_WINDOW = 10_000;
/** The repeater refuses more than 1,024 pushes in flight; stay below it. */
const MAX_PENDING = 1_000;

type Deliver = (message: OutboxMessage) => void;

/**
 * One listener per channel and process, however many subscriptions read it: a redelivered
 * event is recognised once here (one window of ids, not one per subscription — a thousand
 * subscribers would otherwise hold a thousand copies), then handed to every subscription.
 */
class ChannelFan {
  private readonly seen = new Set<number>();
  private readonly subscribers = new Set<Deliver>();
  private readonly listener = (event: Event) => {
    const message = (event as CustomEvent<unknown>).detail;
    if (!isOutboxMessage(message) || this.seen.has(message.id)) return;
    this.seen.add(message.id);
    if (this.seen.size > DEDUPE_WINDOW) this.seen.delete(this.seen.values().next().value!);
    for (const deliver of this.subscribers) deliver(message);
  };

  constructor(
    private readonly target: EventTarget,
    private readonly channel: string,
    private readonly onEmpty: () => void,
  ) {}

  add(deliver: Deliver): void {
    if (this.subscribers.size === 0) this.target.addEventListener(this.channel, this.listener);
    this.subscribers.add(deliver);
  }

  remove(deliver: Deliver): void {
    this.subscribers.delete(deliver);
    if (this.subscribers.size > 0) return;
    this.target.removeEventListener(this.channel, this.listener);
    this.onEmpty();
  }
}

export function createEventPubSub(options: EventPubSubOptions = {}): EventPubSub {
  const target = options.eventTarget ?? new EventTarget();
  const channelOf = options.channelOf ?? ((topic: OutboxTopic) => topic);
  const maxPending = Math.min(options.maxPending ?? MAX_PENDING, MAX_PENDING);
  const fans = new Map<string, ChannelFan>();
  const fanOf = (channel: string): ChannelFan => {
    let fan = fans.get(channel);
    if (!fan) {
      fan = new ChannelFan(target, channel, () => fans.delete(channel));
      fans.set(channel, fan);
    }
    return fan;
  };
  return {
    publish(topic, message) {
      target.dispatchEvent(new CustomEvent(channelOf(topic), { detail: message }));
    },
    subscribe(topic, keep) {
      return eventStream(() => fanOf(channelOf(topic)), maxPending, keep);
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

function eventStream(
  fanOf: () => ChannelFan,
  maxPending: number,
  keep?: (message: OutboxMessage) => boolean,
): AsyncIterable<OutboxMessage> {
  return new Repeater<OutboxMessage>(async (push, stop) => {
    let pending = 0;
    const deliver: Deliver = (message) => {
      if (keep && !keep(message)) return;
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
    // Looked up when the subscription starts, so an emptied fan (removed) is never reused.
    const fan = fanOf();
    fan.add(deliver);
    await stop;
    fan.remove(deliver);
  });
}
