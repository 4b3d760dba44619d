import { Args, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { lowStockItems } from '../../domain/inventory/low-stock.query.js';
import { availableToSell, stockLevels } from '../../domain/inventory/stock-levels.query.js';
import { stockMovements } from '../../domain/inventory/stock-movements.query.js';
import { allowed } from '../auth/policy.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { AvailableToSellArgs, LowStockItemsArgs, StockLevelsArgs, StockMovementsArgs } from './stock.inputs.js';
import {
  LowStockItemNode,
  lowStockItemNodeOf,
  StockLevelNode,
  stockLevelNodeOf,
  StockMovementConnection,
  stockMovementNodeOf,
} from './stock.types.js';

@Resolver()
export class StockQueryResolver {
  @Authorized(allowed('stockLevels'))
  @Query(() => [StockLevelNode], {
    description: 'Levels of a SKU, a location, or both (at most 500; filter when more match).',
  })
  async stockLevels(
    @Args(() => StockLevelsArgs) args: StockLevelsArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelNode[]> {
    return (await stockLevels(operationContext(ctx), args)).map(stockLevelNodeOf);
  }

  @Authorized(allowed('availableToSell'))
  @Query(() => Int, {
    description:
      'What a channel may sell of a SKU: available (at least 0 per location) over the active locations shipping online for the channel, minus its stock buffer, at least 0.',
  })
  async availableToSell(
    @Args(() => AvailableToSellArgs) args: AvailableToSellArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return (await availableToSell(operationContext(ctx), args.sku, args.channelId)).quantity;
  }

  @Authorized(allowed('stockMovements'))
  @Query(() => StockMovementConnection, { description: 'The stock ledger of a SKU, newest first.' })
  async stockMovements(
    @Args(() => StockMovementsArgs) args: StockMovementsArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockMovementConnection> {
    return connectionOf(await stockMovements(operationContext(ctx), args), stockMovementNodeOf);
  }

  @Authorized(allowed('lowStockItems'))
  @Query(() => [LowStockItemNode], {
    description: 'Levels at or below their reorder point at active locations, most urgent first (at most 500).',
  })
  async lowStockItems(
    @Args(() => LowStockItemsArgs) args: LowStockItemsArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LowStockItemNode[]> {
    return (await lowStockItems(operationContext(ctx), { leadTimeDays: args.leadTimeDays ?? null })).map(
      lowStockItemNodeOf,
    );
  }
}
