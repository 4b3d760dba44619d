import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.js';
import { recordLevelChanged } from './level-events.js';
import { Reservation } from './reservation.entity.js';
import { availableOf } from './stock-level.entity.js';
import { readLevels, reserveStock, type LevelRow } from './stock-ledger.js';
import {
  availabilityKey,
  planSourcing,
  type Assignment,
  type CandidateLocation,
  type Destination,
  type SourcingLine,
} from './sourcing.js';

export interface AllocationRequest {
  orderId: string;
  channelId: string;
  destination: Destination | null;
  lines: SourcingLine[];
}

export interface AllocationResult {
  reserved: Assignment[];
  shortfall: { lineId: string; sku: string; quantity: number }[];
  explanation: string;
}

/**
 * The rule for locations that may ship for a channel: active, shipping online, and serving that
 * channel (no channel list, or one naming it). In SQL, so that eligibleLocations and the
 * placement snapshot (placement-snapshot.ts) select with the very same predicate.
 */
export function eligibleLocationSql(alias: string, channelId: string): string {
  return `${alias}.active and ${alias}.fulfils_online and (cardinality(${alias}.channel_ids) = 0 or ${channelId} = any(${alias}.channel_ids))`;
}

type EligibleRow = {
  id: string;
  code: string;
  priority: number;
  latitude: string | number | null;
  longitude: string | number | null;
  address: { countryCode: string; region?: string | null };
};

/** Locations that may ship for a channel (eligibleLocationSql). */
export async function eligibleLocations(em: EntityManager, channelId: string): Promise<CandidateLocation[]> {
  const rows: EligibleRow[] = await em
    .getConnection()
    .execute<EligibleRow[]>(
      `select l.id, l.code, l.priority, l.latitude, l.longitude, l.address from location l where ${eligibleLocationSql('l', '?::text')}`,
      [channelId],
      'all',
      em.getTransactionContext(),
    );
  return rows.map((l) => ({
    id: l.id,
    code: l.code,
    priority: l.priority,
    latitude: l.latitude == null ? null : Number(l.latitude),
    longitude: l.longitude == null ? null : Number(l.longitude),
    countryCode: l.address.countryCode,
    region: l.address.region ?? null,
  }));
}

const MAX_PASSES = 3;

/**
 * Reserves stock for order lines in the caller's transaction. Plans from a snapshot, then
 * reserves each assignment with a conditional update, in (variant, location) order so that
 * concurrent orders take row locks in one order. What a concurrent order took in between is
 * re-planned from fresh levels (up to three passes); what is still missing is the shortfall.
 */
export async function allocateLines(
  em: EntityManager,
  request: AllocationRequest,
  actor: Principal,
): Promise<AllocationResult> {
  const candidates = await eligibleLocations(em, request.channelId);
  const eligible = new Set(candidates.map((c) => c.id));
  const variantIds = [...new Set(request.lines.map((l) => l.variantId))];
  const reserved: Assignment[] = [];
  let pending = request.lines;
  let explanation = '';
  const changed: { level: LevelRow; quantity: number }[] = [];

  for (let pass = 0; pass < MAX_PASSES && pending.length > 0; pass++) {
    const levels = (await readLevels(em, variantIds)).filter((l) => eligible.has(l.locationId));
    const available = new Map(levels.map((l) => [availabilityKey(l.variantId, l.locationId), availableOf(l)]));
    const plan = planSourcing(pending, candidates, available, request.destination);
    if (pass === 0) explanation = plan.explanation;
    const ordered = [...plan.assignments].sort(
      (a, b) => a.variantId.localeCompare(b.variantId) || a.locationId.localeCompare(b.locationId),
    );
    const missing = new Map<string, number>();
    let raced = false;
    for (const a of ordered) {
      const level = await reserveStock(em, a, a.quantity, request.orderId, actor.id);
      if (level) {
        reserved.push(a);
        changed.push({ level, quantity: a.quantity });
        em.create(Reservation, {
          orderLineId: a.lineId,
          variantId: a.variantId,
          locationId: a.locationId,
          quantity: a.quantity,
          status: 'active',
        });
      } else {
        raced = true;
        missing.set(a.lineId, (missing.get(a.lineId) ?? 0) + a.quantity);
      }
    }
    for (const s of plan.shortfall) missing.set(s.lineId, (missing.get(s.lineId) ?? 0) + s.quantity);
    pending = request.lines
      .filter((l) => missing.has(l.lineId))
      .map((l) => ({ ...l, quantity: missing.get(l.lineId)! }));
    // Nothing raced us: the shortfall is real and another pass would find the same.
    if (!raced) break;
    if (pending.length > 0 && pass + 1 < MAX_PASSES) explanation += '; re-planned after stock was taken concurrently';
  }

  for (const { level, quantity } of changed) recordLevelChanged(em, level, { reserved: quantity });
  return {
    reserved,
    shortfall: pending.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })),
    explanation,
  };
}
