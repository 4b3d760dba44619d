import { BACKORDER_POLICIES, type BackorderPolicy } from './channel.entity.js';
import {
  AMAZON_REGIONS,
  type AmazonCredentials,
  type ChannelCredentials,
  type EbayCredentials,
  type ShopifyCredentials,
} from './channel-credentials.js';
import { AMAZON_MARKETPLACES } from './amazon-marketplaces.js';
import { badInput } from '../errors.js';

/** A channel id: readable, usable in URLs (`/webhooks/<id>`) and in API keys' channel scope. */
export const CHANNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Webhook routes of platforms that are not channels (`POST /webhooks/stripe`): no channel takes these ids. */
export const RESERVED_CHANNEL_IDS: ReadonlySet<string> = new Set(['stripe', 'easypost']);
export const MAX_STOCK_BUFFER = 1_000_000;
const MAX_SECRET_LENGTH = 1_000;
/** Shopify shop names: letters, digits and hyphens, under .myshopify.com. */
const MYSHOPIFY_DOMAIN = /^[a-z0-9][a-z0-9-]{0,59}\.myshopify\.com$/;
const HOSTNAME = /^[a-z0-9.-]{1,255}(:[0-9]{1,5})?$/;

/** Credentials as a client sends them; every message below names the field, never its value. */
export interface CredentialsInput {
  shopDomain?: string | null;
  accessToken?: string | null;
  webhookSecret?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
  refreshToken?: string | null;
  verificationToken?: string | null;
  marketplaceId?: string | null;
  sellerId?: string | null;
  region?: string | null;
  marketplaceIds?: readonly string[] | null;
  notificationQueueUrl?: string | null;
}

export interface EndpointRules {
  /** https only (production): a plain-http endpoint would send the access token in clear. */
  httpsOnly: boolean;
}

export function validChannelName(value: string | null | undefined): string {
  const name = (value ?? '').trim();
  if (!name || name.length > 200) throw badInput('name', 'must be 1 to 200 characters');
  return name;
}

export function validStockBuffer(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_STOCK_BUFFER)
    throw badInput('stockBuffer', `must be a whole number from 0 to ${MAX_STOCK_BUFFER}`);
  return value;
}

export function validBackorderPolicy(value: string): BackorderPolicy {
  if (!(BACKORDER_POLICIES as readonly string[]).includes(value))
    throw badInput('backorderPolicy', `must be one of ${BACKORDER_POLICIES.join(', ')}`);
  return value as BackorderPolicy;
}

export function validChannelId(value: string): string {
  const id = value.trim();
  if (!CHANNEL_ID.test(id)) throw badInput('id', 'must be 1 to 64 letters, digits, _ or -');
  if (RESERVED_CHANNEL_IDS.has(id.toLowerCase()))
    throw badInput(
      'id',
      `is reserved for a provider's webhooks (${[...RESERVED_CHANNEL_IDS].join(', ')}): choose another`,
    );
  return id;
}

/** A slug from the channel's name ("Shopify EU" → "shopify-eu"); the caller makes it unique. */
export function slugOf(name: string, fallback: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  return slug || fallback;
}

/**
 * An endpoint override: an absolute http(s) URL with no credentials or query in it (it is shown
 * to admins and logged as the channel's target), stored without a trailing slash.
 */
export function validEndpoint(value: string | null | undefined, rules: EndpointRules): string | null {
  if (value == null) return null;
  const text = value.trim();
  if (!text) return null;
  if (text.length > 500) throw badInput('endpoint', 'must be at most 500 characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('endpoint', 'must be an absolute URL, e.g. https://proxy.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('endpoint', 'must be an http(s) URL');
  if (rules.httpsOnly && url.protocol !== 'https:') throw badInput('endpoint', 'must be https in production');
  if (url.username || url.password) throw badInput('endpoint', 'must not contain a user name or password');
  if (url.search || url.hash) throw badInput('endpoint', 'must not contain a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function secretField(field: keyof CredentialsInput, value: string | null | undefined): string {
  const text = (value ?? '').trim();
  if (!text) throw badInput(`credentials.${field}`, 'must not be empty');
  if (text.length > MAX_SECRET_LENGTH)
    throw badInput(`credentials.${field}`, `must be at most ${MAX_SECRET_LENGTH} characters`);
  return text;
}

/**
 * Shopify credentials: a `<shop>.myshopify.com` domain (any host name when an endpoint override
 * points at a simulator or proxy), the Admin API access token and the app's webhook secret.
 */
export function validShopifyCredentials(
  input: CredentialsInput | null | undefined,
  endpoint: string | null,
): ShopifyCredentials {
  if (!input)
    throw badInput('credentials', 'are required for a SHOPIFY channel: shopDomain, accessToken, webhookSecret');
  const shopDomain = secretField('shopDomain', input.shopDomain).toLowerCase();
  if (endpoint === null && !MYSHOPIFY_DOMAIN.test(shopDomain))
    throw badInput('credentials.shopDomain', 'must be <shop>.myshopify.com (or set an endpoint override)');
  if (endpoint !== null && !HOSTNAME.test(shopDomain))
    throw badInput('credentials.shopDomain', 'must be a host name, e.g. demo.myshopify.com');
  return {
    shopDomain,
    accessToken: secretField('accessToken', input.accessToken),
    webhookSecret: secretField('webhookSecret', input.webhookSecret),
  };
}

/** eBay's rule for the account-deletion verification token: 32 to 80 letters, digits, _ or -. */
const EBAY_VERIFICATION_TOKEN = /^[A-Za-z0-9_-]{32,80}$/;
/** eBay marketplace ids (`EBAY_US`, `EBAY_GB`, `EBAY_MOTORS_US`, …). */
const EBAY_MARKETPLACE = /^EBAY_[A-Z_]{2,20}$/;

/**
 * eBay credentials: the app's client id and secret, the seller's user refresh token, the
 * verification token registered for the account-deletion endpoint, and the marketplace
 * (`EBAY_US` when absent).
 */
export function validEbayCredentials(input: CredentialsInput | null | undefined): EbayCredentials {
  if (!input)
    throw badInput(
      'credentials',
      'are required for an EBAY channel: clientId, clientSecret, refreshToken, verificationToken',
    );
  const verificationToken = secretField('verificationToken', input.verificationToken);
  if (!EBAY_VERIFICATION_TOKEN.test(verificationToken))
    throw badInput('credentials.verificationToken', "must be 32 to 80 letters, digits, _ or - (eBay's rule)");
  const marketplaceId = (input.marketplaceId ?? '').trim().toUpperCase() || 'EBAY_US';
  if (!EBAY_MARKETPLACE.test(marketplaceId))
    throw badInput('credentials.marketplaceId', 'must be an eBay marketplace id such as EBAY_US');
  return {
    clientId: secretField('clientId', input.clientId),
    clientSecret: secretField('clientSecret', input.clientSecret),
    refreshToken: secretField('refreshToken', input.refreshToken),
    verificationToken,
    marketplaceId,
  };
}

/** A merchant token: Amazon's seller ids are 10 to 20 capital letters and digits (`A2EXAMPLE1SELLER`). */
const AMAZON_SELLER_ID = /^[A-Z0-9]{8,20}$/;
const MAX_MARKETPLACES = 25;

/**
 * Amazon credentials: our SP-API app's LWA client id and secret, the seller's refresh token from
 * the authorisation, the seller id (merchant token) and the marketplaces the channel sells in.
 * The marketplaces must be ones we know (their currency maps orders) and share one SP-API region;
 * `region`, when given, must be theirs, and is derived from them when absent.
 */
export function validAmazonCredentials(
  input: CredentialsInput | null | undefined,
  rules: EndpointRules = { httpsOnly: false },
): AmazonCredentials {
  if (!input)
    throw badInput(
      'credentials',
      'are required for an AMAZON channel: clientId, clientSecret, refreshToken, sellerId, marketplaceIds',
    );
  const sellerId = secretField('sellerId', input.sellerId).toUpperCase();
  if (!AMAZON_SELLER_ID.test(sellerId))
    throw badInput('credentials.sellerId', "must be the seller's merchant token: 8 to 20 letters and digits");
  const marketplaceIds = [...new Set((input.marketplaceIds ?? []).map((m) => m.trim().toUpperCase()))];
  if (marketplaceIds.length === 0 || marketplaceIds.length > MAX_MARKETPLACES)
    throw badInput(
      'credentials.marketplaceIds',
      `must list 1 to ${MAX_MARKETPLACES} marketplace ids, e.g. ATVPDKIKX0DER`,
    );
  const unknown = marketplaceIds.filter((m) => !(m in AMAZON_MARKETPLACES));
  if (unknown.length > 0)
    throw badInput(
      'credentials.marketplaceIds',
      `has ids Amazon does not list as marketplaces: ${unknown.slice(0, 5).join(', ').slice(0, 200)}`,
    );
  const regions = new Set(marketplaceIds.map((m) => AMAZON_MARKETPLACES[m]!.region));
  if (regions.size > 1)
    throw badInput(
      'credentials.marketplaceIds',
      'must all be in one SP-API region (na, eu or fe): connect one channel per region',
    );
  const derived = [...regions][0]!;
  const given = (input.region ?? '').trim().toLowerCase();
  if (given && !(AMAZON_REGIONS as readonly string[]).includes(given))
    throw badInput('credentials.region', `must be one of ${AMAZON_REGIONS.join(', ')}`);
  if (given && given !== derived)
    throw badInput('credentials.region', `is ${given}, but the marketplaces are served by ${derived}`);
  const queueUrl = validQueueUrl(input.notificationQueueUrl, rules);
  return {
    clientId: secretField('clientId', input.clientId),
    clientSecret: secretField('clientSecret', input.clientSecret),
    refreshToken: secretField('refreshToken', input.refreshToken),
    sellerId,
    region: derived,
    marketplaceIds,
    ...(queueUrl ? { notificationQueueUrl: queueUrl } : {}),
  };
}

/**
 * The SQS queue of the seller's ORDER_CHANGE subscription: an absolute http(s) URL naming the
 * queue in its path (`https://sqs.us-east-1.amazonaws.com/123456789012/switchyard-orders`), https
 * in production; absent or empty means no notifications (pulls only).
 */
function validQueueUrl(value: string | null | undefined, rules: EndpointRules): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  const field = 'credentials.notificationQueueUrl';
  if (text.length > 500) throw badInput(field, 'must be at most 500 characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(field, 'must be an SQS queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(field, 'must be an http(s) URL');
  if (rules.httpsOnly && url.protocol !== 'https:') throw badInput(field, 'must be https in production');
  if (url.username || url.password || url.search || url.hash)
    throw badInput(field, 'must not contain a user name, password, query or fragment');
  if (url.pathname.split('/').filter(Boolean).length < 1)
    throw badInput(field, 'must name the queue in its path (…/<account id>/<queue name>)');
  return url.toString();
}

/** The credentials a channel of `kind` needs, validated. */
export function validCredentialsFor(
  kind: string,
  input: CredentialsInput | null | undefined,
  endpoint: string | null,
  rules: EndpointRules = { httpsOnly: false },
): ChannelCredentials {
  switch (kind) {
    case 'ebay':
      return validEbayCredentials(input);
    case 'amazon':
      return validAmazonCredentials(input, rules);
    default:
      return validShopifyCredentials(input, endpoint);
  }
}
