import { setTimeout as sleep } from 'node:timers/promises';
import { PlatformError } from '../connector.js';
import { amazonError, type AmazonFailure } from './amazon-errors.js';

/**
 * The retry policy every Amazon call declares. Only TRANSIENT failures (5xx, no answer, our
 * timeout) are retried here, and only by calls safe to repeat; RATE_LIMITED never is: Amazon's
 * waits are minutes (searchOrders refills one call every ~3 min), so the job's rate limiter
 * waits instead of a worker sleeping.
 */
export interface CallPolicy {
  /** Each attempt is cut off after this long. */
  timeoutMs: number;
  /** 1 = no retry (calls that are not idempotent: createFeed, confirmShipment). */
  attempts: number;
  /** First backoff; doubled per attempt, with jitter. */
  backoffMs: number;
}

export const READ_POLICY = (timeoutMs: number): CallPolicy => ({ timeoutMs, attempts: 3, backoffMs: 250 });
export const WRITE_POLICY = (timeoutMs: number): CallPolicy => ({ timeoutMs, attempts: 1, backoffMs: 0 });

/** The options every @sp-api-sdk method takes last (axios' request config): our timeout. */
export interface RequestOptions {
  timeout: number;
}

/**
 * Runs one SP-API call under its policy; whatever it throws comes out as a PlatformError
 * (mapped once, in amazon-errors.ts).
 */
export async function callAmazon<T>(
  operation: string,
  policy: CallPolicy,
  call: (options: RequestOptions) => Promise<T>,
  random: () => number = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call({ timeout: policy.timeoutMs });
    } catch (error) {
      const mapped = error instanceof PlatformError ? error : amazonError(failureOf(operation, error));
      if (mapped.kind !== 'TRANSIENT' || attempt >= policy.attempts) throw mapped;
      const backoff = policy.backoffMs * 2 ** (attempt - 1);
      await sleep(Math.round(backoff / 2 + random() * (backoff / 2)));
    }
  }
}

/** An axios error (what the SDK throws, SellingPartnerApiError included) as plain data. */
export function failureOf(operation: string, error: unknown): AmazonFailure {
  const e = error as {
    response?: { status: number; headers?: Record<string, unknown>; data?: unknown };
    code?: string;
    message?: string;
    name?: string;
  };
  if (!e?.response) return { operation, cause: error };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.response.headers ?? {}))
    if (v !== undefined) headers[k.toLowerCase()] = String(v);
  return { operation, status: e.response.status, headers, body: e.response.data };
}
