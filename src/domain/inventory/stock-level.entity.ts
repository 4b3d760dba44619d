import { defineEntity, p } from '@mikro-orm/core';

/**
 * Stock of one variant at one location. `available = onHand − reserved − safetyStock`.
 * Changed only through the inventory services, each change with its ledger row.
 */
export const StockLevelSchema = defineEntity({
  name: 'StockLevel',
  tableName: 'stock_level',
  properties: {
    variantId: p.uuid().primary(),
    locationId: p.uuid().primary(),
    onHand: p.integer().default(0),
    reserved: p.integer().default(0),
    safetyStock: p.integer().default(0),
    reorderPoint: p.integer().default(0),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class StockLevel extends StockLevelSchema.class {}
StockLevelSchema.setClass(StockLevel);

export function availableOf(level: { onHand: number; reserved: number; safetyStock: number }): number {
  return level.onHand - level.reserved - level.safetyStock;
}

/** A level's columns as SQL expressions (e.g. `s.on_hand`), for the SQL forms of the rules below. */
export interface LevelSql {
  onHand: string;
  reserved: string;
  safetyStock: string;
  reorderPoint: string;
}

/** The columns of a `stock_level` row under an alias (`''` for none). */
export function levelColumns(alias = ''): LevelSql {
  const a = alias ? `${alias}.` : '';
  return {
    onHand: `${a}on_hand`,
    reserved: `${a}reserved`,
    safetyStock: `${a}safety_stock`,
    reorderPoint: `${a}reorder_point`,
  };
}

/** availableOf in SQL, for statements that must apply the same rule (the reserve condition, messages). */
export function availableSql(level: Pick<LevelSql, 'onHand' | 'reserved' | 'safetyStock'>): string {
  return `${level.onHand} - ${level.reserved} - ${level.safetyStock}`;
}

/**
 * The condition of every reservation: at least `quantity` (an SQL expression) available. The
 * stock ledger's reserveStock and the one-statement placement both reserve under it.
 */
export function canReserveSql(level: LevelSql, quantity: string): string {
  return `${availableSql(level)} >= ${quantity}`;
}
