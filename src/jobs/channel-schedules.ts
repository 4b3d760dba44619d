import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { activeChannelIds, channelForJob } from './channel-push.store.js';
import type { QueueRegistry } from './queues.js';

export interface ChannelScheduleOptions {
  pullEveryMs: number;
  reconcileEveryMs: number;
}

const pullId = (channelId: string) => `pull.${channelId}`;
const reconcileId = (channelId: string) => `reconcile.${channelId}`;
const channelOfScheduler = (id: string): string | null => /^(?:pull|reconcile)\.(.+)$/.exec(id)?.[1] ?? null;

/**
 * Keeps BullMQ's job schedulers in step with the channels: every active channel (connected,
 * enabled, not disconnected) has a periodic pull (a safety net behind webhooks) and a
 * reconciliation pass; any other channel has none. `upsertJobScheduler` makes this safe to run
 * from every worker process at once and as often as wanted.
 */
export class ChannelSchedules {
  constructor(
    private readonly orm: { em: EntityManager },
    private readonly queue: QueueRegistry['channel-sync'],
    private readonly options: ChannelScheduleOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Brings the schedulers of these channels in line with their rows (after `channel.changed`);
   * `em` is the caller's transaction when the database serves one session.
   */
  async sync(channelIds: readonly string[], em: EntityManager = this.orm.em.fork()): Promise<void> {
    for (const channelId of channelIds) {
      const channel = await channelForJob(em, channelId);
      if (channel?.active) await this.schedule(channelId);
      else await this.unschedule(channelId);
    }
  }

  /** At start-up: schedules every active channel and removes schedulers of any other. */
  async syncAll(): Promise<void> {
    const active = new Set(await activeChannelIds(this.orm.em.fork()));
    const existing = await this.queue.getJobSchedulers(0, -1);
    for (const s of existing) {
      const channelId = channelOfScheduler(s.key);
      if (channelId && !active.has(channelId)) await this.unschedule(channelId);
    }
    for (const channelId of active) await this.schedule(channelId);
    this.logger.info({ channels: active.size }, 'channel sync schedules in place');
  }

  private async schedule(channelId: string): Promise<void> {
    await this.queue.upsertJobScheduler(
      pullId(channelId),
      { every: this.options.pullEveryMs },
      { name: 'pull', data: { channelId, mode: 'pull' } },
    );
    await this.queue.upsertJobScheduler(
      reconcileId(channelId),
      { every: this.options.reconcileEveryMs },
      { name: 'reconcile', data: { channelId, mode: 'reconcile' } },
    );
  }

  private async unschedule(channelId: string): Promise<void> {
    await this.queue.removeJobScheduler(pullId(channelId));
    await this.queue.removeJobScheduler(reconcileId(channelId));
  }
}
