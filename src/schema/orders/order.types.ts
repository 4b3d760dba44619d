import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { OrderEvent } from '../../domain/orders/order-event.entity.js';
import type { OrderLine } from '../../domain/orders/order-line.entity.js';
import { ORDER_STATUSES, type OrderStatus } from '../../domain/orders/order-status.js';
import type { OrderRecord } from '../../domain/orders/order-record.js';
import { ORDER_SOURCES, type OrderSource } from '../../domain/orders/order.entity.js';
import { Address, addressOf } from '../common/address.type.js';
import { Money, moneyOf } from '../common/money.type.js';
import { PageInfo } from '../common/page-info.type.js';
import { enumOf, upperCaseEnumOf } from '../common/enum-of.js';

/** The GraphQL enum OrderStatus: the domain's 11 statuses, same names. */
export const OrderStatusEnum = enumOf(ORDER_STATUSES);
registerEnumType(OrderStatusEnum, {
  name: 'OrderStatus',
  description: 'Where an order is in its lifecycle. COMPLETED and CANCELLED are final.',
});

/** The GraphQL enum OrderSource: UPPER_CASE names for the stored lower-case sources. */
export const OrderSourceEnum = upperCaseEnumOf(ORDER_SOURCES);
registerEnumType(OrderSourceEnum, {
  name: 'OrderSource',
  description: 'How the order came in; channel orders are MARKETPLACE.',
});

@ObjectType({ description: 'What the order costs; total = subtotal + shipping + tax − discount.' })
export class OrderTotals {
  @Field(() => Money)
  subtotal!: Money;

  @Field(() => Money)
  shipping!: Money;

  @Field(() => Money)
  tax!: Money;

  @Field(() => Money)
  discount!: Money;

  @Field(() => Money)
  total!: Money;
}

/**
 * The GraphQL Order. `lines`, `customer`, `events`, `shipments` and `returns` are field resolvers (order-fields.resolver.ts)
 * batched per request with DataLoader (`payment` is derived from the `events` loader's timeline); `customerId` is carried for them and is not exposed.
 * Build one with `orderNodeOf(order)` wherever an operation returns an order.
 */
@ObjectType('Order', { description: 'An order from any channel.' })
export class OrderNode {
  @Field(() => ID)
  id!: string;

  @Field({
    description:
      'Readable number: SY-10001… for direct orders, the channel’s own number otherwise; unique per channel.',
  })
  number!: string;

  @Field()
  channelId!: string;

  @Field({ description: 'The order id on its channel (the number itself for direct orders).' })
  externalId!: string;

  @Field(() => OrderStatusEnum)
  status!: OrderStatus;

  @Field(() => Int, {
    description:
      'The optimistic version: every change moves it. Send it back as expectedVersion to refuse a change (CONFLICT) when the order moved on.',
  })
  version!: number;

  @Field(() => OrderSourceEnum)
  source!: OrderSource;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => Address, { nullable: true })
  shippingAddress!: Address | null;

  @Field(() => Address, { nullable: true, description: 'The billing address, when the order came with one.' })
  billingAddress!: Address | null;

  @Field({ description: 'ISO 4217 currency of every amount on the order.' })
  currency!: string;

  @Field(() => OrderTotals)
  totals!: OrderTotals;

  @Field(() => String, { nullable: true, description: 'Why the order is ON_HOLD, when it is.' })
  holdReason!: string | null;

  @Field(() => OrderStatusEnum, {
    nullable: true,
    description:
      'While ON_HOLD: the status it was held from. releaseOrderHold returns it to ALLOCATED, BACKORDERED or PARTIALLY_SHIPPED; held earlier, it is carried on as placement would.',
  })
  heldFromStatus!: OrderStatus | null;

  @Field(() => String, { nullable: true })
  purchaseOrderNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'B2B payment terms, e.g. NET30.' })
  paymentTerms!: string | null;

  @Field()
  placedAt!: Date;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  /** For the `customer` field resolver; not a GraphQL field. */
  customerId!: string | null;
}

/** From an `Order` entity or a plain `OrderRecord` (the orders list reads those). */
export function orderNodeOf(o: OrderRecord): OrderNode {
  const money = (amount: number) => moneyOf(amount, o.currency);
  return {
    id: o.id,
    number: o.number,
    channelId: o.channel.id,
    externalId: o.externalId,
    status: o.status,
    version: o.version,
    source: o.source,
    email: o.email ?? null,
    shippingAddress: o.shippingAddress ? addressOf(o.shippingAddress) : null,
    billingAddress: o.billingAddress ? addressOf(o.billingAddress) : null,
    currency: o.currency,
    totals: {
      subtotal: money(o.subtotalAmount),
      shipping: money(o.shippingAmount),
      tax: money(o.taxAmount),
      discount: money(o.discountAmount),
      total: money(o.totalAmount),
    },
    holdReason: o.holdReason ?? null,
    heldFromStatus: o.heldFromStatus ?? null,
    purchaseOrderNumber: o.purchaseOrderNumber ?? null,
    paymentTerms: o.paymentTerms ?? null,
    placedAt: o.placedAt,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    customerId: o.customer?.id ?? null,
  };
}

@ObjectType('OrderLine', { description: 'One line of an order; SKU, title and price as they were when it was placed.' })
export class OrderLineNode {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: '0-based position on the order.' })
  position!: number;

  @Field()
  sku!: string;

  @Field()
  title!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Money)
  unitPrice!: Money;

  @Field(() => Money)
  lineTotal!: Money;

  @Field(() => Int)
  quantityAllocated!: number;

  @Field(() => Int)
  quantityShipped!: number;

  @Field(() => Int)
  quantityCancelled!: number;
}

export function orderLineNodeOf(l: OrderLine, currency: string): OrderLineNode {
  return {
    id: l.id,
    position: l.position,
    sku: l.sku,
    title: l.title,
    quantity: l.quantity,
    unitPrice: moneyOf(l.unitPriceAmount, currency),
    lineTotal: moneyOf(l.lineTotalAmount, currency),
    quantityAllocated: l.quantityAllocated,
    quantityShipped: l.quantityShipped,
    quantityCancelled: l.quantityCancelled,
  };
}

@ObjectType('OrderEvent', { description: 'One entry of an order’s timeline: what happened, who did it and why.' })
export class OrderEventNode {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'placed, status_changed, sourced, …' })
  type!: string;

  @Field(() => OrderStatusEnum, { nullable: true })
  fromStatus!: OrderStatus | null;

  @Field(() => OrderStatusEnum, { nullable: true })
  toStatus!: OrderStatus | null;

  @Field({ description: 'api_key or system.' })
  actorKind!: string;

  @Field({ description: 'The API key id, "bootstrap" or "system".' })
  actorId!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Facts recorded with the event (amounts, reservations, references).',
  })
  data!: Record<string, unknown> | null;

  @Field()
  createdAt!: Date;
}

export function orderEventNodeOf(e: OrderEvent): OrderEventNode {
  return {
    id: String(e.id),
    type: e.type,
    fromStatus: (e.fromStatus ?? null) as OrderStatus | null,
    toStatus: (e.toStatus ?? null) as OrderStatus | null,
    actorKind: e.actorKind,
    actorId: e.actorId,
    reason: e.reason ?? null,
    data: e.data ?? null,
    createdAt: e.createdAt,
  };
}

@ObjectType()
export class OrderEdge {
  @Field()
  cursor!: string;

  @Field(() => OrderNode)
  node!: OrderNode;
}

@ObjectType()
export class OrderConnection {
  @Field(() => [OrderEdge])
  edges!: OrderEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Orders matching the filter, over all pages.' })
  totalCount!: number;
}
