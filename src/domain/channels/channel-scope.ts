import type { Principal } from '../auth/principal.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';

/**
 * Channel scope: a key with a channelId sees only that channel's orders, customers and stock
 * figures. This is the key's own channel, or null for a key that sees every channel.
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
