import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { OutboxPayloads, TopicMessage } from '../../domain/outbox/outbox-message.js';
import type { OrderStatus } from '../../domain/orders/order-status.js';
import { OrderStatusEnum } from '../orders/order.types.js';

/**
 * Subscription payloads: small flat DTOs built from the published outbox message, never from
 * entities (an event describes the change as committed, not the order as it is now). Every one
 * carries `eventId`, the outbox id: delivery is at least once, so a client that reconnects may
 * see an id again and should skip it.
 */

@InputType({ description: 'Which status changes to receive; all optional, combined with AND.' })
export class OrderStatusChangedFilter {
  @Field(() => ID, { nullable: true })
  orderId?: string | null;

  @Field(() => String, { nullable: true, description: 'A channel-scoped key always receives its own channel only.' })
  channelId?: string | null;

  @Field(() => [OrderStatusEnum], { nullable: true, description: 'Changes into any of these statuses.' })
  statuses?: OrderStatus[] | null;
}

@ObjectType({ description: 'An order moved from one status to another (committed).' })
export class OrderStatusChange {
  @Field(() => ID, { description: 'The event id; ids of one order grow in the order its changes happened.' })
  eventId!: string;

  @Field(() => ID)
  orderId!: string;

  @Field()
  number!: string;

  @Field()
  channelId!: string;

  @Field(() => OrderStatusEnum)
  from!: OrderStatus;

  @Field(() => OrderStatusEnum)
  to!: OrderStatus;

  @Field()
  reason!: string;

  @Field(() => GraphQLDateTimeISO)
  at!: string;
}

@ObjectType({ description: 'An entry was added to an order’s timeline (committed).' })
export class OrderEventRecorded {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  orderId!: string;

  @Field()
  channelId!: string;

  @Field({ description: 'placed, status_changed, sourced, …' })
  type!: string;

  @Field(() => OrderStatusEnum, { nullable: true })
  fromStatus!: OrderStatus | null;

  @Field(() => OrderStatusEnum, { nullable: true })
  toStatus!: OrderStatus | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field({ description: 'api_key or system.' })
  actorKind!: string;

  @Field()
  actorId!: string;

  @Field(() => GraphQLDateTimeISO)
  at!: string;
}

/** The fields every stock event carries: which level, its figures, and when. */
@ObjectType()
abstract class StockLevelEventFields {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  variantId!: string;

  @Field()
  sku!: string;

  @Field(() => ID)
  locationId!: string;

  @Field(() => Int)
  onHand!: number;

  @Field(() => Int)
  reserved!: number;

  @Field(() => Int)
  available!: number;

  @Field(() => Int)
  reorderPoint!: number;

  @Field(() => GraphQLDateTimeISO)
  at!: string;
}

@ObjectType({ description: 'A stock level changed (committed); available = onHand − reserved − safetyStock.' })
export class StockLevelChange extends StockLevelEventFields {
  @Field(() => Int)
  safetyStock!: number;
}

@ObjectType({ description: 'A stock level fell to or below its reorder point (once per crossing).' })
export class LowStockAlert extends StockLevelEventFields {}

export function orderStatusChangeOf(m: TopicMessage<'order.status_changed'>): OrderStatusChange {
  const p = m.payload;
  return {
    eventId: String(m.id),
    orderId: p.orderId,
    number: p.number,
    channelId: p.channelId,
    from: p.from,
    to: p.to,
    reason: p.reason,
    at: p.at,
  };
}

export function orderEventRecordedOf(m: TopicMessage<'order.event_recorded'>): OrderEventRecorded {
  const p = m.payload;
  return {
    eventId: String(m.id),
    orderId: p.orderId,
    channelId: p.channelId,
    type: p.type,
    fromStatus: p.fromStatus ?? null,
    toStatus: p.toStatus ?? null,
    reason: p.reason ?? null,
    actorKind: p.actorKind,
    actorId: p.actorId,
    at: p.at,
  };
}

export function stockLevelChangeOf(m: TopicMessage<'stock.level_changed'>, sku: string): StockLevelChange {
  const p: OutboxPayloads['stock.level_changed'] = m.payload;
  return {
    eventId: String(m.id),
    variantId: p.variantId,
    sku,
    locationId: p.locationId,
    onHand: p.onHand,
    reserved: p.reserved,
    safetyStock: p.safetyStock,
    reorderPoint: p.reorderPoint,
    available: p.available,
    at: m.createdAt,
  };
}

export function lowStockAlertOf(m: TopicMessage<'stock.low'>, sku: string): LowStockAlert {
  const p = m.payload;
  return {
    eventId: String(m.id),
    variantId: p.variantId,
    sku,
    locationId: p.locationId,
    onHand: p.onHand,
    reserved: p.reserved,
    available: p.available,
    reorderPoint: p.reorderPoint,
    at: p.at ?? m.createdAt,
  };
}
