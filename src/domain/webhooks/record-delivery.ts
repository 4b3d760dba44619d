import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Channel } from '../channels/channel.entity.js';

const CHANNEL_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Why a channel takes no webhooks right now, with the HTTP status the inbox answers. */
export type WebhookChannelRefusal = { status: 404 | 409 | 410; code: string; message: string };

/**
 * The channel a delivery is addressed to, and why it would be refused: unknown ids and `direct`
 * (which has no platform) are 404 with no channel, a disconnected channel is 410 (gone: the
 * platform should stop sending), a disabled one 409 (it may be enabled again; Shopify retries
 * meanwhile). The last two come with the channel: some topics are taken even then.
 */
export async function webhookChannel(
  em: EntityManager,
  channelId: string,
): Promise<
  { channel: Channel; refusal: WebhookChannelRefusal | null } | { channel: null; refusal: WebhookChannelRefusal }
> {
  // Ids are readable codes; anything else (control characters, 10 kB) cannot match and never reaches SQL.
  const channel = CHANNEL_ID.test(channelId) ? await em.findOne(Channel, { id: channelId }) : null;
  if (!channel || channel.kind === 'direct') {
    const message = CHANNEL_ID.test(channelId) ? `No channel ${channelId} takes webhooks` : 'No such channel';
    return { channel: null, refusal: { status: 404, code: 'NOT_FOUND', message } };
  }
  if (channel.disconnectedAt)
    return { channel, refusal: { status: 410, code: 'GONE', message: `Channel ${channel.id} is disconnected` } };
  if (!channel.enabled)
    return { channel, refusal: { status: 409, code: 'CONFLICT', message: `Channel ${channel.id} is disabled` } };
  return { channel, refusal: null };
}

export interface NewDelivery {
  channelId: string;
  deliveryId: string;
  topic: string;
  triggeredAt: Date | null;
  /** The raw body as received (verified, valid JSON), stored unchanged for replay. */
  body: string;
}

/**
 * Stores a delivery once: the unique (channel_id, delivery_id) decides, in one statement, so
 * two copies arriving at once store one row. Returns the new row's id, or `duplicate` when
 * the platform sent this delivery before (whatever became of it).
 */
export async function recordDelivery(
  em: EntityManager,
  delivery: NewDelivery,
): Promise<{ id: string; duplicate: false } | { duplicate: true }> {
  const id = randomUUID();
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `insert into webhook_delivery (id, channel_id, delivery_id, topic, triggered_at, body)
     values (?, ?, ?, ?, ?, ?)
     on conflict (channel_id, delivery_id) do nothing
     returning id`,
    [id, delivery.channelId, delivery.deliveryId, delivery.topic, delivery.triggeredAt, delivery.body],
    'all',
  );
  return rows.length === 1 ? { id, duplicate: false } : { duplicate: true };
}
