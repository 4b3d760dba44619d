import { CarrierError } from '../../../domain/shipping/carrier.js';
import { parseRetryAfter } from '../../shopify/shopify-errors.js';

/** Used when a 429 carries no usable Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * The one place an EasyPost failure becomes a CarrierError. The official client throws an
 * ApiError (statusCode, code, message from EasyPost's error body) when an answer came, or
 * superagent's error when none did (refused, reset, our timeout). 401/403 → AUTH, 404 →
 * NOT_FOUND, 429 → RATE_LIMITED (Retry-After when the transport saw one), 408, 5xx and no
 * answer → TRANSIENT (the call may have happened: callers re-read before retrying), 400, 402,
 * 422 and other 4xx → INVALID. Messages are EasyPost's, which never carry the API key.
 */
export function easyPostError(error: unknown, retryAfter?: string, now = Date.now()): CarrierError {
  if (error instanceof CarrierError) return error;
  const e = (error ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : null;
  const message = typeof e.message === 'string' && e.message ? e.message : 'EasyPost call failed';
  if (status === undefined) {
    // superagent: ECONNRESET, ECONNREFUSED, "socket hang up", ECONNABORTED/ETIMEDOUT for our timeout.
    return new CarrierError('TRANSIENT', `EasyPost did not answer: ${code ? `${code} ` : ''}${message}`, { code });
  }
  const details = { code, httpStatus: status };
  const said = `EasyPost ${status}${code ? ` ${code}` : ''}: ${message}`;
  if (status === 401 || status === 403) return new CarrierError('AUTH', said, details);
  if (status === 404) return new CarrierError('NOT_FOUND', said, details);
  if (status === 429)
    return new CarrierError('RATE_LIMITED', said, {
      ...details,
      retryAfterMs: parseRetryAfter(retryAfter, now) ?? DEFAULT_RETRY_AFTER_MS,
    });
  if (status === 408 || status >= 500) return new CarrierError('TRANSIENT', said, details);
  return new CarrierError('INVALID', said, details);
}
