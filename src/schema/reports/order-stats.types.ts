import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { OrderStats, TopSeller } from '../../domain/reports/order-stats.service.js';
import { Money, moneyOf } from '../common/money.type.js';
import { OrderStatusEnum } from '../orders/order.types.js';
import type { OrderStatus } from '../../domain/orders/order-status.js';

@ObjectType({ description: 'How many orders placed in the range have this status now.' })
export class OrderStatusCount {
  @Field(() => OrderStatusEnum)
  status!: OrderStatus;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Revenue of one UTC day on one channel in one currency (CANCELLED orders left out).' })
export class DailyRevenue {
  @Field({ description: 'UTC day, YYYY-MM-DD.' })
  day!: string;

  @Field()
  channelId!: string;

  @Field(() => Int)
  orderCount!: number;

  @Field(() => Money, { description: 'Sum of the orders’ totals.' })
  revenue!: Money;
}

@ObjectType({ description: 'Average order total in one currency (CANCELLED orders left out), rounded to minor units.' })
export class AverageOrderValue {
  @Field(() => Int)
  orderCount!: number;

  @Field(() => Money)
  average!: Money;
}

@ObjectType({ description: 'A SKU’s units (not cancelled) and revenue in one currency.' })
export class TopSellerStat {
  @Field()
  sku!: string;

  @Field()
  title!: string;

  @Field(() => GraphQLSafeInt)
  units!: number;

  @Field(() => Money)
  revenue!: Money;
}

@ObjectType({ description: 'Statistics of the orders placed in [from, to).' })
export class OrderStatsResult {
  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => String, { nullable: true, description: 'The channel counted; null for all channels.' })
  channelId!: string | null;

  @Field(() => [OrderStatusCount])
  countsByStatus!: OrderStatusCount[];

  @Field(() => [DailyRevenue])
  revenueByDay!: DailyRevenue[];

  @Field(() => [AverageOrderValue], { description: 'One entry per currency.' })
  averageOrderValue!: AverageOrderValue[];

  @Field(() => [TopSellerStat], { description: 'The 10 SKUs (per currency) with the most units.' })
  topSellersByUnits!: TopSellerStat[];

  @Field(() => [TopSellerStat], { description: 'Per currency, the 10 SKUs with the most revenue.' })
  topSellersByRevenue!: TopSellerStat[];

  @Field(() => Float, {
    nullable: true,
    description: 'Median seconds from placement to the first shipment shipped; null when none has shipped.',
  })
  medianSecondsToFirstShipment!: number | null;

  @Field(() => Int, { description: 'Orders in the range with at least one shipment shipped.' })
  shippedOrderCount!: number;
}

const sellerOf = (s: TopSeller): TopSellerStat => ({
  sku: s.sku,
  title: s.title,
  units: s.units,
  revenue: moneyOf(s.revenue, s.currency),
});

export function orderStatsResultOf(s: OrderStats): OrderStatsResult {
  return {
    from: s.from,
    to: s.to,
    channelId: s.channelId,
    countsByStatus: s.countsByStatus.map((c) => ({ status: c.status as OrderStatus, count: c.count })),
    revenueByDay: s.revenueByDay.map((d) => ({
      day: d.day,
      channelId: d.channelId,
      orderCount: d.orderCount,
      revenue: moneyOf(d.amount, d.currency),
    })),
    averageOrderValue: s.averageOrderValue.map((a) => ({
      orderCount: a.orderCount,
      average: moneyOf(a.amount, a.currency),
    })),
    topSellersByUnits: s.topSellersByUnits.map(sellerOf),
    topSellersByRevenue: s.topSellersByRevenue.map(sellerOf),
    medianSecondsToFirstShipment: s.medianSecondsToFirstShipment,
    shippedOrderCount: s.shippedOrderCount,
  };
}
