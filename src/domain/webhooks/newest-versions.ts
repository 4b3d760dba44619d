import type { ChannelOrder } from '../channels/channel-order.js';
import type { ClaimedDelivery } from './delivery-claims.js';

export interface OrderVersion {
  delivery: Pick<ClaimedDelivery, 'id' | 'deliveryId' | 'triggeredAt' | 'receivedAt'>;
  order: ChannelOrder;
}

/**
 * Of several versions of the same platform orders (one batch of deliveries, in any order),
 * the newest of each: by the platform's `updatedAt`, then by when the platform says the event
 * happened (`triggeredAt`), then by arrival. The rest are superseded, each naming the delivery
 * that won. Pure.
 */
export function newestVersions<V extends OrderVersion>(
  versions: readonly V[],
): { newest: V[]; superseded: { version: V; by: V }[] } {
  const held = new Map<string, V>();
  const losers: V[] = [];
  for (const v of versions) {
    const current = held.get(v.order.externalId);
    if (!current) held.set(v.order.externalId, v);
    else if (isNewer(v, current)) {
      losers.push(current);
      held.set(v.order.externalId, v);
    } else losers.push(v);
  }
  return {
    newest: [...held.values()],
    superseded: losers.map((version) => ({ version, by: held.get(version.order.externalId)! })),
  };
}

function isNewer(a: OrderVersion, b: OrderVersion): boolean {
  if (a.order.updatedAt.getTime() !== b.order.updatedAt.getTime()) return a.order.updatedAt > b.order.updatedAt;
  const ta = a.delivery.triggeredAt?.getTime() ?? 0;
  const tb = b.delivery.triggeredAt?.getTime() ?? 0;
  if (ta !== tb) return ta > tb;
  return a.delivery.receivedAt > b.delivery.receivedAt;
}
