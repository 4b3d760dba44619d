import type { EntityManager } from '@mikro-orm/core';
import { runPrepared } from '../prepared-statement.js';
import type { BackorderPolicy } from '../channels/channel.entity.js';
import { eligibleLocationSql } from '../inventory/allocation.service.js';
import type { LevelRow } from '../inventory/stock-ledger.js';
import type { CandidateLocation } from '../inventory/sourcing.js';
import type { ChannelFacts, VariantFacts } from './order-pricing.js';
import type { ValidPlaceOrderInput } from './place-order.input.js';

/**
 * Everything placing one order reads, as of one moment: the channel, the variants, their stock
 * levels at the locations that ship for the channel, the customer by email, an order already
 * placed under the idempotency key, and — for direct channels — the next order number.
 * Read in one round trip without locks: levels may be stale by the time stock is reserved,
 * which the reservation itself re-checks.
 */
export interface PlacementSnapshot {
  channel: (ChannelFacts & { backorderPolicy: BackorderPolicy }) | null;
  variants: VariantFacts[];
  levels: LevelRow[];
  locations: CandidateLocation[];
  customer: { id: string; name: string | null; phone: string | null } | null;
  existingOrderId: string | null;
  /** Drawn from order_number_seq for a direct channel (a sequence may leave gaps; numbers stay unique). */
  orderNumber: string | null;
}

const SNAPSHOT_SQL = `
with skus as materialized (select array(select jsonb_array_elements_text(?::jsonb)) as list),
     ch as (select id, kind, enabled, backorder_policy from channel where id = ?)
select
  (select json_build_object('id', id, 'kind', kind, 'enabled', enabled, 'backorderPolicy', backorder_policy) from ch) as channel,
  (select coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'title', v.title, 'priceAmount', v.price_amount,
            'currency', v.currency, 'requiresShipping', v.requires_shipping)), '[]'::json)
     from variant v where v.sku = any((select list from skus)::text[])) as variants,
  (select coalesce(json_agg(json_build_object('variantId', s.variant_id, 'locationId', s.location_id, 'onHand', s.on_hand,
            'reserved', s.reserved, 'safetyStock', s.safety_stock, 'reorderPoint', s.reorder_point)), '[]'::json)
     from stock_level s join variant v on v.id = s.variant_id where v.sku = any((select list from skus)::text[])) as levels,
  (select coalesce(json_agg(json_build_object('id', l.id, 'code', l.code, 'priority', l.priority, 'latitude', l.latitude,
            'longitude', l.longitude, 'countryCode', l.address->>'countryCode', 'region', l.address->>'region')), '[]'::json)
     from location l
     where ${eligibleLocationSql('l', '?::text')}) as locations,
  (select json_build_object('id', c.id, 'name', c.name, 'phone', c.phone) from customer c where lower(c.email) = ?::text) as customer,
  (select o.id from "order" o where o.idempotency_key = ?::text) as existing_order_id,
  (select 'SY-' || nextval('order_number_seq') from ch where kind = 'direct') as order_number`;

interface SnapshotRow {
  channel: PlacementSnapshot['channel'];
  variants: VariantFacts[];
  levels: LevelRow[];
  locations: CandidateLocation[];
  customer: PlacementSnapshot['customer'];
  existing_order_id: string | null;
  order_number: string | null;
}

/** One round trip, outside any transaction. */
export async function readPlacementSnapshot(
  em: EntityManager,
  valid: ValidPlaceOrderInput,
): Promise<PlacementSnapshot> {
  const rows = await runPrepared<SnapshotRow>(em, 'switchyard_placement_snapshot', SNAPSHOT_SQL, [
    JSON.stringify(valid.lines.map((l) => l.sku)),
    valid.channelId,
    valid.channelId,
    valid.customer?.email ?? null,
    valid.idempotencyKey,
  ]);
  const row = (rows as SnapshotRow[])[0]!;
  return {
    channel: row.channel,
    // bigint columns arrive as JSON numbers; prices stay far below 2^53 (validated on input).
    variants: row.variants.map((v: VariantFacts) => ({ ...v, priceAmount: Number(v.priceAmount) })),
    levels: row.levels,
    locations: row.locations.map((l: CandidateLocation) => ({ ...l, region: l.region ?? null })),
    customer: row.customer,
    existingOrderId: row.existing_order_id,
    orderNumber: row.order_number,
  };
}
