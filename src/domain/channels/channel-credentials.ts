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
 * An eBay seller's grant to our app (CONNECTORS.md §3): the user refresh token (about 18 months)
 * is exchanged for short-lived access tokens; the app's client id and secret authenticate that
 * exchange; the verification token answers the account-deletion endpoint's challenge.
 */
export interface EbayCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  verificationToken: string;
  /** `X-EBAY-C-MARKETPLACE-ID`, e.g. `EBAY_US`. */
  marketplaceId: string;
}

export type ChannelCredentials = ShopifyCredentials | EbayCredentials;

/**
 * eBay's grant is the one with a verification token (the stored JSON carries no kind). Not the
 * refresh token: other marketplaces' grants (Amazon's LWA) hold one too.
 */
export function isEbayCredentials(credentials: ChannelCredentials): credentials is EbayCredentials {
  return 'verificationToken' in credentials;
}

/**
 * The secret a channel's webhooks are verified with: Shopify's app secret (HMAC). eBay signs
 * with published public keys, fetched by key id, so it has none here.
 */
export function webhookSecretOf(credentials: ChannelCredentials): string {
  return isEbayCredentials(credentials) ? '' : credentials.webhookSecret;
}
