import type { OperationContext } from '../context.js';
import { badInput } from '../errors.js';

/** Lead time assumed when the caller names none: two weeks from order to shelf. */
export const DEFAULT_LEAD_TIME_DAYS = 14;
export const MAX_LEAD_TIME_DAYS = 365;
/** Sales velocity is measured over this many days of the ledger. */
export const VELOCITY_WINDOW_DAYS = 30;
export const MAX_LOW_STOCK_ITEMS = 500;

export interface LowStockItem {
  variantId: string;
  sku: string;
  locationId: string;
  locationCode: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  reorderPoint: number;
  available: number;
  /** Units reserved minus units released per day over the last VELOCITY_WINDOW_DAYS. */
  dailyVelocity: number;
  leadTimeDays: number;
  /** ceil(dailyVelocity × leadTimeDays) + reorderPoint − available, at least 0. */
  suggestedReorderQuantity: number;
}

/**
 * Suggested order: enough to cover the demand expected during the lead time and to bring
 * available back up to the reorder point. Integer arithmetic, so 30 sold in 30 days over 14 days
 * is exactly 14, never 14.000000000000002 rounded up to 15.
 */
export function suggestedReorderQuantity(
  netReservedInWindow: number,
  leadTimeDays: number,
  reorderPoint: number,
  available: number,
): number {
  const demand = Math.ceil((Math.max(0, netReservedInWindow) * leadTimeDays) / VELOCITY_WINDOW_DAYS);
  return Math.max(0, demand + reorderPoint - available);
}

type Row = {
  variant_id: string;
  location_id: string;
  sku: string;
  code: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  reorder_point: number;
  net_reserved: number;
};

/**
 * Levels at active locations whose available stock is at or below their reorder point (only
 * levels with a reorder point above 0 are watched), the most urgent (furthest below) first, at
 * most MAX_LOW_STOCK_ITEMS. Velocity counts `reserved` ledger rows minus `released` ones, so a
 * cancelled or moved reservation is not counted as a sale.
 */
export async function lowStockItems(
  ctx: OperationContext,
  options: { leadTimeDays?: number | null } = {},
): Promise<LowStockItem[]> {
  const leadTimeDays = options.leadTimeDays ?? DEFAULT_LEAD_TIME_DAYS;
  if (!Number.isInteger(leadTimeDays) || leadTimeDays < 1 || leadTimeDays > MAX_LEAD_TIME_DAYS) {
    throw badInput('leadTimeDays', `must be a whole number from 1 to ${MAX_LEAD_TIME_DAYS}`, {
      min: 1,
      max: MAX_LEAD_TIME_DAYS,
    });
  }
  const rows: Row[] = await ctx.em.getConnection().execute<Row[]>(
    `select s.variant_id, s.location_id, v.sku, l.code, s.on_hand, s.reserved, s.safety_stock, s.reorder_point,
            coalesce((select sum(m.reserved_delta) from stock_movement m
                      where m.variant_id = s.variant_id and m.location_id = s.location_id
                        and m.kind in ('reserved', 'released')
                        and m.created_at > now() - make_interval(days => ?)), 0)::int as net_reserved
     from stock_level s join variant v on v.id = s.variant_id join location l on l.id = s.location_id
     where l.active and s.reorder_point > 0 and s.on_hand - s.reserved - s.safety_stock <= s.reorder_point
     order by s.on_hand - s.reserved - s.safety_stock - s.reorder_point, v.sku, l.code
     limit ${MAX_LOW_STOCK_ITEMS}`,
    [VELOCITY_WINDOW_DAYS],
  );
  return rows.map((r) => {
    const available = r.on_hand - r.reserved - r.safety_stock;
    return {
      variantId: r.variant_id,
      sku: r.sku,
      locationId: r.location_id,
      locationCode: r.code,
      onHand: r.on_hand,
      reserved: r.reserved,
      safetyStock: r.safety_stock,
      reorderPoint: r.reorder_point,
      available,
      dailyVelocity: Math.max(0, r.net_reserved) / VELOCITY_WINDOW_DAYS,
      leadTimeDays,
      suggestedReorderQuantity: suggestedReorderQuantity(r.net_reserved, leadTimeDays, r.reorder_point, available),
    };
  });
}
