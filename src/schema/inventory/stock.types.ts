import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { LowStockItem } from '../../domain/inventory/low-stock.query.js';
import type { StockLevelView } from '../../domain/inventory/stock-level-view.js';
import type { MovementKind } from '../../domain/inventory/stock-movement.entity.js';
import type { StockMovementView } from '../../domain/inventory/stock-movements.query.js';
import { PageInfo } from '../common/page-info.type.js';

@ObjectType('StockLevel', { description: 'Stock of one SKU at one location.' })
export class StockLevelNode {
  @Field()
  sku!: string;

  @Field(() => ID)
  variantId!: string;

  @Field(() => ID)
  locationId!: string;

  @Field()
  locationCode!: string;

  @Field(() => Int, { description: 'Units physically there.' })
  onHand!: number;

  @Field(() => Int, { description: 'Units held for orders.' })
  reserved!: number;

  @Field(() => Int, { description: 'Units kept back from sale.' })
  safetyStock!: number;

  @Field(() => Int, { description: 'Available at or below this is low stock (0: not watched).' })
  reorderPoint!: number;

  @Field(() => Int, {
    description:
      'onHand − reserved − safetyStock: what new orders may take (negative when safety stock is not covered).',
  })
  available!: number;
}

export function stockLevelNodeOf(v: StockLevelView): StockLevelNode {
  return {
    sku: v.sku,
    variantId: v.variantId,
    locationId: v.locationId,
    locationCode: v.locationCode,
    onHand: v.onHand,
    reserved: v.reserved,
    safetyStock: v.safetyStock,
    reorderPoint: v.reorderPoint,
    available: v.available,
  };
}

@ObjectType({ description: 'Both ends of a transfer, as they are after it.' })
export class StockTransfer {
  @Field(() => StockLevelNode)
  from!: StockLevelNode;

  @Field(() => StockLevelNode)
  to!: StockLevelNode;
}

export enum StockMovementKind {
  RECEIVED = 'received',
  ADJUSTED = 'adjusted',
  RESERVED = 'reserved',
  RELEASED = 'released',
  SHIPPED = 'shipped',
  RETURNED = 'returned',
  TRANSFER_OUT = 'transfer_out',
  TRANSFER_IN = 'transfer_in',
}
registerEnumType(StockMovementKind, {
  name: 'StockMovementKind',
  description: 'What moved stock: each ledger row is one of these.',
});

@ObjectType('StockMovement', {
  description: 'One row of the append-only stock ledger; a level always equals the sum of its rows.',
})
export class StockMovementNode {
  @Field(() => ID)
  id!: string;

  @Field()
  sku!: string;

  @Field(() => ID)
  locationId!: string;

  @Field()
  locationCode!: string;

  @Field(() => StockMovementKind)
  kind!: StockMovementKind;

  @Field(() => Int)
  onHandDelta!: number;

  @Field(() => Int)
  reservedDelta!: number;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => ID, { nullable: true, description: 'The order a reservation, release or shipment was for.' })
  orderId!: string | null;

  @Field({ description: 'Who moved it: an API key id, "bootstrap" or "system".' })
  actor!: string;

  @Field()
  createdAt!: Date;
}

export function stockMovementNodeOf(m: StockMovementView): StockMovementNode {
  return { ...m, kind: m.kind as MovementKind as StockMovementKind };
}

@ObjectType()
export class StockMovementEdge {
  @Field()
  cursor!: string;

  @Field(() => StockMovementNode)
  node!: StockMovementNode;
}

@ObjectType()
export class StockMovementConnection {
  @Field(() => [StockMovementEdge])
  edges!: StockMovementEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('LowStockItem', {
  description: 'A level at or below its reorder point, with a suggested reorder quantity.',
})
export class LowStockItemNode extends StockLevelNode {
  @Field(() => Float, { description: 'Units reserved minus units released per day, over the last 30 days.' })
  dailyVelocity!: number;

  @Field(() => Int)
  leadTimeDays!: number;

  @Field(() => Int, { description: 'ceil(dailyVelocity × leadTimeDays) + reorderPoint − available, at least 0.' })
  suggestedReorderQuantity!: number;
}

export function lowStockItemNodeOf(i: LowStockItem): LowStockItemNode {
  return { ...i };
}
