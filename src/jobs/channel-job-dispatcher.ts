import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { DIRECT_CHANNEL_ID } from '../domain/channels/channel.entity.js';
import type { OutboxMessage, OutboxPayloads } from '../domain/outbox/outbox-message.js';
import {
  listingsTableExists,
  markListingsDirty,
  markVariantsDirty,
  unpushedShippedShipments,
} from './channel-push.store.js';
import type { OutboxPublisher } from './outbox-relay.js';
import type { QueueRegistry } from './queues.js';

/** The outbox topic the channels work writes when a channel is connected, changed or disconnected. */
export const CHANNEL_CHANGED_TOPIC = 'channel.changed';

export interface ChannelJobDispatcherDeps {
  orm: { em: EntityManager };
  queues: Pick<QueueRegistry, 'stock-push' | 'fulfilment-push' | 'cancellation-push'>;
  /** Stock changes of one channel are coalesced over slices this long: at most one push job per slice. */
  stockPushIntervalMs: number;
  /** Called with the channels named by `channel.changed` (the schedulers follow them). */
  onChannelChanged?: (channelIds: string[], em?: EntityManager) => Promise<void>;
  /**
   * The database serves one session (PGlite): work in the relay's claiming transaction, never on
   * a connection of its own (which would wait for that transaction: a deadlock). On PostgreSQL
   * the dirty marks commit at once instead, before the push job can run.
   */
  singleSession?: boolean;
  logger: Logger;
  now?: () => number;
}

/**
 * The job ids of stock pushes: one per channel and time slice. Changes committed during slice
 * n enqueue the job of slice n + 1, delayed to the start of that slice, so it runs after every
 * change of slice n was marked dirty; a second add of the same id is a no-op. BullMQ job ids may
 * not contain ':'.
 */
export function stockPushJob(channelId: string, now: number, intervalMs: number): { jobId: string; delay: number } {
  const slice = Math.floor(now / intervalMs) + 1;
  return { jobId: `stock-push.${channelId}.${slice}`, delay: Math.max(0, slice * intervalMs - now) };
}

/**
 * Turns committed outbox events into channel jobs: the relay calls it with each claimed batch
 * after the Redis publish and before marking the rows published, so a failure here leaves the
 * batch to be claimed again. Everything it does is idempotent (dirty rows are upserts, job ids
 * are deterministic, the pushes check what was already pushed), so at-least-once is enough.
 *
 * - stock.level_changed → the SKU dirty on every active channel listing it (committed at once,
 *   in a statement of its own), and one delayed stock-push per channel and slice;
 * - channel.listing_mapped → that listing dirty, pushed the same way;
 * - order.status_changed to CANCELLED on a platform channel → cancellation-push (the processor
 *   skips cancellations that came from the platform itself);
 * - order.event_recorded `shipment_shipped` on a platform channel → fulfilment-push per shipped,
 *   not yet pushed shipment of the order;
 * - channel.changed → onChannelChanged (schedulers added or removed).
 */
export function channelJobDispatcher(deps: ChannelJobDispatcherDeps): OutboxPublisher {
  const now = deps.now ?? Date.now;
  let listings = false;
  return {
    async publish(messages: readonly OutboxMessage[], claim?: EntityManager) {
      const variantIds = new Set<string>();
      const cancelled = new Set<string>();
      const shippedOrders = new Set<string>();
      const changedChannels = new Set<string>();
      const mapped: OutboxPayloads['channel.listing_mapped'][] = [];
      for (const m of messages) {
        if (m.topic === 'stock.level_changed') {
          variantIds.add((m.payload as OutboxPayloads['stock.level_changed']).variantId);
        } else if (m.topic === 'order.status_changed') {
          const p = m.payload as OutboxPayloads['order.status_changed'];
          if (p.to === 'CANCELLED' && p.channelId !== DIRECT_CHANNEL_ID) cancelled.add(p.orderId);
        } else if (m.topic === 'order.event_recorded') {
          const p = m.payload as OutboxPayloads['order.event_recorded'];
          if (p.type === 'shipment_shipped' && p.channelId !== DIRECT_CHANNEL_ID) shippedOrders.add(p.orderId);
        } else if ((m.topic as string) === 'channel.listing_mapped') {
          mapped.push(m.payload as OutboxPayloads['channel.listing_mapped']);
        } else if ((m.topic as string) === CHANNEL_CHANGED_TOPIC) {
          changedChannels.add(m.aggregateId);
        }
      }
      const shared = deps.singleSession === true && claim !== undefined ? claim : undefined;
      const em = shared ?? deps.orm.em.fork();
      if ((variantIds.size > 0 || mapped.length > 0) && (listings ||= await listingsTableExists(em))) {
        const channels = [
          ...new Set([...(await markVariantsDirty(em, [...variantIds])), ...(await markListingsDirty(em, mapped))]),
        ];
        if (channels.length > 0) {
          const at = now();
          await deps.queues['stock-push'].addBulk(
            channels.map((channelId) => {
              const { jobId, delay } = stockPushJob(channelId, at, deps.stockPushIntervalMs);
              return { name: 'push', data: { channelId }, opts: { jobId, delay } };
            }),
          );
        }
      }
      if (cancelled.size > 0) {
        await deps.queues['cancellation-push'].addBulk(
          [...cancelled].map((orderId) => ({
            name: 'cancel',
            data: { orderId },
            opts: { jobId: `cancellation-push.${orderId}` },
          })),
        );
      }
      const shipments: string[] = [];
      for (const orderId of shippedOrders) shipments.push(...(await unpushedShippedShipments(em, orderId)));
      if (shipments.length > 0) {
        await deps.queues['fulfilment-push'].addBulk(
          shipments.map((shipmentId) => ({
            name: 'fulfil',
            data: { shipmentId },
            opts: { jobId: `fulfilment-push.${shipmentId}` },
          })),
        );
      }
      if (changedChannels.size > 0) await deps.onChannelChanged?.([...changedChannels], shared);
    },
  };
}
