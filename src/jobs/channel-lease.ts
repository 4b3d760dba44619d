import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Deletes the lease only if it is still ours (it may have expired and been taken by another worker). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One holder at a time per key, across processes: a Redis key set with NX and an expiry (so a
 * worker that dies cannot hold it for longer than `ttlMs`). Two stock pushes of one channel
 * must not interleave, or each would compare against a figure the other just replaced.
 * Returns a release function, or null when someone else holds it.
 */
export async function tryLease(redis: Redis, key: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  return async () => {
    await redis.eval(RELEASE, 1, key, token);
  };
}

/** Extends the lease only if it is still ours. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * `tryLease` for work that may outlast `ttlMs` (a long pull): renewed every `ttlMs / 2` while
 * held, so it lapses only when its holder dies (or Redis loses it). Renewal errors (Redis away)
 * are ignored: the worst case is a second holder doing idempotent work twice.
 */
export async function tryRenewedLease(redis: Redis, key: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  const timer = setInterval(
    () => void redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined),
    Math.max(50, Math.floor(ttlMs / 2)),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.eval(RELEASE, 1, key, token);
  };
}
