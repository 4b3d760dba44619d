import type { EbayHttp } from './ebay-http.js';

/** The user scopes the connector needs: orders and fulfilments, inventory. */
export const EBAY_SELL_SCOPES = [
  'https://api.ebay.com/oauth/api_scope/sell.fulfillment',
  'https://api.ebay.com/oauth/api_scope/sell.inventory',
];
/** The application scope, enough for the Notification API's getPublicKey. */
export const EBAY_APP_SCOPE = 'https://api.ebay.com/oauth/api_scope';
export const EBAY_TOKEN_PATH = '/identity/v1/oauth2/token';

/**
 * A token is replaced this long before eBay says it expires, so a call never leaves with one
 * that lapses on the way (user tokens last about 2 h, CONNECTORS.md §3).
 */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000;

export interface EbayAppCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

interface Cached {
  token: string;
  expiresAt: number;
}

/**
 * Access tokens for one channel: the seller's user token from the refresh-token grant and the
 * application token from the client-credentials grant, each cached until TOKEN_EXPIRY_MARGIN_MS
 * before expiry. Concurrent callers share one exchange (eBay caps refreshes per day).
 */
export class EbayTokenSource {
  private user: Cached | null = null;
  private app: Cached | null = null;
  private pendingUser: Promise<Cached> | null = null;
  private pendingApp: Promise<Cached> | null = null;

  constructor(
    private readonly http: EbayHttp,
    private readonly credentials: EbayAppCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  async userToken(): Promise<string> {
    if (this.user && this.now() < this.user.expiresAt) return this.user.token;
    this.pendingUser ??= this.exchange({
      grant_type: 'refresh_token',
      refresh_token: this.credentials.refreshToken,
      scope: EBAY_SELL_SCOPES.join(' '),
    }).finally(() => (this.pendingUser = null));
    this.user = await this.pendingUser;
    return this.user.token;
  }

  async appToken(): Promise<string> {
    if (this.app && this.now() < this.app.expiresAt) return this.app.token;
    this.pendingApp ??= this.exchange({ grant_type: 'client_credentials', scope: EBAY_APP_SCOPE }).finally(
      () => (this.pendingApp = null),
    );
    this.app = await this.pendingApp;
    return this.app.token;
  }

  /** Forgets the user token (eBay answered 401 to it: revoked or expired early). */
  invalidateUser(): void {
    this.user = null;
  }

  private async exchange(form: Record<string, string>): Promise<Cached> {
    const basic = Buffer.from(`${this.credentials.clientId}:${this.credentials.clientSecret}`).toString('base64');
    const { body } = await this.http.request<TokenAnswer>({
      method: 'POST',
      path: EBAY_TOKEN_PATH,
      form,
      headers: { Authorization: `Basic ${basic}` },
      retries: 2,
    });
    const lifetimeMs = Math.max(0, body.expires_in * 1000 - TOKEN_EXPIRY_MARGIN_MS);
    return { token: body.access_token, expiresAt: this.now() + lifetimeMs };
  }
}
