import { PlatformError } from '../connector.js';
import { parseRetryAfter } from '../retry-after.js';

export { parseRetryAfter };

/**
 * Everything that can go wrong in one Shopify call, as plain data: the HTTP answer (status,
 * headers, parsed body) or the network failure, plus the mutation's userErrors when the call
 * itself succeeded. shopify-transport.ts builds it from what @shopify/shopify-api throws.
 */
export interface ShopifyFailure {
  /** Undefined when no HTTP answer came (connection refused, reset, our timeout). */
  status?: number;
  /** Lower-case names. */
  headers?: Record<string, string>;
  /** Parsed JSON when the body was JSON, else its text. */
  body?: unknown;
  /** The network error, when there was no answer. */
  cause?: unknown;
  /** A mutation's userErrors (Shopify answers these with HTTP 200). */
  userErrors?: ShopifyUserError[];
  /** Current time, for an HTTP-date Retry-After. */
  now?: number;
}

export interface ShopifyUserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string };
}

/** Used when a 429 carries no usable Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * The one place a Shopify failure becomes a PlatformError. HTTP 401/403 → AUTH, 404 → NOT_FOUND,
 * 429 → RATE_LIMITED (Retry-After), 5xx and no answer at all → TRANSIENT, 400 and other 4xx →
 * INVALID; on HTTP 200: THROTTLED → RATE_LIMITED with the wait the cost bucket implies, a
 * query that can never fit the bucket or is malformed → INVALID, userErrors → INVALID (NOT_FOUND
 * when that is their code). Messages carry no credentials (Shopify's bodies hold none).
 */
/**
 * INVALID: a query priced above what the bucket can ever hold (waiting never helps). A caller
 * that chose the size (a page) may ask again for less.
 */
export class QueryTooCostly extends PlatformError {
  constructor(
    readonly requested: number,
    readonly maximumAvailable: number,
  ) {
    super('INVALID', `The query costs ${requested}, more than the bucket holds (${maximumAvailable})`);
  }
}

export function shopifyError(failure: ShopifyFailure): PlatformError {
  const { status } = failure;
  if (status === undefined) {
    const cause = failure.cause as { name?: string; message?: string } | undefined;
    const timedOut =
      cause?.name === 'TimeoutError' || cause?.name === 'AbortError' || /abort|timeout/i.test(cause?.message ?? '');
    return new PlatformError(
      'TRANSIENT',
      `Shopify did not answer: ${timedOut ? 'timed out' : (cause?.message ?? 'network error')}`,
    );
  }
  if (status === 401 || status === 403)
    return new PlatformError('AUTH', `Shopify refused the credentials (${status}): ${bodyText(failure.body)}`);
  if (status === 404) return new PlatformError('NOT_FOUND', `Shopify answered 404: ${bodyText(failure.body)}`);
  if (status === 429) {
    const wait = parseRetryAfter(failure.headers?.['retry-after'], failure.now ?? Date.now());
    return new PlatformError('RATE_LIMITED', 'Shopify answered 429 Too Many Requests', wait ?? DEFAULT_RETRY_AFTER_MS);
  }
  if (status >= 500) return new PlatformError('TRANSIENT', `Shopify answered ${status}`);
  if (status !== 200)
    return new PlatformError('INVALID', `Shopify rejected the request (${status}): ${bodyText(failure.body)}`);

  const body = (failure.body ?? {}) as {
    errors?: unknown;
    extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
  };
  const errors = Array.isArray(body.errors) ? (body.errors as GraphQLErrorBody[]) : [];
  if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
    const cost = body.extensions?.cost;
    const requested = cost?.requestedQueryCost;
    const bucket = cost?.throttleStatus;
    if (requested !== undefined && bucket && requested > bucket.maximumAvailable) {
      return new QueryTooCostly(requested, bucket.maximumAvailable);
    }
    return new PlatformError('RATE_LIMITED', 'Shopify THROTTLED the query', throttleWaitMs(requested, bucket));
  }
  if (errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
    return new PlatformError('TRANSIENT', `Shopify internal error: ${errors[0]?.message ?? ''}`);
  }
  if (errors.length)
    return new PlatformError('INVALID', `Shopify GraphQL errors: ${errors.map((e) => e.message ?? '').join('; ')}`);

  const userErrors = failure.userErrors ?? [];
  if (userErrors.length) {
    const kind = userErrors.every((e) => e.code === 'NOT_FOUND') ? 'NOT_FOUND' : 'INVALID';
    return new PlatformError(
      kind,
      `Shopify user errors: ${userErrors.map((e) => `${e.code ?? ''} ${e.message}`.trim()).join('; ')}`,
    );
  }
  return new PlatformError('INVALID', 'Shopify answered without data');
}

/**
 * How long until the bucket holds `requested` points: (requested − available) / restoreRate,
 * rounded up to whole ms; 1 s when the answer does not say.
 */
export function throttleWaitMs(requested: number | undefined, bucket: ThrottleStatus | undefined): number {
  if (requested === undefined || !bucket || bucket.restoreRate <= 0) return DEFAULT_RETRY_AFTER_MS;
  return Math.max(0, Math.ceil(((requested - bucket.currentlyAvailable) / bucket.restoreRate) * 1000));
}

function bodyText(body: unknown): string {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const text = typeof body === 'string' ? body : JSON.stringify(errors ?? body ?? '');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
