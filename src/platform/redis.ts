import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from './redact-url.js';

/**
 * Redis connections by purpose:
 * - `worker`: BullMQ workers block on Redis and must wait through outages
 *   (maxRetriesPerRequest null, as BullMQ requires);
 * - `producer`: code answering a request fails fast instead of hanging when Redis is away
 *   (no offline queue, one retry), so the API can answer 503 at once;
 * - `subscriber`: pub/sub listeners, which reconnect and resubscribe by themselves.
 */
export type RedisRole = 'worker' | 'producer' | 'subscriber';

export function createRedis(url: string, role: RedisRole, name = `switchyard-${role}`): Redis {
  const common: RedisOptions = {
    connectionName: name,
    connectTimeout: 5_000,
    lazyConnect: false,
    // Reconnect with capped backoff forever; callers decide how long to wait for a reply.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
    producer: { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000 },
    subscriber: { maxRetriesPerRequest: null },
  };
  const redis = new Redis(url, { ...common, ...byRole[role] });
  // Connection errors are reported through readiness and logs, never as an unhandled 'error'.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs` with a clear message. */
export async function waitForRedis(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis at ${redactUrl(url)} did not answer within ${timeoutMs} ms: is it running?`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export async function pingRedis(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
