import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelConnector } from '../connectors/connector.js';
import type { Orm } from '../platform/database.js';
import type { ConnectorSource } from './channel-connectors.js';
import {
  channelForJob,
  markChannelError,
  markChannelSynced,
  orderForCancellation,
  pushRecorded,
  recordPush,
  shipmentForPush,
  type CancellationRow,
} from './channel-push.store.js';
import { applyPlatformErrorPolicy } from './platform-error-policy.js';
import { platformGate } from './platform-gate.js';
import type { QueuePayloads } from './queues.js';
import type { JobRuntime } from './worker-runner.js';

export interface ChannelPushDeps {
  orm: Pick<Orm, 'em'>;
  connectors: ConnectorSource;
  redis: Redis;
  prefix: string;
}

/**
 * Whether the hub itself cancelled the order (and the platform must be told). A cancellation
 * ingested from the platform, or made by the hub's own automation, runs as the `system` actor
 * (ingestion and jobs act as SYSTEM_PRINCIPAL); one made through the API carries the key that
 * asked. Pushing a platform's own cancellation back would be a loop.
 */
export function hubInitiatedCancellation(row: CancellationRow): boolean {
  return row.status === 'CANCELLED' && row.cancelledBy !== null && row.cancelledBy.actorKind !== 'system';
}

/** Runs one outbound effect for a channel: gate, connector, error policy, health. */
async function withChannel<T>(
  deps: ChannelPushDeps,
  runtime: JobRuntime,
  channelId: string,
  effect: (connector: ChannelConnector) => Promise<T>,
): Promise<T | null> {
  const em = deps.orm.em.fork();
  const gate = platformGate(deps.redis, deps.prefix, channelId);
  try {
    if (!(await channelForJob(em, channelId))?.active) return null;
    await gate.pass(runtime);
    const result = await effect((await deps.connectors(em, channelId)).connector);
    await markChannelSynced(em, channelId);
    return result;
  } catch (error) {
    return await applyPlatformErrorPolicy(error, runtime, {
      gate,
      markError: (message) => markChannelError(em, channelId, message),
    });
  }
}

/**
 * A shipped shipment's tracking to its channel, once: the push record (written after the
 * platform answered) makes a rerun a no-op, and the idempotency key (the shipment id) covers a
 * crash between the platform's answer and the record.
 */
export const fulfilmentPushProcessor =
  (deps: ChannelPushDeps) =>
  async (job: Job<QueuePayloads['fulfilment-push']>, runtime: JobRuntime): Promise<string | null> => {
    const { shipmentId } = job.data;
    const em = deps.orm.em.fork();
    if (await pushRecorded(em, 'fulfilment', shipmentId)) return null;
    const shipment = await shipmentForPush(em, shipmentId);
    if (!shipment || shipment.lines.length === 0) return null;
    return withChannel(deps, runtime, shipment.channelId, async (connector) => {
      const fulfilmentId = await connector.pushFulfilment(
        {
          externalOrderId: shipment.externalOrderId,
          lines: shipment.lines,
          trackingNumber: shipment.trackingNumber,
          carrier: shipment.carrier,
          trackingUrl: shipment.trackingUrl,
        },
        `fulfilment-${shipmentId}`,
      );
      await recordPush(em, 'fulfilment', shipmentId, shipment.channelId, fulfilmentId);
      return fulfilmentId;
    });
  };

/** An order the hub cancelled, cancelled on its platform too, once (as fulfilments above). */
export const cancellationPushProcessor =
  (deps: ChannelPushDeps) =>
  async (job: Job<QueuePayloads['cancellation-push']>, runtime: JobRuntime): Promise<boolean> => {
    const { orderId } = job.data;
    const em = deps.orm.em.fork();
    if (await pushRecorded(em, 'cancellation', orderId)) return false;
    const order = await orderForCancellation(em, orderId);
    if (!order || !hubInitiatedCancellation(order)) return false;
    const pushed = await withChannel(deps, runtime, order.channelId, async (connector) => {
      await connector.pushCancellation(
        order.externalOrderId,
        order.cancelledBy?.reason ?? 'cancelled',
        `cancellation-${orderId}`,
      );
      await recordPush(em, 'cancellation', orderId, order.channelId, null);
      return true;
    });
    return pushed ?? false;
  };
