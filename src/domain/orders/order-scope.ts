import type { Principal } from '../auth/principal.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import type { Order } from './order.entity.js';

/**
 * Channel scope: a key with a channelId sees only that channel's orders (and the customers who
 * ordered there). Outside the scope an order simply does not exist for the caller: reads answer
 * NOT_FOUND exactly as for an unknown id, so scope never reveals what other channels hold.
 */
export function scopedChannelId(actor: Principal): string | null {
  return actor.channelId;
}

/**
 * The channel a read is limited to: the key's own channel, or the one the caller asked for.
 * Asking a channel-scoped key for another channel is refused (FORBIDDEN names only the key's
 * own channel, nothing about the other). A blank channelId is refused rather than read as
 * "every channel": it is a client bug, and the answer would silently cover more than asked.
 */
export function channelFilterFor(actor: Principal, requested: string | null | undefined): string | null {
  if (typeof requested === 'string' && !requested.trim())
    throw badInput('channelId', 'must not be blank: leave it out (or null) instead');
  const wanted = requested?.trim() || null;
  const scope = scopedChannelId(actor);
  if (scope === null) return wanted;
  if (wanted !== null && wanted !== scope) {
    throw new DomainError(ErrorCode.FORBIDDEN, `This key only sees channel ${scope}`, {
      field: 'channelId',
      channelId: scope,
    });
  }
  return scope;
}

export function isOrderVisibleTo(actor: Principal, order: Order): boolean {
  const scope = scopedChannelId(actor);
  return scope === null || order.channel.id === scope;
}
