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
  /**
   * The SQS queue the seller's ORDER_CHANGE subscription delivers to (its destination), e.g.
   * `https://sqs.us-east-1.amazonaws.com/123456789012/switchyard-orders`. Several channels may
   * share one queue (one destination per app): notifications are routed by SellerId. Absent: no
   * notifications, pulls only. Not a secret, but kept with the grant it belongs to.
   */
  notificationQueueUrl?: string;
}

export type ChannelCredentials = ShopifyCredentials | EbayCredentials | AmazonCredentials;

/*
 * The stored JSON carries no kind: each grant is told by a field only it has. Not the refresh
 * token, which eBay's and Amazon's (LWA) grants both hold, nor the client id and secret.
 */

/** eBay's grant is the one with a verification token (for the account-deletion challenge). */
export function isEbayCredentials(credentials: ChannelCredentials): credentials is EbayCredentials {
  return 'verificationToken' in credentials;
}

/** Amazon's authorisation is the one naming a seller (`sellerId`; eBay's has no seller id). */
export function isAmazonCredentials(credentials: ChannelCredentials): credentials is AmazonCredentials {
  return 'sellerId' in credentials;
}

/** Shopify's credentials are the ones for a shop domain. */
export function isShopifyCredentials(credentials: ChannelCredentials): credentials is ShopifyCredentials {
  return 'shopDomain' in credentials;
}

/**
 * The key a channel's webhooks are signed with: Shopify's app secret (HMAC). '' for a kind whose
 * notifications come another way (eBay signs with published public keys fetched by key id,
 * Amazon's come through SQS), so a delivery claiming to be from it never verifies by this key.
 */
export function webhookSecretOf(credentials: ChannelCredentials): string {
  return isShopifyCredentials(credentials) ? credentials.webhookSecret : '';
}
