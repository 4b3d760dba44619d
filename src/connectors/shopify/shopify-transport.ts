import { installShopifyFetch, withEndpoint } from './shopify-fetch.js';
import {
  ApiVersion,
  GraphqlQueryError,
  HttpResponseError,
  LogSeverity,
  Session,
  shopifyApi,
  type GraphqlClient,
} from '@shopify/shopify-api';
import type { ShopifyCredentials } from '../../domain/channels/channel-credentials.js';
import { shopifyError, type ShopifyFailure, type ShopifyUserError, type ThrottleStatus } from './shopify-errors.js';

/** The Admin API version the connector speaks; the simulator answers the same shapes. */
export const SHOPIFY_API_VERSION = ApiVersion.April26;

export interface ShopifyTransportOptions {
  credentials: ShopifyCredentials;
  /** Base URL override (simulator or proxy); null for the shop itself. */
  endpoint: string | null;
  /** Per-call timeout. */
  timeoutMs?: number;
}

export interface CallResult<T> {
  data: T;
  throttleStatus: ThrottleStatus | null;
  /** What the call was charged (`extensions.cost.actualQueryCost`), when the answer says. */
  actualCost: number | null;
}

/**
 * One GraphQL call to one shop through @shopify/shopify-api: a timeout on every call, no
 * retries (the library's are off; jobs retry with the error's kind), every failure turned into
 * a PlatformError by shopifyError, and the cost bucket read after every answer.
 */
export class ShopifyTransport {
  private readonly client: GraphqlClient;
  private readonly endpoint: string | null;
  private readonly timeoutMs: number;
  /** The cost bucket as of the last answer that carried one. */
  lastThrottleStatus: ThrottleStatus | null = null;
  /** When that answer arrived (ms). */
  private lastThrottleAt = 0;

  constructor(options: ShopifyTransportOptions) {
    const { credentials } = options;
    this.endpoint = options.endpoint;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const shopify = shopifyApi({
      // The GraphQL client needs only the version; key and secret are the library's required
      // settings (the secret is the app's, also the webhook HMAC key).
      apiKey: 'switchyard',
      apiSecretKey: credentials.webhookSecret || 'unused',
      apiVersion: SHOPIFY_API_VERSION,
      hostName: 'localhost',
      isEmbeddedApp: false,
      isCustomStoreApp: false,
      logger: { level: LogSeverity.Error, log: () => Promise.resolve() },
    });
    const session = new Session({
      id: `offline_${credentials.shopDomain}`,
      shop: credentials.shopDomain,
      state: '',
      isOnline: false,
      accessToken: credentials.accessToken,
    });
    installShopifyFetch();
    this.client = new shopify.clients.Graphql({ session });
  }

  async call<T>(query: string, variables: Record<string, unknown> = {}): Promise<CallResult<T>> {
    let response: { data?: unknown; extensions?: unknown };
    try {
      response = await withEndpoint(this.endpoint, () =>
        this.client.request(query, { variables, retries: 0, signal: AbortSignal.timeout(this.timeoutMs) }),
      );
    } catch (err) {
      const failure = await failureOf(err);
      this.noteThrottle(failure.body);
      throw shopifyError(failure);
    }
    this.noteThrottle(response);
    const cost = (response.extensions as { cost?: { actualQueryCost?: unknown } } | undefined)?.cost;
    const actualCost = typeof cost?.actualQueryCost === 'number' ? cost.actualQueryCost : null;
    return { data: response.data as T, throttleStatus: this.lastThrottleStatus, actualCost };
  }

  /**
   * Waits, when the last answer says the bucket cannot hold `requestedCost` yet, for the points
   * to restore (at most `maxWaitMs`), so a call of a known up-front price is not THROTTLED. Without
   * a bucket reading (first call of this connector) it goes ahead: the answer will tell.
   */
  async waitForBudget(requestedCost: number, maxWaitMs = 20_000): Promise<void> {
    const status = this.lastThrottleStatus;
    if (!status || status.restoreRate <= 0) return;
    const elapsed = (Date.now() - this.lastThrottleAt) / 1000;
    const available = Math.min(status.maximumAvailable, status.currentlyAvailable + elapsed * status.restoreRate);
    if (available >= requestedCost || requestedCost > status.maximumAvailable) return;
    const waitMs = Math.min(maxWaitMs, Math.ceil(((requestedCost - available) / status.restoreRate) * 1000));
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** A mutation's userErrors as a PlatformError (use after handling the codes the caller expects). */
  userErrorsFailure(userErrors: ShopifyUserError[]) {
    return shopifyError({ status: 200, body: {}, userErrors });
  }

  private noteThrottle(body: unknown): void {
    const status = (body as { extensions?: { cost?: { throttleStatus?: ThrottleStatus } } } | undefined)?.extensions
      ?.cost?.throttleStatus;
    if (status) {
      this.lastThrottleStatus = status;
      this.lastThrottleAt = Date.now();
    }
  }
}

/** What the library threw, as plain data for shopifyError. */
async function failureOf(err: unknown): Promise<ShopifyFailure> {
  if (err instanceof GraphqlQueryError) {
    const body = err.body as { errors?: { graphQLErrors?: unknown }; extensions?: unknown } | undefined;
    return { status: 200, body: { errors: body?.errors?.graphQLErrors ?? [], extensions: body?.extensions } };
  }
  if (err instanceof HttpResponseError) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(err.response.headers ?? {})) {
      headers[name.toLowerCase()] = Array.isArray(value) ? String(value[0]) : String(value);
    }
    return { status: err.response.code, headers, body: await rawBody(err.response.body) };
  }
  return { cause: (err as { cause?: unknown }).cause ?? err };
}

/** The graphql client leaves a non-2xx body unread on the fetch Response it keeps. */
async function rawBody(body: unknown): Promise<unknown> {
  const response = (body as { errors?: { response?: Response } } | undefined)?.errors?.response;
  if (!response || response.bodyUsed) return undefined;
  try {
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  } catch {
    return undefined;
  }
}
