import { LockMode, type EntityManager } from '@mikro-orm/core';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { eligibleLocations } from '../inventory/allocation.service.js';
import { Location } from '../inventory/location.entity.js';
import { readLevels } from '../inventory/stock-ledger.js';
import { availableOf } from '../inventory/stock-level.entity.js';
import { allocateOrderStock } from './allocate-order.js';
import { OrderLine } from './order-line.entity.js';
import { waitsForStock } from './order-hold.js';
import { Order } from './order.entity.js';

/**
 * Gives newly available stock of one variant to the orders waiting for it, first come first
 * served: BACKORDERED orders with open quantity of that variant, oldest `placedAt` first, each
 * sourced with the usual rules (allocateOrderStock) and moved to ALLOCATED once fully covered.
 * An order held while BACKORDERED keeps its place in line: it is served too, but stays ON_HOLD
 * (nothing ships) until the release moves it on (waitsForStock).
 * Runs in the caller's transaction right after the stock arrived (receipt, transfer in, return,
 * positive count), so the stock is never visible as free while an older order waits for it.
 * Stops as soon as no location that ships online has any of the variant left. Returns the number
 * of orders that got stock.
 */
export async function allocateBackorders(
  tx: EntityManager,
  ctx: OperationContext,
  variantId: string,
  trigger: string,
): Promise<number> {
  const waiting: { id: string; channel_id: string }[] = await tx
    .getConnection()
    .execute<{ id: string; channel_id: string }[]>(
      // Open lines of the variant first (a small partial index), then their waiting orders (the
      // status test is waitsForStock's, re-checked below under the lock).
      `select o.id, o.channel_id from "order" o
     where (o.status = 'BACKORDERED' or (o.status = 'ON_HOLD' and o.held_from_status = 'BACKORDERED'))
       and o.id in (select l.order_id from order_line l
                    where l.variant_id = ? and l.quantity > l.quantity_allocated + l.quantity_cancelled)
     order by o.placed_at, o.id`,
      [variantId],
      'all',
      tx.getTransactionContext(),
    );
  if (waiting.length === 0) return 0;

  const online = new Set((await tx.find(Location, { active: true, fulfilsOnline: true })).map((l) => l.id));
  const eligibleByChannel = new Map<string, Set<string>>();
  const freeAt = async (locations: Set<string>) =>
    (await readLevels(tx, [variantId]))
      .filter((l) => locations.has(l.locationId))
      .reduce((sum, l) => sum + Math.max(0, availableOf(l)), 0);

  let served = 0;
  for (const row of waiting) {
    if ((await freeAt(online)) <= 0) break;
    let eligible = eligibleByChannel.get(row.channel_id);
    if (!eligible)
      eligibleByChannel.set(
        row.channel_id,
        (eligible = new Set((await eligibleLocations(tx, row.channel_id)).map((c) => c.id))),
      );
    // None of it where this order's channel may ship from: the next order in line may still use it.
    if ((await freeAt(eligible)) <= 0) continue;

    // Lock, then re-check: a concurrent cancellation or allocation may have moved the order on.
    const order = await tx.findOne(Order, { id: row.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!order || !waitsForStock(order)) continue;
    const channel = await tx.findOneOrFail(Channel, { id: row.channel_id });
    const lines = await tx.find(OrderLine, { order: order.id }, { orderBy: { position: 'asc' }, refresh: true });
    const result = await allocateOrderStock(tx, ctx, order, lines, channel, { trigger });
    if (result.reserved.length > 0) {
      served++;
      // Every change to an order moves its version, so a change prepared concurrently from the old one fails (claimOrder).
      order.updatedAt = new Date();
    }
  }
  return served;
}
