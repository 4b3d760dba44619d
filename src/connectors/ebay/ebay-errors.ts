import { PlatformError } from '../connector.js';
import { parseRetryAfter } from '../retry-after.js';

/**
 * Everything that can go wrong in one eBay REST call, as plain data: the HTTP answer (status,
 * lower-case headers, parsed body) or the network failure. ebay-http.ts builds it.
 */
export interface EbayFailure {
  /** Undefined when no HTTP answer came (connection refused, reset, our timeout). */
  status?: number;
  headers?: Record<string, string>;
  /** Parsed JSON when the body was JSON, else its text. */
  body?: unknown;
  cause?: unknown;
  /** Current time, for an HTTP-date Retry-After. */
  now?: number;
}

/** eBay's REST error envelope (`{errors:[{errorId, domain, category, message, longMessage}]}`). */
interface EbayErrorBody {
  errors?: { errorId?: number; message?: string; longMessage?: string }[];
  /** The identity endpoint answers OAuth errors instead (`invalid_grant`, `invalid_client`). */
  error?: string;
  error_description?: string;
}

/**
 * eBay's quotas are daily and a 429 often says nothing about when to come back; a minute keeps a
 * job from hammering a spent quota while still noticing a short burst limit lifting.
 */
export const EBAY_DEFAULT_RETRY_AFTER_MS = 60_000;

/**
 * The one place an eBay failure becomes a PlatformError: no answer and 5xx → TRANSIENT, 401/403
 * and the identity endpoint's `invalid_grant`/`invalid_client` → AUTH (a revoked or expired
 * refresh token needs a person), 404 → NOT_FOUND, 429 → RATE_LIMITED with Retry-After (or
 * EBAY_DEFAULT_RETRY_AFTER_MS), any other 4xx → INVALID. Callers that give a status a meaning
 * of their own (409 on a fulfilment is "already done") look at the status before calling this.
 * Messages quote eBay's error text only, never a header (tokens travel in headers).
 */
export function ebayError(failure: EbayFailure): PlatformError {
  const { status } = failure;
  if (status === undefined) {
    const cause = failure.cause as { name?: string; message?: string } | undefined;
    const timedOut = cause?.name === 'TimeoutError' || cause?.name === 'AbortError';
    return new PlatformError(
      'TRANSIENT',
      `eBay did not answer: ${timedOut ? 'timed out' : (cause?.message ?? 'network error')}`,
    );
  }
  const body = (typeof failure.body === 'object' && failure.body !== null ? failure.body : {}) as EbayErrorBody;
  const text = describe(failure.body, body);
  if (body.error === 'invalid_grant' || body.error === 'invalid_client')
    return new PlatformError('AUTH', `eBay refused the credentials (${status} ${body.error}): ${text}`);
  if (status === 401 || status === 403)
    return new PlatformError('AUTH', `eBay refused the credentials (${status}): ${text}`);
  if (status === 404) return new PlatformError('NOT_FOUND', `eBay answered 404: ${text}`);
  if (status === 429) {
    const wait = parseRetryAfter(failure.headers?.['retry-after'], failure.now ?? Date.now());
    return new PlatformError('RATE_LIMITED', `eBay answered 429: ${text}`, wait ?? EBAY_DEFAULT_RETRY_AFTER_MS);
  }
  if (status >= 500) return new PlatformError('TRANSIENT', `eBay answered ${status}: ${text}`);
  return new PlatformError('INVALID', `eBay rejected the request (${status}): ${text}`);
}

function describe(raw: unknown, body: EbayErrorBody): string {
  let text: string;
  if (body.errors?.length) {
    text = body.errors.map((e) => `${e.errorId ?? ''} ${e.longMessage ?? e.message ?? ''}`.trim()).join('; ');
  } else if (body.error) {
    text = `${body.error}${body.error_description ? `: ${body.error_description}` : ''}`;
  } else {
    text = typeof raw === 'string' ? raw : JSON.stringify(raw ?? '');
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
