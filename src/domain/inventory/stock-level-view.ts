import type { LevelRow } from './stock-ledger.js';
import { availableOf } from './stock-level.entity.js';

/** A stock level as callers see it: with its SKU, its location's code and what is available. */
export interface StockLevelView extends LevelRow {
  sku: string;
  locationCode: string;
  /** onHand − reserved − safetyStock; negative when safety stock is not covered. */
  available: number;
}

export function stockLevelView(level: LevelRow, sku: string, locationCode: string): StockLevelView {
  return { ...level, sku, locationCode, available: availableOf(level) };
}
