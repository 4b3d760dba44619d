import type { ChannelSyncPort } from '../domain/channels/channel-deps.js';
import type { QueueRegistry } from './queues.js';

/**
 * `syncChannel` from the API: one `channel-sync` pull job per request. The id is unique per
 * request (a merchant who asks twice gets two pulls; each is idempotent, as every ingestion is).
 */
export function queuedChannelSync(queues: Pick<QueueRegistry, 'channel-sync'>): ChannelSyncPort {
  return {
    async requestSync(channelId, since) {
      const jobId = `sync.${channelId}.${since ? since.getTime() : 'cursor'}.${Date.now()}`;
      await queues['channel-sync'].add(
        'pull',
        { channelId, mode: 'pull', ...(since ? { since: since.toISOString() } : {}) },
        { jobId },
      );
      return jobId;
    },
  };
}
