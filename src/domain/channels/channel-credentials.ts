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

export type ChannelCredentials = ShopifyCredentials;
