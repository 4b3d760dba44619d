import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { notFound } from '../errors.js';
import { channelFilterFor, scopedChannelId } from './channel-scope.js';
import { Channel } from './channel.entity.js';
import { sqlRows } from './sql.js';

/** A channel as reads return it: the row (without its ciphertext) and whether credentials are stored. */
export interface ChannelView {
  channel: Channel;
  hasCredentials: boolean;
}

export interface ChannelHealth {
  lastSyncAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Whole seconds since the last successful sync; null before the first one. */
  syncLagSeconds: number | null;
  disconnectedAt: Date | null;
}

export function channelHealthOf(channel: Channel, now: Date = new Date()): ChannelHealth {
  return {
    lastSyncAt: channel.lastSyncAt ?? null,
    lastError: channel.lastError ?? null,
    lastErrorAt: channel.lastErrorAt ?? null,
    syncLagSeconds: channel.lastSyncAt
      ? Math.max(0, Math.floor((now.getTime() - channel.lastSyncAt.getTime()) / 1000))
      : null,
    disconnectedAt: channel.disconnectedAt ?? null,
  };
}

/** Which of these channels hold credentials, in one query (the ciphertext itself is never read). */
async function withCredentialFlags(em: EntityManager, channels: Channel[]): Promise<ChannelView[]> {
  if (channels.length === 0) return [];
  const rows = await sqlRows<{ id: string }>(
    em,
    `select id from channel
     where id = any(array(select jsonb_array_elements_text(?::jsonb))) and credentials_ciphertext is not null`,
    [JSON.stringify(channels.map((c) => c.id))],
  );
  const withSecrets = new Set(rows.map((r) => r.id));
  return channels.map((channel) => ({ channel, hasCredentials: withSecrets.has(channel.id) }));
}

/** Every channel by id; a channel-scoped key sees only its own. */
export async function listChannels(ctx: OperationContext): Promise<ChannelView[]> {
  const scope = scopedChannelId(ctx.actor);
  const channels = await ctx.em.find(Channel, scope === null ? {} : { id: scope }, { orderBy: { id: 'asc' } });
  return withCredentialFlags(ctx.em, channels);
}

/** One channel; a channel-scoped key asking for another is refused (FORBIDDEN), as for orders. */
export async function findChannel(ctx: OperationContext, id: string): Promise<ChannelView> {
  const wanted = channelFilterFor(ctx.actor, id) ?? id;
  const channel = await ctx.em.findOne(Channel, { id: wanted });
  if (!channel) throw notFound('Channel', wanted);
  const [view] = await withCredentialFlags(ctx.em, [channel]);
  return view!;
}

/** The same, for a channel just written (the caller's EntityManager already holds it). */
export async function viewOf(em: EntityManager, channel: Channel): Promise<ChannelView> {
  const [view] = await withCredentialFlags(em, [channel]);
  return view!;
}
