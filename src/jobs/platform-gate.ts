import type { Redis } from 'ioredis';
import type { JobRuntime } from './worker-runner.js';

/**
 * A channel's "not before" time after the platform throttled it, kept in Redis so every worker
 * and every job of the channel sees it: each job passes this gate before its first call. It is
 * per channel, not per queue: Amazon asking for three minutes' rest must not hold back the
 * Shopify and eBay jobs sharing the queue.
 */
export interface PlatformGate {
  /** While the platform's wait lasts, puts the job back until it ends (no attempt spent). */
  pass(runtime: Pick<JobRuntime, 'delay'>): Promise<void>;
  /** Closes the gate for `ms` (the platform's Retry-After). */
  close(ms: number): Promise<void>;
}

export function platformGate(redis: Redis, prefix: string, channelId: string): PlatformGate {
  const key = `${prefix}:platform-wait:${channelId}`;
  return {
    async pass(runtime) {
      const ttl = await redis.pttl(key);
      if (ttl > 0) await runtime.delay(ttl);
    },
    async close(ms) {
      await redis.set(key, '1', 'PX', Math.max(1, Math.ceil(ms)));
    },
  };
}
