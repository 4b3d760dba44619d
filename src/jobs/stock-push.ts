import type { EntityManager } from '@mikro-orm/core';
import { createHash } from 'node:crypto';
import type { StockTarget } from '../connectors/connector.js';
import { channelAvailableToSell } from '../domain/inventory/channel-available-to-sell.js';
import type { ResolvedConnector } from './channel-connectors.js';
import {
  clearDirtySkus,
  databaseClock,
  listingsOf,
  storePushedQuantities,
  storePushRefusals,
  takeDirtySkus,
} from './channel-push.store.js';

/** Compare-and-swap rounds per batch before a SKU is left dirty for the next run. */
export const MAX_STALE_RETRIES = 3;

/**
 * "The last units": a figure falling to this or below goes by the connector's urgent single-SKU
 * call where it has one (Amazon's patchListingsItem), so a sold-out SKU stops selling within
 * seconds instead of after a feed's minutes of processing.
 */
export const LAST_UNITS = 2;
/** At most this many urgent calls per batch (Amazon's patchListingsItem bursts to 5); the rest wait for the feed. */
export const MAX_URGENT_PER_BATCH = 5;

/**
 * The targets to send one by one: falling from a figure we pushed to the last units, fewest
 * first, capped per batch. A first push (nothing pushed before) waits for the feed: it is the
 * initial sync, where everything changes at once.
 */
export function urgentTargets(targets: readonly StockTarget[]): StockTarget[] {
  return targets
    .filter((t) => t.expectedQuantity !== null && t.quantity <= LAST_UNITS && t.quantity < t.expectedQuantity)
    .sort((a, b) => a.quantity - b.quantity)
    .slice(0, MAX_URGENT_PER_BATCH);
}

export interface StockPushSummary {
  /** Connector calls made (one per batch, plus one per stale retry). */
  calls: number;
  /** SKUs whose figure the platform now holds. */
  pushed: number;
}

/** The same batch content gives the same key, so a rerun after a crash is deduplicated by the platform. */
export function stockPushKey(channelId: string, targets: readonly StockTarget[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(targets.map((t) => [t.sku, t.quantity, t.expectedQuantity])))
    .digest('hex')
    .slice(0, 32);
  return `stock-${channelId}-${digest}`;
}

/**
 * Pushes a channel's SKUs dirty when it starts until none are left, `stockBatchLimit` per call: reads the
 * database clock, then each SKU's CURRENT available-to-sell (so however many changes were
 * coalesced, the figure is the latest), sends it with the figure we last pushed as the compare
 * value, and on a stale compare re-reads our figure and retries with the platform's own (never a
 * blind overwrite). Then it stores what the platform holds and clears the dirty rows not dirtied
 * again since the clock reading. SKUs the platform refused on their own are cleared without
 * being recorded as pushed. A throw (rate limit, platform error) keeps what was done.
 */
export async function pushDirtyStock(
  em: EntityManager,
  channelId: string,
  { connector, stockBatchLimit }: ResolvedConnector,
): Promise<StockPushSummary> {
  const summary: StockPushSummary = { calls: 0, pushed: 0 };
  // Only what was dirty when the run began: later changes belong to the next slice's job, so one
  // run makes a bounded number of calls however fast stock changes.
  const startedAt = await databaseClock(em);
  for (;;) {
    const skus = await takeDirtySkus(em, channelId, stockBatchLimit, startedAt);
    if (skus.length === 0) return summary;
    const readAt = await databaseClock(em);
    const listings = await listingsOf(em, channelId, skus);
    const figures = await channelAvailableToSell(
      em,
      channelId,
      listings.map((l) => l.sku),
    );
    let pending: StockTarget[] = listings.map((l) => ({
      sku: l.sku,
      externalInventoryItemId: l.externalInventoryItemId,
      externalLocationId: l.externalLocationId,
      quantity: figures.get(l.sku) ?? 0,
      expectedQuantity: l.lastPushedQuantity,
    }));
    const listed = new Set(listings.map((l) => l.sku));
    // SKUs no longer listed (or not pushable) have nothing to push: they are cleared.
    const settled: string[] = skus.filter((s) => !listed.has(s));
    const held: { sku: string; quantity: number | null }[] = [];
    const refusals: { sku: string; message: string }[] = [];
    try {
      if (connector.pushUrgentStock) {
        const urgent = urgentTargets(pending);
        for (const target of urgent) {
          summary.calls++;
          const { rejected = [] } = await connector.pushUrgentStock(target);
          settled.push(target.sku);
          if (rejected.length > 0) refusals.push(...rejected);
          else {
            held.push({ sku: target.sku, quantity: target.quantity });
            summary.pushed++;
          }
        }
        const sent = new Set(urgent.map((t) => t.sku));
        pending = pending.filter((t) => !sent.has(t.sku));
      }
      for (let round = 0; pending.length > 0; round++) {
        summary.calls++;
        const { stale, rejected = [] } = await connector.pushStock(pending, stockPushKey(channelId, pending));
        refusals.push(...rejected);
        const staleBySku = new Map(stale.map((s) => [s.sku, s.actualQuantity]));
        const refused = new Set(rejected.map((r) => r.sku));
        for (const t of pending) {
          if (staleBySku.has(t.sku)) continue;
          settled.push(t.sku);
          // Refused by the platform on its own (eBay's 207): the platform still holds its old
          // figure, so ours is not recorded as pushed (a later push of the same figure must not
          // be skipped as unchanged); the SKU is cleared and the reconciliation dirties it again.
          if (refused.has(t.sku)) continue;
          held.push({ sku: t.sku, quantity: t.quantity });
          summary.pushed++;
        }
        if (staleBySku.size === 0) break;
        if (round + 1 >= MAX_STALE_RETRIES) {
          // Keep the platform's figure as the next compare value; the SKU stays dirty.
          held.push(...[...staleBySku].map(([sku, quantity]) => ({ sku, quantity })));
          break;
        }
        const fresh = await channelAvailableToSell(em, channelId, [...staleBySku.keys()]);
        pending = pending
          .filter((t) => staleBySku.has(t.sku))
          .map((t) => ({ ...t, quantity: fresh.get(t.sku) ?? 0, expectedQuantity: staleBySku.get(t.sku) ?? null }));
      }
    } finally {
      await storePushedQuantities(em, channelId, held);
      await storePushRefusals(em, channelId, refusals);
      await clearDirtySkus(em, channelId, settled, readAt);
    }
    // Every SKU of the batch still stale after the retries: leave them to the next run.
    if (settled.length === 0) return summary;
  }
}
