import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobRuntime } from './worker-runner.js';

/**
 * A channel's "not before" time after the platform throttled it, kept in Redis so every worker
 * and every job of the channel sees it. BullMQ's queue rate limit stops workers FETCHING jobs,
 * but a job fetched just before the limit was set would still call the platform; each job
 * therefore passes this gate before its first call.
 */
export interface PlatformGate {
  /** Throws BullMQ's RateLimitError (after rate-limiting the queue) while the platform's wait lasts. */
  pass(runtime: Pick<JobRuntime, 'worker'>): Promise<void>;
  /** Closes the gate for `ms` (the platform's Retry-After). */
  close(ms: number): Promise<void>;
}

export function platformGate(redis: Redis, prefix: string, channelId: string): PlatformGate {
  const key = `${prefix}:platform-wait:${channelId}`;
  return {
    async pass(runtime) {
      const ttl = await redis.pttl(key);
      if (ttl > 0) {
        await runtime.worker.rateLimit(ttl);
        throw Worker.RateLimitError();
      }
    },
    async close(ms) {
      await redis.set(key, '1', 'PX', Math.max(1, Math.ceil(ms)));
    },
  };
}
