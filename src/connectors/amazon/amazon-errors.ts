import { PlatformError } from '../connector.js';
import { parseRetryAfter } from '../shopify/shopify-errors.js';

/**
 * Everything that can go wrong in one SP-API or LWA call, as plain data: the HTTP answer
 * (status, lower-case headers, parsed body) or the network failure. amazon-call.ts builds it
 * from what axios (the @sp-api-sdk clients) or fetch (the LWA token) threw.
 */
export interface AmazonFailure {
  /** Which call, for the message ("searchOrders", "LWA token"). */
  operation: string;
  /** Undefined when no HTTP answer came (refused, reset, our timeout). */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  cause?: unknown;
  now?: number;
}

/** Used when a 429 says neither Retry-After nor the operation's rate. */
export const DEFAULT_AMAZON_RETRY_AFTER_MS = 60_000;

/**
 * The one place an Amazon failure becomes a PlatformError. 401/403 (and LWA's 400
 * invalid_grant/invalid_client) → AUTH, 404 → NOT_FOUND, 429 → RATE_LIMITED waiting one
 * token of the operation's rate (`x-amzn-RateLimit-Limit`, requests per second) or Retry-After,
 * 5xx and no answer → TRANSIENT, other 4xx → INVALID. Messages carry Amazon's error codes and
 * messages, never a token (SP-API error bodies hold none).
 */
export function amazonError(failure: AmazonFailure): PlatformError {
  const { status, operation } = failure;
  if (status === undefined) {
    const cause = failure.cause as { name?: string; message?: string; code?: string } | undefined;
    const timedOut =
      cause?.name === 'TimeoutError' ||
      cause?.name === 'AbortError' ||
      cause?.code === 'ECONNABORTED' ||
      /abort|timeout/i.test(cause?.message ?? '');
    return new PlatformError(
      'TRANSIENT',
      `Amazon ${operation} did not answer: ${timedOut ? 'timed out' : (cause?.message ?? 'network error')}`,
    );
  }
  const detail = errorText(failure.body);
  if (status === 401 || status === 403)
    return new PlatformError('AUTH', `Amazon ${operation} refused (${status}): ${detail}`);
  if (status === 400 && isLwaGrantError(failure.body))
    return new PlatformError('AUTH', `Amazon ${operation} refused the credentials: ${detail}`);
  if (status === 404) return new PlatformError('NOT_FOUND', `Amazon ${operation} answered 404: ${detail}`);
  if (status === 429) {
    return new PlatformError(
      'RATE_LIMITED',
      `Amazon ${operation} answered 429 QuotaExceeded`,
      rateLimitWaitMs(failure.headers ?? {}, failure.now ?? Date.now()),
    );
  }
  if (status >= 500) return new PlatformError('TRANSIENT', `Amazon ${operation} answered ${status}: ${detail}`);
  return new PlatformError('INVALID', `Amazon ${operation} rejected the request (${status}): ${detail}`);
}

/**
 * How long to wait after a 429: Retry-After when given; otherwise the time one request token
 * takes to come back at the rate `x-amzn-RateLimit-Limit` announces (0.0056/s → 179 s);
 * otherwise a minute.
 */
export function rateLimitWaitMs(headers: Record<string, string>, now: number): number {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  const rate = Number(headers['x-amzn-ratelimit-limit']);
  if (Number.isFinite(rate) && rate > 0) return Math.ceil(1000 / rate);
  return DEFAULT_AMAZON_RETRY_AFTER_MS;
}

/** LWA answers a bad refresh token or client with 400 and an OAuth error code. */
function isLwaGrantError(body: unknown): boolean {
  const code = (body as { error?: unknown } | null)?.error;
  return code === 'invalid_grant' || code === 'invalid_client' || code === 'unauthorized_client';
}

/** SP-API errors are `{errors:[{code,message,details}]}`; LWA's `{error, error_description}`. */
function errorText(body: unknown): string {
  const b = body as { errors?: { code?: string; message?: string }[]; error?: string; error_description?: string };
  let text: string;
  if (Array.isArray(b?.errors)) text = b.errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
  else if (typeof b?.error === 'string') text = `${b.error} ${b.error_description ?? ''}`.trim();
  else text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
