import { Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import {
  adjustStock,
  receiveStock,
  setStockThreshold,
  transferStock,
} from '../../domain/orders/stock-change.service.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { AdjustStockArgs, ReceiveStockArgs, StockThresholdArgs, TransferStockArgs } from './stock.inputs.js';
import { StockLevelNode, stockLevelNodeOf, StockTransfer } from './stock.types.js';

@Resolver()
export class StockMutationResolver {
  @Authorized(allowed('receiveStock'))
  @Mutation(() => StockLevelNode, {
    description: 'Stock arrives at a location; backordered orders get it first, oldest first.',
  })
  async receiveStock(
    @Args(() => ReceiveStockArgs) args: ReceiveStockArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelNode> {
    return stockLevelNodeOf(await receiveStock(operationContext(ctx), args));
  }

  @Authorized(allowed('adjustStock'))
  @Mutation(() => StockLevelNode, {
    description: 'Corrects on hand (count, damage) with a reason; never below zero or below what is reserved.',
  })
  async adjustStock(
    @Args(() => AdjustStockArgs) args: AdjustStockArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelNode> {
    return stockLevelNodeOf(await adjustStock(operationContext(ctx), args));
  }

  @Authorized(allowed('transferStock'))
  @Mutation(() => StockTransfer, {
    description: 'Moves unreserved stock between two locations, both sides or neither.',
  })
  async transferStock(
    @Args(() => TransferStockArgs) args: TransferStockArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockTransfer> {
    const { from, to } = await transferStock(operationContext(ctx), args);
    return { from: stockLevelNodeOf(from), to: stockLevelNodeOf(to) };
  }

  @Authorized(allowed('setSafetyStock'))
  @Mutation(() => StockLevelNode, { description: 'Units of a level kept back from sale.' })
  async setSafetyStock(
    @Args(() => StockThresholdArgs) args: StockThresholdArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelNode> {
    return stockLevelNodeOf(
      await setStockThreshold(operationContext(ctx), {
        sku: args.sku,
        locationId: args.locationId,
        field: 'safetyStock',
        value: args.quantity,
      }),
    );
  }

  @Authorized(allowed('setReorderPoint'))
  @Mutation(() => StockLevelNode, {
    description: 'Available at or below this makes the level low stock (0 turns the alert off).',
  })
  async setReorderPoint(
    @Args(() => StockThresholdArgs) args: StockThresholdArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelNode> {
    return stockLevelNodeOf(
      await setStockThreshold(operationContext(ctx), {
        sku: args.sku,
        locationId: args.locationId,
        field: 'reorderPoint',
        value: args.quantity,
      }),
    );
  }
}
