import { raw, type FilterQuery } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { orderFilterQuery, type OrderFilter } from '../orders/order-list.service.js';
import { Order } from '../orders/order.entity.js';

/** Rows read per query: memory stays bounded by one batch however many orders match. */
export const EXPORT_BATCH_SIZE = 1_000;

/** One order as the CSV export writes it (money in minor units). */
export interface OrderExportRow {
  number: string;
  channel: string;
  externalId: string;
  status: string;
  placedAt: Date;
  customerEmail: string | null;
  currency: string;
  subtotal: number;
  shipping: number;
  tax: number;
  discount: number;
  total: number;
  lineCount: number;
}

/**
 * Prepares an export of the orders matching `filter` (the same filter and validation as the
 * `orders` query, channel scope applied). Validation happens now, so a bad filter fails before
 * anything is sent; `batches()` then walks the matches oldest first in keyset batches of
 * EXPORT_BATCH_SIZE, each read with a fresh EntityManager so nothing accumulates.
 */
export function prepareOrderExport(
  ctx: OperationContext,
  filter: OrderFilter,
  batchSize = EXPORT_BATCH_SIZE,
): { batches(): AsyncGenerator<OrderExportRow[]> } {
  const where = orderFilterQuery(ctx, filter);
  return {
    async *batches() {
      // The last row's created_at as PostgreSQL prints it: a JS Date would drop the microseconds.
      let after: { createdAt: string; id: string } | null = null;
      for (;;) {
        const em = ctx.em.fork({ clear: true });
        const from = after;
        const keyset = (
          from
            ? {
                [raw(
                  (alias) => `((${alias}.created_at, ${alias}.id) > (?::timestamptz, ?::uuid))`,
                  [from.createdAt, from.id],
                )]: true,
              }
            : {}
        ) as FilterQuery<Order>;
        const orders = await em.find(
          Order,
          { $and: [where, keyset] },
          { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], limit: batchSize },
        );
        if (orders.length === 0) return;
        const counts: { order_id: string; n: number }[] = await em
          .getConnection()
          .execute<{ order_id: string; n: number }[]>(
            `select order_id, count(*)::int as n from order_line where order_id in (${orders.map(() => '?').join(', ')}) group by order_id`,
            orders.map((o) => o.id),
            'all',
          );
        const lineCounts = new Map(counts.map((c) => [c.order_id, Number(c.n)]));
        yield orders.map((o) => ({
          number: o.number,
          channel: o.channel.id,
          externalId: o.externalId,
          status: o.status,
          placedAt: o.placedAt,
          customerEmail: o.email ?? null,
          currency: o.currency,
          subtotal: o.subtotalAmount,
          shipping: o.shippingAmount,
          tax: o.taxAmount,
          discount: o.discountAmount,
          total: o.totalAmount,
          lineCount: lineCounts.get(o.id) ?? 0,
        }));
        if (orders.length < batchSize) return;
        const last = orders[orders.length - 1]!;
        const [exact]: { created_at: string }[] = await em
          .getConnection()
          .execute<{ created_at: string }[]>(
            'select created_at::text as created_at from "order" where id = ?',
            [last.id],
            'all',
          );
        after = { createdAt: exact!.created_at, id: last.id };
      }
    },
  };
}
