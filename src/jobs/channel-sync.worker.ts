import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { IngestDeps, ingestChannelOrders } from '../domain/channels/ingest-channel-orders.js';
import type { Orm } from '../platform/database.js';
import type { ConnectorSource } from './channel-connectors.js';
import { tryRenewedLease } from './channel-lease.js';
import { channelForJob, markChannelError, markChannelListingsDirty, markChannelSynced } from './channel-push.store.js';
import type { SyncProgress } from '../domain/channels/sync-progress.js';
import { pullChannelOrders, pullStart, type PullOutcome } from './channel-sync.js';
import { takeCall } from './call-budget.js';
import { eventChannel } from './outbox-relay.js';
import { applyPlatformErrorPolicy } from './platform-error-policy.js';
import { platformGate } from './platform-gate.js';
import type { QueuePayloads, QueueRegistry } from './queues.js';
import type { JobRuntime } from './worker-runner.js';
import { SYNC_PROGRESS_TOPIC } from '../domain/channels/sync-progress.js';
import { matchChannelListings } from '../domain/channels/match-channel-listings.js';

/** Progress messages carry ids unique enough for the feed's redelivery check (not outbox ids). */
let progressSeq = 0;
const progressId = () => Date.now() * 1_000 + (progressSeq++ % 1_000);

export interface ChannelSyncDeps {
  orm: Pick<Orm, 'em'>;
  connectors: ConnectorSource;
  ingest: IngestDeps;
  /** The ingestion operation; the domain's ingestChannelOrders unless a test stands in for it. */
  ingestOrders?: typeof ingestChannelOrders;
  redis: Redis;
  prefix: string;
  queues: Pick<QueueRegistry, 'stock-push'>;
  logger: Logger;
  /** Orders a page of a pull (`CHANNEL_PULL_PAGE_SIZE`). */
  pageSize?: number;
  /** How long a dead worker's pull lease outlives it (the job lock duration); 30 s unless told. */
  leaseMs?: number;
  /** How long a requested pull waits while another pull of its channel runs; 1 s unless told. */
  busyDelayMs?: number;
}

/**
 * Thin: pulls a channel's orders (mode `pull`: since its cursor, moving it; `reconcile`: a
 * window again, so orders whose webhooks were lost are ingested, and every listed SKU marked
 * dirty so drifted stock is pushed again), reporting progress on the job and on Redis. A worker
 * shutting down stops the pull between pages and puts the job back; a rerun of a `pull` resumes
 * at the cursor, one with `since` or a `reconcile` reads its window again (ingestion is idempotent).
 */
export const channelSyncProcessor =
  (deps: ChannelSyncDeps) =>
  async (job: Job<QueuePayloads['channel-sync']>, runtime: JobRuntime): Promise<SyncProgress | null> => {
    const { channelId, mode } = job.data;
    // One pull of a channel at a time: concurrent pulls (the scheduler's next one, a requested
    // one, a stalled one rerun) would read and ingest the same pages twice over. A scheduled pull
    // that finds one running has nothing to add (the running one moves the cursor); a requested
    // one waits its turn. The lease lapses with a dead holder, so its work is taken over.
    const release =
      mode === 'pull'
        ? await tryRenewedLease(deps.redis, `${deps.prefix}:lease:channel-pull:${channelId}`, deps.leaseMs ?? 30_000)
        : async () => undefined;
    if (!release) {
      if (job.repeatJobKey) return null;
      await job.moveToDelayed(Date.now() + (deps.busyDelayMs ?? 1_000), runtime.token);
      throw new DelayedError();
    }
    let progress: SyncOutcome | null;
    try {
      progress = await syncOnce(deps, job, runtime);
    } finally {
      await release();
    }
    if (progress?.budgetWaitMs !== undefined) return await waitForBudget(job, runtime, progress);
    // Stopped between pages because this worker is shutting down: the job goes back (delayed to
    // now, not failed, no attempt spent) for the next worker, which resumes from the cursor. Left
    // running, a long backfill would outlast the shutdown deadline and stall.
    if (progress && !progress.done) {
      await job.moveToDelayed(Date.now(), runtime.token);
      throw new DelayedError();
    }
    return progress;
  };

/** A job's pull, with the window it read (so a pull stopped by its budget can go on in it). */
type SyncOutcome = PullOutcome & { windowStart?: string };

/**
 * The platform's call budget is spent (Amazon's searchOrders): a scheduled pull that read
 * nothing yet has nothing to keep, so it ends and the next one tries; any other pull waits
 * (delayed, no attempt spent) and goes on from its page once a call is due.
 */
async function waitForBudget(
  job: Job<QueuePayloads['channel-sync']>,
  runtime: JobRuntime,
  progress: SyncOutcome,
): Promise<SyncProgress | null> {
  if (job.repeatJobKey && progress.pulled === 0 && !job.data.resume) return null;
  await job.updateData({
    ...job.data,
    resume: { since: progress.windowStart!, cursor: progress.pageCursor ?? null },
  });
  await job.moveToDelayed(Date.now() + progress.budgetWaitMs!, runtime.token);
  throw new DelayedError();
}

async function syncOnce(
  deps: ChannelSyncDeps,
  job: Job<QueuePayloads['channel-sync']>,
  runtime: JobRuntime,
): Promise<SyncOutcome | null> {
  const { channelId, mode, since, resume } = job.data;
  const em = deps.orm.em.fork();
  const gate = platformGate(deps.redis, deps.prefix, channelId);
  try {
    const channel = await channelForJob(em, channelId);
    if (!channel?.active) return null;
    await gate.pass(runtime);
    const { connector } = await deps.connectors(em, channelId);
    const ctx = { actor: SYSTEM_PRINCIPAL, requestId: `job-${job.id ?? 'sync'}`, em, logger: deps.logger };
    // Listings matched by SKU first, so the orders pulled next and the stock pushes find them.
    if (connector.listVariantsBySku)
      await matchChannelListings(em, channelId, (skus) => connector.listVariantsBySku!(skus), {
        all: mode === 'reconcile',
      });
    const windowStart = resume ? new Date(resume.since) : pullStart(mode, since, channel.syncCursor, Date.now());
    const budget = connector.pullBudget;
    const progress = await pullChannelOrders(
      ctx,
      { connector, ingest: deps.ingest, ingestOrders: deps.ingestOrders },
      channelId,
      windowStart,
      {
        advanceCursor: mode === 'pull' && !since,
        pageSize: deps.pageSize,
        shouldStop: runtime.stopping,
        startCursor: resume?.cursor ?? null,
        // The getter each time: the connector learns the platform's announced rate as it goes.
        ...(budget ? { beforePage: () => takeCall(deps.redis, deps.prefix, connector.pullBudget!) } : {}),
        onProgress: async (p) => {
          await job.updateProgress({ ...p });
          // Shaped like an outbox message so the API's event feed carries it to syncProgress.
          const message = {
            id: progressId(),
            topic: SYNC_PROGRESS_TOPIC,
            aggregateId: channelId,
            payload: p,
            createdAt: new Date().toISOString(),
          };
          await deps.redis.publish(eventChannel(deps.prefix, SYNC_PROGRESS_TOPIC), JSON.stringify(message));
        },
      },
    );
    if (progress.budgetWaitMs !== undefined) return { ...progress, windowStart: windowStart.toISOString() };
    if (!progress.done) return progress;
    if (mode === 'reconcile' && (await markChannelListingsDirty(em, channelId)) > 0) {
      const jobId = `stock-push.${channelId}.reconcile.${job.id ?? Date.now()}`.replaceAll(':', '_');
      await deps.queues['stock-push'].add('push', { channelId }, { jobId });
    }
    await markChannelSynced(em, channelId);
    return progress;
  } catch (error) {
    return await applyPlatformErrorPolicy(error, runtime, {
      gate,
      markError: (message) => markChannelError(em, channelId, message),
    });
  }
}
