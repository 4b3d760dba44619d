/**
 * A channel's secrets, by kind. Stored only as AES-256-GCM ciphertext (credentials-cipher.ts),
 * never returned by the API, never in logs, job data or error messages.
 */
export interface ShopifyCredentials {
  /** `example.myshopify.com` */
  shopDomain: string;
  /** Admin API access token (`shpat_…`) or one from the client-credentials grant. */
  accessToken: string;
  /** The app's client secret: the HMAC key of its webhooks. */
  webhookSecret: string;
}

/**
 * A seller's Selling Partner API authorisation: the app's Login with Amazon client and the
 * seller's refresh token (from the authorisation), the seller's region and its marketplaces.
 */
export interface AmazonCredentials {
  /** LWA client id of our SP-API app (`amzn1.application-oa2-client.…`). */
  clientId: string;
  clientSecret: string;
  /** The seller's LWA refresh token (`Atzr|…`), long-lived: exchanged for hour-long access tokens. */
  refreshToken: string;
  /** The seller (merchant token), the path of Listings Items calls. */
  sellerId: string;
  /** SP-API region of the seller's account: `na`, `eu` or `fe`. */
  region: 'na' | 'eu' | 'fe';
  /** Marketplaces this channel sells in (e.g. `ATVPDKIKX0DER` for amazon.com). */
  marketplaceIds: string[];
}

export type ChannelCredentials = ShopifyCredentials;
