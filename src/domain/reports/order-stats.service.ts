import type { OperationContext } from '../context.js';
import { badInput } from '../errors.js';
import { channelFilterFor } from '../channels/channel-scope.js';
import { reportFigure } from '../input-limits.js';

export const MAX_STATS_RANGE_DAYS = 366;
export const TOP_SELLERS = 10;

export interface OrderStatsInput {
  from: Date;
  to: Date;
  channelId?: string | null;
}

export interface StatusCount {
  status: string;
  count: number;
}
export interface DailyRevenue {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  channelId: string;
  currency: string;
  orderCount: number;
  amount: number;
}
export interface AverageOrderValue {
  currency: string;
  orderCount: number;
  /** Rounded to whole minor units. */
  amount: number;
}
export interface TopSeller {
  sku: string;
  title: string;
  units: number;
  currency: string;
  revenue: number;
}
export interface OrderStats {
  from: Date;
  to: Date;
  channelId: string | null;
  countsByStatus: StatusCount[];
  revenueByDay: DailyRevenue[];
  averageOrderValue: AverageOrderValue[];
  topSellersByUnits: TopSeller[];
  topSellersByRevenue: TopSeller[];
  /** Median seconds from placement to the first shipment shipped; null when none shipped. */
  medianSecondsToFirstShipment: number | null;
  shippedOrderCount: number;
}

/**
 * Order statistics over orders placed in [from, to) (UTC), on one channel or all: counts by
 * status; revenue per UTC day, channel and currency and the average order value per currency
 * (both without CANCELLED orders); top sellers by units and by revenue (units not cancelled,
 * cancelled orders left out; revenue ranked within each currency, amounts never mixed); and the
 * median time from placement to the first shipment. A channel-scoped key always gets its own
 * channel only (asking for another is FORBIDDEN).
 */
export async function orderStats(ctx: OperationContext, input: OrderStatsInput): Promise<OrderStats> {
  const { from, to } = validateRange(input.from, input.to);
  const channelId = channelFilterFor(ctx.actor, input.channelId);
  const where = `o.placed_at >= ? and o.placed_at < ?${channelId === null ? '' : ' and o.channel_id = ?'}`;
  const params: unknown[] = channelId === null ? [from, to] : [from, to, channelId];
  const connection = ctx.em.getConnection();
  const run = async <R>(sql: string): Promise<R[]> => connection.execute<R[]>(sql, params, 'all');

  const [statuses, days, averages, units, revenue, shipping] = await Promise.all([
    run<{ status: string; n: number }>(
      `select o.status, count(*)::int as n from "order" o where ${where} group by o.status order by o.status`,
    ),
    run<{ day: string; channel_id: string; currency: string; n: number; amount: SqlNumber }>(
      `select to_char(date_trunc('day', o.placed_at at time zone 'UTC'), 'YYYY-MM-DD') as day, o.channel_id, o.currency,
              count(*)::int as n, sum(o.total_amount) as amount
         from "order" o where ${where} and o.status <> 'CANCELLED'
        group by 1, 2, 3 order by 1, 2, 3`,
    ),
    run<{ currency: string; n: number; amount: SqlNumber }>(
      `select o.currency, count(*)::int as n, round(avg(o.total_amount)) as amount
         from "order" o where ${where} and o.status <> 'CANCELLED' group by o.currency order by o.currency`,
    ),
    run<SellerRow>(
      `${SELLERS_SQL(where)} select sku, title, units, currency, revenue from per_sku
        order by units desc, sku limit ${TOP_SELLERS}`,
    ),
    // revenue stays numeric here: ordering by a text cast of it ranked 5994 above 40000000000000.
    run<SellerRow>(
      `${SELLERS_SQL(where)} select sku, title, units, currency, revenue from (
         select *, row_number() over (partition by currency order by revenue desc, sku) as rank from per_sku where revenue > 0
       ) ranked where rank <= ${TOP_SELLERS} order by currency, revenue desc, sku`,
    ),
    run<{ median: number | null; n: number }>(
      `select percentile_cont(0.5) within group (order by extract(epoch from s.first_shipped - o.placed_at))::float8 as median,
              count(*)::int as n
         from "order" o
         join (select order_id, min(shipped_at) as first_shipped from shipment where shipped_at is not null group by order_id) s
           on s.order_id = o.id
        where ${where}`,
    ),
  ]);
  const seller = (r: SellerRow): TopSeller => ({
    sku: r.sku,
    title: r.title,
    units: reportFigure('topSellers.units', r.units),
    currency: r.currency,
    revenue: reportFigure('topSellers.revenue', r.revenue),
  });
  return {
    from,
    to,
    channelId,
    countsByStatus: statuses.map((r) => ({ status: r.status, count: Number(r.n) })),
    revenueByDay: days.map((r) => ({
      day: r.day,
      channelId: r.channel_id,
      currency: r.currency,
      orderCount: Number(r.n),
      amount: reportFigure('revenueByDay.amount', r.amount),
    })),
    averageOrderValue: averages.map((r) => ({
      currency: r.currency,
      orderCount: Number(r.n),
      amount: reportFigure('averageOrderValue.amount', r.amount),
    })),
    topSellersByUnits: units.map(seller),
    topSellersByRevenue: revenue.map(seller),
    medianSecondsToFirstShipment: shipping[0]?.median ?? null,
    shippedOrderCount: Number(shipping[0]?.n ?? 0),
  };
}

/** bigint and numeric results: text from PostgreSQL's driver, possibly a number or bigint from PGlite. */
type SqlNumber = string | number | bigint;
type SellerRow = { sku: string; title: string; units: SqlNumber; currency: string; revenue: SqlNumber };

/** Units and revenue per SKU and currency over the range, cancelled units and orders left out. */
const SELLERS_SQL = (where: string) => `
  with per_sku as (
    select l.sku, max(l.title) as title, o.currency,
           sum(l.quantity - l.quantity_cancelled) as units,
           sum(l.unit_price_amount * (l.quantity - l.quantity_cancelled)) as revenue
      from order_line l join "order" o on o.id = l.order_id
     where ${where} and o.status <> 'CANCELLED' and l.quantity > l.quantity_cancelled
     group by l.sku, o.currency
  )`;

function validateRange(from: Date, to: Date): { from: Date; to: Date } {
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw badInput('from', 'is not a valid date-time');
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw badInput('to', 'is not a valid date-time');
  if (to.getTime() <= from.getTime()) throw badInput('to', 'must be after from');
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  if (days > MAX_STATS_RANGE_DAYS) {
    throw badInput('to', `the range may span at most ${MAX_STATS_RANGE_DAYS} days (asked for ${Math.ceil(days)})`, {
      maxDays: MAX_STATS_RANGE_DAYS,
    });
  }
  return { from, to };
}
