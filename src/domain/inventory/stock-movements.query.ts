import { Variant } from '../catalog/variant.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { decodeCursor, encodeCursor, validatePageRequest, type Page } from '../pagination.js';
import type { MovementKind } from './stock-movement.entity.js';
import { locationOf } from './stock-levels.query.js';

/** One ledger row, with its SKU and location code. */
export interface StockMovementView {
  id: string;
  sku: string;
  variantId: string;
  locationId: string;
  locationCode: string;
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  reason: string | null;
  orderId: string | null;
  actor: string;
  createdAt: Date;
}

type Row = {
  id: string;
  variant_id: string;
  location_id: string;
  code: string;
  kind: MovementKind;
  on_hand_delta: number;
  reserved_delta: number;
  reason: string | null;
  order_id: string | null;
  actor: string;
  created_at: Date;
};

/**
 * The ledger of a SKU (at one location, or all), newest first, keyset-paged on the ledger's
 * ever-increasing id (rows of one transaction share a timestamp; ids never tie).
 */
export async function stockMovements(
  ctx: OperationContext,
  input: { sku: string; locationId?: string | null; first?: number | null; after?: string | null },
): Promise<Page<StockMovementView>> {
  const page = validatePageRequest(input.first, input.after);
  let afterId: string | null = null;
  if (page.after !== null) {
    afterId = decodeCursor(page.after).id;
    if (!/^[1-9][0-9]{0,18}$/.test(afterId))
      throw badInput('after', 'is not a cursor this API returned (use pageInfo.endCursor)');
  }
  const variant = await ctx.em.findOne(Variant, { sku: (input.sku ?? '').trim() });
  if (!variant) throw notFound('Variant', input.sku);
  const where = ['m.variant_id = ?'];
  const params: unknown[] = [variant.id];
  if (input.locationId != null) {
    where.push('m.location_id = ?');
    params.push((await locationOf(ctx, input.locationId)).id);
  }
  const connection = ctx.em.getConnection();
  const total: { n: number }[] = await connection.execute<{ n: number }[]>(
    `select count(*)::int as n from stock_movement m where ${where.join(' and ')}`,
    params,
  );
  const rows: Row[] = await connection.execute<Row[]>(
    `select m.id::text as id, m.variant_id, m.location_id, l.code, m.kind, m.on_hand_delta, m.reserved_delta, m.reason, m.order_id, m.actor, m.created_at
     from stock_movement m join location l on l.id = m.location_id
     where ${where.join(' and ')}${afterId !== null ? ' and m.id < ?' : ''}
     order by m.id desc
     limit ${page.first + 1}`,
    afterId !== null ? [...params, afterId] : params,
  );
  const items = rows.slice(0, page.first).map((r): StockMovementView => ({
    id: r.id,
    sku: variant.sku,
    variantId: r.variant_id,
    locationId: r.location_id,
    locationCode: r.code,
    kind: r.kind,
    onHandDelta: r.on_hand_delta,
    reservedDelta: r.reserved_delta,
    reason: r.reason,
    orderId: r.order_id,
    actor: r.actor,
    createdAt: new Date(r.created_at),
  }));
  return {
    items,
    hasNextPage: rows.length > page.first,
    totalCount: total[0]!.n,
    cursors: items.map((m) => encodeCursor({ createdAt: m.createdAt, id: m.id })),
  };
}
