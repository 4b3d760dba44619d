import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { eventChannel } from '../jobs/outbox-relay.js';
import { createEventPubSub, type EventPubSub } from '../schema/events/event-pubsub.js';

/**
 * The event feed of an API process: the Redis channels the outbox relay publishes on
 * (`<prefix>:events:<topic>`), subscribed while at least one subscription of a topic is open.
 * Every API process receives every event, whichever process or worker committed it.
 */
export function createRedisEventFeed(
  publishClient: Redis,
  subscribeClient: Redis,
  prefix: string,
  logger: Logger,
): EventPubSub {
  const eventTarget = createRedisEventTarget({
    publishClient,
    subscribeClient,
    serializer: {
      stringify: (message) => JSON.stringify(message),
      // A malformed message must not throw inside the Redis client's message handler.
      parse: (text) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          logger.warn({ length: text.length }, 'ignored a malformed event message');
          return null;
        }
      },
    },
  });
  return createEventPubSub({ eventTarget, channelOf: (topic) => eventChannel(prefix, topic) });
}
