import {
  Arg,
  Authorized,
  Field,
  ID,
  Int,
  ObjectType,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { OutboxMessage } from '../../domain/outbox/outbox-message.js';
import type { OutboxTopic } from '../../domain/outbox/outbox.js';
import { SYNC_PROGRESS_TOPIC, type SyncProgress } from '../../domain/channels/sync-progress.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';

@ObjectType('SyncProgress', { description: 'How far a pull of a channel’s orders has come.' })
export class SyncProgressNode {
  @Field(() => ID)
  channelId!: string;
  @Field(() => Int, { description: 'Orders read from the platform so far.' })
  pulled!: number;
  @Field(() => Int)
  created!: number;
  @Field(() => Int)
  updated!: number;
  @Field(() => Int)
  unchanged!: number;
  @Field(() => Int, { description: 'Orders put ON_HOLD (unknown SKU, missing address, currency mismatch).' })
  held!: number;
  @Field({ description: 'True on the last message of a pull.' })
  done!: boolean;
}

type Data = SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>;

function progressFeed({ args, context }: Data): AsyncIterable<OutboxMessage> {
  operationContext(context);
  const channelId = String(args.channelId ?? '').trim();
  // The feed is typed by outbox topic; progress shares its Redis transport without being one.
  return context.services.events.subscribe(
    SYNC_PROGRESS_TOPIC as OutboxTopic,
    (m) => (m.payload as unknown as SyncProgress).channelId === channelId,
  );
}

@Resolver()
export class SyncProgressResolver {
  @Authorized(allowed('syncProgress'))
  @Subscription(() => SyncProgressNode, {
    subscribe: progressFeed,
    description: 'Progress of every pull of one channel (scheduled, reconciliation, syncChannel or the CLI job).',
  })
  syncProgress(
    @Root() message: OutboxMessage | undefined,
    @Arg('channelId', () => ID) _channelId: string,
  ): SyncProgressNode {
    if (!message)
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        'Subscriptions are served over WebSocket (graphql-ws) at /graphql',
        {
          transport: 'graphql-ws',
        },
      );
    return { ...(message.payload as unknown as SyncProgress) };
  }
}
