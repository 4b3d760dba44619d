import { PlatformError } from '../connector.js';
import { callAmazon, READ_POLICY } from './amazon-call.js';
import { amazonError } from './amazon-errors.js';

/** Login with Amazon's token host; the simulator's base URL replaces it in tests and the sandbox. */
export const LWA_ENDPOINT = 'https://api.amazon.com';
/** A token is renewed this long before LWA says it expires, so no call leaves with a dying one. */
export const TOKEN_RENEW_MARGIN_MS = 60_000;

export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface LwaTokenProviderOptions {
  credentials: LwaCredentials;
  /** Base URL of the token host (LWA_ENDPOINT unless a simulator). */
  endpoint?: string;
  timeoutMs: number;
  now?: () => number;
  fetch?: typeof globalThis.fetch;
}

/**
 * Exchanges the seller's refresh token for an access token (`grant_type=refresh_token`, about
 * an hour) and keeps it until TOKEN_RENEW_MARGIN_MS before it expires. Concurrent callers share
 * one exchange. We do this ourselves rather than through @sp-api-sdk/auth because that package
 * posts to a fixed https://api.amazon.com (no base URL to point at the simulator) and keeps a
 * token until the very second it expires; it is still the type the SDK clients take
 * (sp-api-auth.ts adapts this provider to it).
 */
export class LwaTokenProvider {
  private token: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly now: () => number;
  private readonly fetch: typeof globalThis.fetch;
  /** Exchanges made, for tests and the channel's health. */
  exchanges = 0;

  constructor(private readonly options: LwaTokenProviderOptions) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the token (Amazon refused it: the next call exchanges again). */
  invalidate(): void {
    this.token = undefined;
  }

  private async exchange(): Promise<string> {
    const { clientId, clientSecret, refreshToken } = this.options.credentials;
    const url = new URL('/auth/o2/token', this.options.endpoint ?? LWA_ENDPOINT);
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: clientSecret,
    });
    // An exchange changes nothing on Amazon's side, so it is retried like a read.
    const answer = await callAmazon('LWA token', READ_POLICY(this.options.timeoutMs), async ({ timeout }) => {
      const res = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body,
        signal: AbortSignal.timeout(timeout),
      });
      const text = await res.text();
      const parsed = parseJson(text);
      if (!res.ok) {
        throw amazonError({
          operation: 'LWA token',
          status: res.status,
          headers: Object.fromEntries(res.headers),
          body: parsed ?? text,
          now: this.now(),
        });
      }
      return parsed as { access_token?: unknown; expires_in?: unknown } | undefined;
    });
    const value = answer?.access_token;
    const expiresIn = Number(answer?.expires_in);
    if (typeof value !== 'string' || value === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new PlatformError('INVALID', 'Amazon LWA answered without an access token and its lifetime');
    }
    this.exchanges++;
    this.token = { value, renewAt: this.now() + expiresIn * 1000 - TOKEN_RENEW_MARGIN_MS };
    return value;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
