import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Orm } from '../platform/database.js';
import type { ConnectorSource } from './channel-connectors.js';
import { tryLease } from './channel-lease.js';
import { channelForJob, markChannelError, markChannelSynced } from './channel-push.store.js';
import { applyPlatformErrorPolicy } from './platform-error-policy.js';
import { platformGate } from './platform-gate.js';
import type { QueuePayloads } from './queues.js';
import { pushDirtyStock, type StockPushSummary } from './stock-push.js';
import type { JobRuntime } from './worker-runner.js';

export interface StockPushDeps {
  orm: Pick<Orm, 'em'>;
  connectors: ConnectorSource;
  redis: Redis;
  prefix: string;
  /** The lease outlives a dead worker by at most this (the job lock duration). */
  leaseMs: number;
  /** How long a job waits when another push of the channel is running. */
  busyDelayMs?: number;
}

/**
 * Thin: takes the channel's push lease (else comes back shortly), pushes its dirty SKUs, and
 * hands any platform error to the one policy. A channel that is gone, disabled or disconnected
 * has nothing to push.
 */
export const stockPushProcessor =
  (deps: StockPushDeps) =>
  async (job: Job<QueuePayloads['stock-push']>, runtime: JobRuntime): Promise<StockPushSummary | null> => {
    const { channelId } = job.data;
    const release = await tryLease(deps.redis, `${deps.prefix}:lease:stock-push:${channelId}`, deps.leaseMs);
    if (!release) {
      await job.moveToDelayed(Date.now() + (deps.busyDelayMs ?? 250), runtime.token);
      throw new DelayedError();
    }
    const em = deps.orm.em.fork();
    const gate = platformGate(deps.redis, deps.prefix, channelId);
    try {
      if (!(await channelForJob(em, channelId))?.active) return null;
      await gate.pass(runtime);
      const summary = await pushDirtyStock(em, channelId, await deps.connectors(em, channelId));
      if (summary.calls > 0) await markChannelSynced(em, channelId);
      return summary;
    } catch (error) {
      return await applyPlatformErrorPolicy(error, runtime, {
        gate,
        markError: (message) => markChannelError(em, channelId, message),
      });
    } finally {
      await release();
    }
  };
