import type { EntityManager } from '@mikro-orm/core';
import { recordOutboxEvent } from '../outbox/outbox.js';
import { availableOf, availableSql, type LevelSql } from './stock-level.entity.js';
import type { LevelRow } from './stock-ledger.js';

/** How much each column of a level just moved; the level before the change is `after − delta`. */
export interface LevelDelta {
  onHand?: number;
  reserved?: number;
  safetyStock?: number;
  reorderPoint?: number;
}

type Thresholds = Pick<LevelRow, 'onHand' | 'reserved' | 'safetyStock' | 'reorderPoint'>;

/** At or below the reorder point; a reorder point of 0 means "not watched". */
export function isLowStock(level: Thresholds): boolean {
  return level.reorderPoint > 0 && availableOf(level) <= level.reorderPoint;
}

/** isLowStock in SQL, for the one-statement placement's stock.low messages. */
export function isLowStockSql(level: LevelSql): string {
  return `(${level.reorderPoint} > 0 and ${availableSql(level)} <= ${level.reorderPoint})`;
}

/**
 * The SQL form of the crossing recordLevelChanged detects: low after a change of `delta` to
 * `reserved` (an SQL expression), and not low before it.
 */
export function crossedIntoLowStockSql(after: LevelSql, reservedDelta: string): string {
  const before = { ...after, reserved: `(${after.reserved} - ${reservedDelta})` };
  return `${isLowStockSql(after)} and not ${isLowStockSql(before)}`;
}

/**
 * The one place a level change becomes events, in the caller's transaction: always
 * `stock.level_changed`, and `stock.low` when this change took the level from above its reorder
 * point to at or below it — once per crossing, not again for every further unit while it stays low.
 */
export function recordLevelChanged(em: EntityManager, level: LevelRow, delta: LevelDelta): void {
  const available = availableOf(level);
  recordOutboxEvent(em, 'stock.level_changed', level.variantId, { ...level, available });
  const before: Thresholds = {
    onHand: level.onHand - (delta.onHand ?? 0),
    reserved: level.reserved - (delta.reserved ?? 0),
    safetyStock: level.safetyStock - (delta.safetyStock ?? 0),
    reorderPoint: level.reorderPoint - (delta.reorderPoint ?? 0),
  };
  if (isLowStock(level) && !isLowStock(before)) {
    recordOutboxEvent(em, 'stock.low', level.variantId, {
      variantId: level.variantId,
      locationId: level.locationId,
      onHand: level.onHand,
      reserved: level.reserved,
      safetyStock: level.safetyStock,
      reorderPoint: level.reorderPoint,
      available,
      at: new Date().toISOString(),
    });
  }
}
