import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../../context.js';
import { allocateBackorders } from '../backorder-allocation.js';

/**
 * Stock this change set free (released reservations, restocked returns) goes to the orders
 * waiting for it, oldest first, in the same transaction — as when stock is received — so it is
 * never visible as free while an older backorder waits. Flushes first: backorder allocation
 * re-reads the orders it serves, possibly this one.
 */
export async function handFreedStock(
  tx: EntityManager,
  ctx: OperationContext,
  variantIds: string[],
  trigger: string,
): Promise<void> {
  if (variantIds.length === 0) return;
  await tx.flush();
  for (const variantId of [...new Set(variantIds)].sort()) await allocateBackorders(tx, ctx, variantId, trigger);
}
