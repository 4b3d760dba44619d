import { Variant } from '../catalog/variant.entity.js';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { channelFilterFor } from '../channels/channel-scope.js';
import { eligibleLocations } from './allocation.service.js';
import { Location } from './location.entity.js';
import { readLevels, type StockLevelRecord } from './stock-ledger.js';
import { availableOf } from './stock-level.entity.js';
import type { StockLevelView } from './stock-level-view.js';

/** Most levels one stockLevels call returns; more matching is refused, naming the filters. */
export const MAX_STOCK_LEVELS = 500;

type LevelViewRow = StockLevelRecord & { sku: string; code: string };

async function variantOf(ctx: OperationContext, sku: string): Promise<Variant> {
  const variant = await ctx.em.findOne(Variant, { sku: (sku ?? '').trim() });
  if (!variant) throw notFound('Variant', sku);
  return variant;
}

export async function locationOf(ctx: OperationContext, locationId: string): Promise<Location> {
  const location = isUuid(locationId) ? await ctx.em.findOne(Location, { id: locationId }) : null;
  if (!location) throw notFound('Location', locationId);
  return location;
}

/**
 * Stock levels of one SKU, one location, or both (at most MAX_STOCK_LEVELS), by SKU then
 * location priority. Levels never created (no stock ever received or configured) are absent.
 */
export async function stockLevels(
  ctx: OperationContext,
  filter: { sku?: string | null; locationId?: string | null },
): Promise<StockLevelView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.sku != null) {
    where.push('s.variant_id = ?');
    params.push((await variantOf(ctx, filter.sku)).id);
  }
  if (filter.locationId != null) {
    where.push('s.location_id = ?');
    params.push((await locationOf(ctx, filter.locationId)).id);
  }
  const rows: LevelViewRow[] = await ctx.em.getConnection().execute<LevelViewRow[]>(
    `select s.variant_id, s.location_id, s.on_hand, s.reserved, s.safety_stock, s.reorder_point, v.sku, l.code
     from stock_level s join variant v on v.id = s.variant_id join location l on l.id = s.location_id
     ${where.length ? `where ${where.join(' and ')}` : ''}
     order by v.sku, l.priority, l.code
     limit ${MAX_STOCK_LEVELS + 1}`,
    params,
  );
  if (rows.length > MAX_STOCK_LEVELS) {
    throw badInput(
      filter.sku == null ? 'sku' : 'locationId',
      `more than ${MAX_STOCK_LEVELS} levels match: filter by sku and/or locationId`,
      { max: MAX_STOCK_LEVELS },
    );
  }
  return rows.map((r) => {
    const level = {
      variantId: r.variant_id,
      locationId: r.location_id,
      onHand: r.on_hand,
      reserved: r.reserved,
      safetyStock: r.safety_stock,
      reorderPoint: r.reorder_point,
    };
    return { ...level, sku: r.sku, locationCode: r.code, available: availableOf(level) };
  });
}

export interface AvailableToSell {
  sku: string;
  channelId: string;
  /** What the channel may offer: Σ max(0, available) over its locations − stockBuffer, at least 0. */
  quantity: number;
  stockBuffer: number;
  /** Each location the channel ships from that holds the SKU, with its (floored) available. */
  locations: { locationId: string; available: number }[];
}

/**
 * What a channel may sell of a SKU: available stock (floored at 0 per location, so one
 * location's uncovered safety stock does not eat another's) over the active locations that ship
 * online for the channel (empty channelIds = every channel), minus the channel's stock buffer.
 */
export async function availableToSell(ctx: OperationContext, sku: string, channelId: string): Promise<AvailableToSell> {
  const wanted = channelFilterFor(ctx.actor, channelId);
  if (!wanted) throw badInput('channelId', 'is required');
  const variant = await variantOf(ctx, sku);
  const channel = await ctx.em.findOne(Channel, { id: wanted });
  if (!channel) throw notFound('Channel', wanted);
  const eligible = new Set((await eligibleLocations(ctx.em, channel.id)).map((c) => c.id));
  const locations = (await readLevels(ctx.em, [variant.id]))
    .filter((l) => eligible.has(l.locationId))
    .map((l) => ({ locationId: l.locationId, available: Math.max(0, availableOf(l)) }));
  const total = locations.reduce((sum, l) => sum + l.available, 0);
  return {
    sku: variant.sku,
    channelId: channel.id,
    quantity: Math.max(0, total - channel.stockBuffer),
    stockBuffer: channel.stockBuffer,
    locations,
  };
}
