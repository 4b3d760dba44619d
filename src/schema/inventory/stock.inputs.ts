import { ArgsType, Field, ID, Int } from 'type-graphql';
import { PageArgs } from '../common/page-args.js';
import { MAX_STOCK_QUANTITY, MAX_VARIANT_UNITS } from '../../domain/input-limits.js';

@ArgsType()
export class StockLevelsArgs {
  @Field(() => String, { nullable: true, description: 'Only this SKU.' })
  sku?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this location.' })
  locationId?: string | null;
}

@ArgsType()
export class AvailableToSellArgs {
  @Field()
  sku!: string;

  @Field({ description: 'The channel whose eligible locations and stock buffer apply.' })
  channelId!: string;
}

@ArgsType()
export class StockMovementsArgs extends PageArgs {
  @Field()
  sku!: string;

  @Field(() => ID, { nullable: true, description: 'Only this location; all locations when absent.' })
  locationId?: string | null;
}

@ArgsType()
export class LowStockItemsArgs {
  @Field(() => Int, { nullable: true, description: 'Days from reorder to stock on the shelf, 1 to 365 (default 14).' })
  leadTimeDays?: number | null;
}

@ArgsType()
export class ReceiveStockArgs {
  @Field()
  sku!: string;

  @Field(() => ID)
  locationId!: string;

  @Field(() => Int, {
    description: `1 to ${MAX_STOCK_QUANTITY}; the SKU may hold at most ${MAX_VARIANT_UNITS} units across all locations.`,
  })
  quantity!: number;

  @Field(() => String, { nullable: true, description: 'e.g. the delivery note; at most 500 characters.' })
  reason?: string | null;
}

@ArgsType()
export class AdjustStockArgs {
  @Field()
  sku!: string;

  @Field(() => ID)
  locationId!: string;

  @Field(() => Int, {
    description: `Signed change of on hand, non-zero, -${MAX_STOCK_QUANTITY} to ${MAX_STOCK_QUANTITY}; may not take on hand below zero or below what is reserved, nor the SKU above ${MAX_VARIANT_UNITS} units across all locations.`,
  })
  delta!: number;

  @Field({ description: 'Why stock changed (count, damage, …), 1 to 500 characters; kept on the ledger.' })
  reason!: string;
}

@ArgsType()
export class TransferStockArgs {
  @Field()
  sku!: string;

  @Field(() => ID)
  fromLocationId!: string;

  @Field(() => ID)
  toLocationId!: string;

  @Field(() => Int, { description: `1 to ${MAX_STOCK_QUANTITY}; at most the unreserved on hand at fromLocationId.` })
  quantity!: number;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@ArgsType()
export class StockThresholdArgs {
  @Field()
  sku!: string;

  @Field(() => ID)
  locationId!: string;

  @Field(() => Int, { description: `0 to ${MAX_STOCK_QUANTITY}.` })
  quantity!: number;
}
