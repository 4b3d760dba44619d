import { Arg, Authorized, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { variantBySku } from '../../domain/catalog/catalog.service.js';
import { Variant } from '../../domain/catalog/variant.entity.js';
import { DomainError, ErrorCode, notFound } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { Location } from '../../domain/inventory/location.entity.js';
import type { OutboxPayloads, TopicMessage } from '../../domain/outbox/outbox-message.js';
import { channelFilterFor, scopedChannelId } from '../../domain/channels/channel-scope.js';
import { orderById } from '../../domain/orders/order-query.service.js';
import { ORDER_STATUSES } from '../../domain/orders/order-status.js';
import { allowed } from '../auth/policy.js';
import { assertMaxItems } from '../common/input-limits.js';
import { operationContext, type GraphQLContext } from '../context.js';
import {
  LowStockAlert,
  lowStockAlertOf,
  OrderEventRecorded,
  orderEventRecordedOf,
  OrderStatusChange,
  OrderStatusChangedFilter,
  orderStatusChangeOf,
  StockLevelChange,
  stockLevelChangeOf,
} from './event.types.js';

/**
 * Live events over graphql-ws. Each subscription checks its arguments and the caller's scope
 * once (unknown or out-of-scope ids are NOT_FOUND, as for queries), then reads the committed
 * events of one topic from the event feed, filtered here on the server: a channel-scoped key
 * never receives another channel's order events. Stock is not channel-scoped (as the stock
 * queries), so stock events go to any key allowed by the policy.
 */
type Data = SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>;
type Keep<T extends keyof OutboxPayloads> = (payload: OutboxPayloads[T]) => boolean;

function feed<T extends keyof OutboxPayloads>(
  ctx: GraphQLContext,
  topic: T,
  keep: Keep<T>,
): AsyncIterable<TopicMessage<T>> {
  return ctx.services.events.subscribe(topic, (m) => keep(m.payload as OutboxPayloads[T])) as AsyncIterable<
    TopicMessage<T>
  >;
}

/** Over HTTP POST a subscription runs once with no event; say where subscriptions live instead. */
function delivered<T>(message: T | undefined): T {
  if (message === undefined || message === null) {
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      'Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP',
      {
        transport: 'graphql-ws',
      },
    );
  }
  return message;
}

async function orderStatusFeed({ args, context }: Data) {
  const ctx = operationContext(context);
  const f = (args.filter ?? {}) as OrderStatusChangedFilter;
  assertMaxItems('filter.statuses', f.statuses, ORDER_STATUSES.length);
  const scope = scopedChannelId(ctx.actor);
  const channel = channelFilterFor(ctx.actor, f.channelId);
  const orderId = f.orderId ?? null;
  if (orderId !== null) await orderById(ctx, orderId);
  const statuses = f.statuses?.length ? new Set<string>(f.statuses) : null;
  return feed(
    context,
    'order.status_changed',
    (p) =>
      (scope === null || p.channelId === scope) &&
      (channel === null || p.channelId === channel) &&
      (orderId === null || p.orderId === orderId) &&
      (statuses === null || statuses.has(p.to)),
  );
}

async function orderEventsFeed({ args, context }: Data) {
  const ctx = operationContext(context);
  const orderId = String(args.orderId);
  const scope = scopedChannelId(ctx.actor);
  await orderById(ctx, orderId);
  return feed(
    context,
    'order.event_recorded',
    (p) => p.orderId === orderId && (scope === null || p.channelId === scope),
  );
}

/** The variant and location a stock subscription is narrowed to, checked to exist. */
async function stockTarget(context: GraphQLContext, sku: unknown, locationId: unknown) {
  const ctx = operationContext(context);
  const variantId = typeof sku === 'string' ? (await variantBySku(ctx, sku)).id : null;
  const location = typeof locationId === 'string' ? locationId : null;
  if (location !== null && !(isUuid(location) && (await ctx.em.findOne(Location, { id: location }))))
    throw notFound('Location', location);
  return { variantId, location };
}

async function stockLevelFeed({ args, context }: Data) {
  const t = await stockTarget(context, args.sku, args.locationId);
  return feed(
    context,
    'stock.level_changed',
    (p) =>
      (t.variantId === null || p.variantId === t.variantId) && (t.location === null || p.locationId === t.location),
  );
}

async function lowStockFeed({ args, context }: Data) {
  const t = await stockTarget(context, undefined, args.locationId);
  return feed(context, 'stock.low', (p) => t.location === null || p.locationId === t.location);
}

/**
 * SKUs by variant id, shared by every subscription of this process, bounded. A variant's SKU
 * never changes, and an event reaches every subscription at once: a cache per subscription
 * made the first event of a variant cost one query per subscriber (1,000 queries for 1,000
 * subscribers, through a pool of 10). The lookup in flight is shared too.
 */
const skuByVariant = new Map<string, Promise<string>>();
const SKU_CACHE_SIZE = 5_000;

function skuOf(ctx: GraphQLContext, variantId: string): Promise<string> {
  const hit = skuByVariant.get(variantId);
  if (hit) return hit;
  // A fresh fork: the subscription's own EntityManager would keep every variant it ever saw.
  const lookup = ctx.em
    .fork()
    .findOne(Variant, { id: variantId }, { fields: ['sku'] })
    .then((variant) => variant?.sku ?? '');
  if (skuByVariant.size >= SKU_CACHE_SIZE) skuByVariant.delete(skuByVariant.keys().next().value!);
  skuByVariant.set(variantId, lookup);
  // A failed or empty lookup is not kept: the next event asks again.
  const forget = () => {
    if (skuByVariant.get(variantId) === lookup) skuByVariant.delete(variantId);
  };
  lookup.then((sku) => sku || forget(), forget);
  return lookup;
}

@Resolver()
export class SubscriptionsResolver {
  @Authorized(allowed('orderStatusChanged'))
  @Subscription(() => OrderStatusChange, {
    subscribe: orderStatusFeed,
    description:
      'Every committed status change of the orders the filter selects, each order’s in the order they happened. ' +
      'Delivery is at least once: skip an eventId already seen. NOT_FOUND for an orderId the key cannot see.',
  })
  orderStatusChanged(
    @Root() message: TopicMessage<'order.status_changed'>,
    @Arg('filter', () => OrderStatusChangedFilter, { nullable: true }) _filter: OrderStatusChangedFilter | null,
  ): OrderStatusChange {
    return orderStatusChangeOf(delivered(message));
  }

  @Authorized(allowed('orderEvents'))
  @Subscription(() => OrderEventRecorded, {
    subscribe: orderEventsFeed,
    description: 'Every entry committed to one order’s timeline, in order. NOT_FOUND for an order the key cannot see.',
  })
  orderEvents(
    @Root() message: TopicMessage<'order.event_recorded'>,
    @Arg('orderId', () => ID) _orderId: string,
  ): OrderEventRecorded {
    return orderEventRecordedOf(delivered(message));
  }

  @Authorized(allowed('stockLevelChanged'))
  @Subscription(() => StockLevelChange, {
    subscribe: stockLevelFeed,
    description: 'Committed stock level changes, optionally of one SKU and/or one location.',
  })
  async stockLevelChanged(
    @Root() message: TopicMessage<'stock.level_changed'>,
    @Arg('sku', () => String, { nullable: true }) sku: string | null,
    @Arg('locationId', () => ID, { nullable: true }) _locationId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelChange> {
    const m = delivered(message);
    return stockLevelChangeOf(m, sku?.trim() || (await skuOf(ctx, m.payload.variantId)));
  }

  @Authorized(allowed('lowStockAlerts'))
  @Subscription(() => LowStockAlert, {
    subscribe: lowStockFeed,
    description: 'A level fell to or below its reorder point (once per crossing), optionally at one location.',
  })
  async lowStockAlerts(
    @Root() message: TopicMessage<'stock.low'>,
    @Arg('locationId', () => ID, { nullable: true }) _locationId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LowStockAlert> {
    const m = delivered(message);
    return lowStockAlertOf(m, await skuOf(ctx, m.payload.variantId));
  }
}
