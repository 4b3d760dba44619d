import { defineEntity, p } from '@mikro-orm/core';

export const MOVEMENT_KINDS = [
  'received',
  'adjusted',
  'reserved',
  'released',
  'shipped',
  'returned',
  'transfer_out',
  'transfer_in',
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** The append-only stock ledger: every level equals the sum of its rows' deltas. */
export const StockMovementSchema = defineEntity({
  name: 'StockMovement',
  tableName: 'stock_movement',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    variantId: p.uuid(),
    locationId: p.uuid(),
    kind: p.enum([...MOVEMENT_KINDS]),
    onHandDelta: p.integer(),
    reservedDelta: p.integer(),
    reason: p.string().length(500).nullable(),
    orderId: p.uuid().nullable(),
    actor: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class StockMovement extends StockMovementSchema.class {}
StockMovementSchema.setClass(StockMovement);
