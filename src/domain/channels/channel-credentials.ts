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

/** The SP-API regions; a seller's account lives in one (its marketplaces' region). */
export const AMAZON_REGIONS = ['na', 'eu', 'fe'] as const;

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
  region: (typeof AMAZON_REGIONS)[number];
  /** Marketplaces this channel sells in (e.g. `ATVPDKIKX0DER` for amazon.com). */
  marketplaceIds: string[];
}

export type ChannelCredentials = ShopifyCredentials | AmazonCredentials;

/**
 * The key a channel's webhooks are signed with; '' for a kind whose notifications come another
 * way (Amazon's through SQS), so a delivery claiming to be from it never verifies.
 */
export function webhookSecretOf(credentials: ChannelCredentials): string {
  return 'webhookSecret' in credentials ? credentials.webhookSecret : '';
}

/** Amazon's carry a refresh token, Shopify's a shop domain. */
export function isAmazonCredentials(credentials: ChannelCredentials): credentials is AmazonCredentials {
  return 'refreshToken' in credentials;
}
