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
