import { UnrecoverableError } from 'bullmq';
import { PlatformError } from '../connectors/connector.js';
import type { PlatformGate } from './platform-gate.js';
import type { JobRuntime } from './worker-runner.js';

/**
 * The limiter of the queues that call an outside service. BullMQ honours `worker.rateLimit()`
 * only on a queue with a limiter (its fetch checks the limiter key against `max`), so this one is
 * set so high it never limits by itself: it is the switch a whole-queue wait throws (the label
 * queue's, where every job calls the one carrier account). Channel jobs wait per channel instead
 * (platform-gate.ts).
 */
export const PLATFORM_QUEUE_LIMITER = { max: 1_000_000, duration: 1_000 };

/** How long to hold a queue back when the platform throttled without saying for how long. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * The one place platform errors become BullMQ outcomes; every channel job's failure goes through
 * it, so the kinds mean the same thing everywhere:
 *
 * - RATE_LIMITED: the platform asked us to wait. The channel's gate closes for that long (every
 *   job of the channel, in every process, checks it before calling: it lives in Redis) and the
 *   job is put back until then without spending an attempt, so no call is made before the
 *   Retry-After. Other channels on the queue go on: one platform's limit is not another's.
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
  runtime: Pick<JobRuntime, 'delay'>,
  channel: { markError: (message: string) => Promise<void>; gate: PlatformGate },
): Promise<never> {
  if (!(error instanceof PlatformError)) throw error;
  const message = `${error.kind}: ${error.message}`;
  const markError = channel.markError;
  switch (error.kind) {
    case 'RATE_LIMITED': {
      const waitMs = Math.max(1, Math.ceil(error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS));
      await channel.gate.close(waitMs);
      return await runtime.delay(waitMs);
    }
    case 'TRANSIENT':
      await markError(message).catch(() => undefined);
      throw error;
    default:
      await markError(message).catch(() => undefined);
      throw new UnrecoverableError(message);
  }
}
