import { PlatformError } from '../connector.js';
import { ebayError, type EbayFailure } from './ebay-errors.js';
import { ebayApiOf, type EbayQuota } from './ebay-quota.js';

/** eBay's production API host; the identity, Sell and Commerce APIs all live under it. */
export const EBAY_API_BASE = 'https://api.ebay.com';

export interface EbayRequest {
  method: 'GET' | 'POST';
  /** From the root, e.g. `/sell/fulfillment/v1/order`. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Statuses that are answers rather than failures (default 200 only). */
  expect?: number[];
  /**
   * How many more times a TRANSIENT failure is tried inside this call. Declared per request:
   * only requests that are safe to repeat (reads, absolute sets, creates whose repeat eBay
   * refuses with 409) say more than 0. RATE_LIMITED is never retried here: the job waits out
   * Retry-After behind the channel's gate, so no call goes out before it.
   */
  retries: number;
}

export interface EbayAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface EbayHttpOptions {
  /** Base URL override (simulator or proxy); null for eBay itself. */
  endpoint: string | null;
  /** Per attempt. */
  timeoutMs?: number;
  /** First backoff between TRANSIENT attempts; doubled each time, with up to 50 % jitter. */
  retryDelayMs?: number;
  fetch?: typeof fetch;
  /** The app's daily quotas: every attempt is counted before it is sent, none sent past the quota. */
  quota?: EbayQuota;
}

/**
 * One eBay REST exchange: a timeout on every attempt, the request's declared retries on
 * TRANSIENT failures with exponential backoff and jitter, and every failure mapped once by
 * ebayError. Bodies are JSON (or a form, for the identity endpoint).
 */
export class EbayHttp {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly quota: EbayQuota | undefined;

  constructor(options: EbayHttpOptions) {
    this.base = (options.endpoint ?? EBAY_API_BASE).replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.fetchImpl = options.fetch ?? fetch;
    this.quota = options.quota;
  }

  async request<T>(req: EbayRequest): Promise<EbayAnswer<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(req);
      } catch (error) {
        if (!(error instanceof PlatformError) || error.kind !== 'TRANSIENT' || attempt >= req.retries) throw error;
        const delay = this.retryDelayMs * 2 ** attempt;
        await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay * 0.5));
      }
    }
  }

  private async once<T>(req: EbayRequest): Promise<EbayAnswer<T>> {
    if (this.quota) {
      const api = ebayApiOf(req.path);
      const spent = await this.quota.spend(api);
      // Not sent: the job waits for the reset behind the channel's gate, like any RATE_LIMITED.
      if (!spent.ok) throw new PlatformError('RATE_LIMITED', `eBay's daily ${api} quota is spent`, spent.retryAfterMs);
    }
    const url = new URL(this.base + req.path);
    for (const [name, value] of Object.entries(req.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
    let body: string | undefined;
    if (req.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    } else if (req.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      throw ebayError({ cause });
    }
    const parsed = parseBody(text);
    if (!(req.expect ?? [200]).includes(response.status)) {
      const failure: EbayFailure = {
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        body: parsed,
        now: Date.now(),
      };
      throw ebayError(failure);
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
