import type { EntityManager } from '@mikro-orm/core';
import { eligibleLocationSql } from '../inventory/allocation.service.js';
import type { CandidateLocation } from '../inventory/sourcing.js';
import type { LevelRow } from '../inventory/stock-ledger.js';
import { runPrepared } from '../prepared-statement.js';

/** What planning a batch of new channel orders reads, as of one moment and without locks. */
export interface ChannelBatchSnapshot {
  /** Locations that ship for the channel (eligibleLocationSql). */
  locations: CandidateLocation[];
  /** Levels of the batch's variants (at every location; the planner keeps the eligible ones). */
  levels: LevelRow[];
  /** Customers the batch's emails already name. */
  customers: { id: string; email: string; name: string | null; phone: string | null }[];
}

const SNAPSHOT_SQL = `
select
  (select coalesce(json_agg(json_build_object('id', l.id, 'code', l.code, 'priority', l.priority, 'latitude', l.latitude,
            'longitude', l.longitude, 'countryCode', l.address->>'countryCode', 'region', l.address->>'region')), '[]'::json)
     from location l where ${eligibleLocationSql('l', '?::text')}) as locations,
  (select coalesce(json_agg(json_build_object('variantId', s.variant_id, 'locationId', s.location_id, 'onHand', s.on_hand,
            'reserved', s.reserved, 'safetyStock', s.safety_stock, 'reorderPoint', s.reorder_point)), '[]'::json)
     from stock_level s where s.variant_id = any(array(select jsonb_array_elements_text(?::jsonb))::uuid[])) as levels,
  (select coalesce(json_agg(json_build_object('id', c.id, 'email', c.email, 'name', c.name, 'phone', c.phone)), '[]'::json)
     from customer c where c.email = any(array(select jsonb_array_elements_text(?::jsonb)))) as customers`;

/** One round trip, outside any transaction: stale by the write, which re-checks stock itself. */
export async function readChannelBatchSnapshot(
  em: EntityManager,
  channelId: string,
  variantIds: readonly string[],
  emails: readonly string[],
): Promise<ChannelBatchSnapshot> {
  const [row] = await runPrepared<{
    locations: (CandidateLocation & { region: string | null })[];
    levels: LevelRow[];
    customers: ChannelBatchSnapshot['customers'];
  }>(em, 'switchyard_channel_batch_snapshot', SNAPSHOT_SQL, [
    channelId,
    JSON.stringify(variantIds),
    JSON.stringify(emails),
  ]);
  return {
    locations: row!.locations.map((l) => ({
      ...l,
      latitude: l.latitude == null ? null : Number(l.latitude),
      longitude: l.longitude == null ? null : Number(l.longitude),
      region: l.region ?? null,
    })),
    levels: row!.levels,
    customers: row!.customers,
  };
}
