import { UnrecoverableError, Worker } from 'bullmq';
import { PlatformError } from '../connectors/connector.js';
import type { PlatformGate } from './platform-gate.js';
import type { JobRuntime } from './worker-runner.js';

/**
 * The limiter of every queue that calls a platform. BullMQ honours `worker.rateLimit()` only on
 * a queue with a limiter (its fetch checks the limiter key against `max`), so this one is set so
 * high it never limits by itself: it is only the switch the platform's Retry-After throws.
 */
export const PLATFORM_QUEUE_LIMITER = { max: 1_000_000, duration: 1_000 };

/** How long to hold a queue back when the platform throttled without saying for how long. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * The one place platform errors become BullMQ outcomes; every channel job's failure goes through
 * it, so the kinds mean the same thing everywhere:
 *
 * - RATE_LIMITED: the platform asked us to wait. `worker.rateLimit(ms)` holds the whole queue
 *   (every worker of it, in every process: the limit lives in Redis) and RateLimitError puts the
 *   job back to wait without spending an attempt, so no call is made before the Retry-After.
 * - TRANSIENT (and anything that is not a PlatformError: a bug, the database away): thrown on,
 *   so BullMQ retries with the queue's exponential backoff and jitter; the channel's health
 *   records it.
 * - AUTH, INVALID, NOT_FOUND (when the caller did not interpret it): no retry can fix them, so
 *   UnrecoverableError fails the job at once (it stays visible in failedJobs) and the channel's
 *   health names the error.
 *
 * `channel.gate` keeps the channel's wait for jobs already fetched (platform-gate.ts);
 * `channel.markError` records the channel's health (lastError, lastErrorAt); its own failure never hides
 * the platform's error.
 */
export async function applyPlatformErrorPolicy(
  error: unknown,
  runtime: Pick<JobRuntime, 'worker'>,
  channel: { markError: (message: string) => Promise<void>; gate: PlatformGate },
): Promise<never> {
  if (!(error instanceof PlatformError)) throw error;
  const message = `${error.kind}: ${error.message}`;
  const markError = channel.markError;
  switch (error.kind) {
    case 'RATE_LIMITED': {
      const waitMs = Math.max(1, Math.ceil(error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS));
      // The channel's gate first (jobs already fetched check it), then the queue's limiter.
      await channel.gate.close(waitMs);
      await runtime.worker.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    case 'TRANSIENT':
      await markError(message).catch(() => undefined);
      throw error;
    default:
      await markError(message).catch(() => undefined);
      throw new UnrecoverableError(message);
  }
}
