import type { Principal } from '../auth/principal.js';
import { scopedChannelId } from '../channels/channel-scope.js';
import type { Order } from './order.entity.js';

/**
 * Channel scope for orders (channels/channel-scope.ts): outside the scope an order simply does
 * not exist for the caller: reads answer NOT_FOUND exactly as for an unknown id, so scope never
 * reveals what other channels hold.
 */
export function isOrderVisibleTo(actor: Principal, order: Order): boolean {
  const scope = scopedChannelId(actor);
  return scope === null || order.channel.id === scope;
}
