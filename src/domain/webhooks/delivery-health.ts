import type { EntityManager } from '@mikro-orm/core';
import { sqlRows } from '../channels/sql.js';

/** A channel's webhook inbox as its health shows it. */
export interface ChannelDeliveryHealth {
  /** Stored and not yet done (pending or held by a worker). */
  deliveriesPending: number;
  /** Out of retries; replayable with replayWebhookDelivery. */
  deliveriesFailed: number;
  /** When the oldest pending delivery was received; null when none is pending. */
  oldestPendingAt: Date | null;
}

export const NO_DELIVERIES: ChannelDeliveryHealth = {
  deliveriesPending: 0,
  deliveriesFailed: 0,
  oldestPendingAt: null,
};

/**
 * The inbox figures of many channels in one query (index webhook_delivery_channel_status_idx:
 * only pending, processing and failed rows are read, never the processed history).
 */
export async function deliveryHealthOfChannels(
  em: EntityManager,
  channelIds: readonly string[],
): Promise<Map<string, ChannelDeliveryHealth>> {
  const found = new Map<string, ChannelDeliveryHealth>();
  if (channelIds.length === 0) return found;
  const rows = await sqlRows<{ channel_id: string; pending: string; failed: string; oldest: Date | string | null }>(
    em,
    `select channel_id,
            count(*) filter (where status in ('pending', 'processing')) as pending,
            count(*) filter (where status = 'failed') as failed,
            min(received_at) filter (where status in ('pending', 'processing')) as oldest
     from webhook_delivery
     where channel_id = any(array(select jsonb_array_elements_text(?::jsonb)))
       and status in ('pending', 'processing', 'failed')
     group by channel_id`,
    [JSON.stringify(channelIds)],
  );
  for (const r of rows)
    found.set(r.channel_id, {
      deliveriesPending: Number(r.pending),
      deliveriesFailed: Number(r.failed),
      oldestPendingAt: r.oldest === null ? null : new Date(r.oldest),
    });
  return found;
}

/** Whole seconds the oldest pending delivery has waited; 0 when none is pending. */
export function webhookLagSeconds(health: ChannelDeliveryHealth, now: Date = new Date()): number {
  return health.oldestPendingAt
    ? Math.max(0, Math.floor((now.getTime() - health.oldestPendingAt.getTime()) / 1000))
    : 0;
}
