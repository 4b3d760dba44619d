import type { KeyObject } from 'node:crypto';
import { PlatformError } from '../connector.js';
import type { EbayHttp } from './ebay-http.js';
import type { EbayTokenSource } from './ebay-oauth.js';
import { publicKeyFromEbay } from './ebay-notification-signature.js';

/** eBay advises caching a key rather than asking per notification; keys rotate rarely. */
export const PUBLIC_KEY_TTL_MS = 60 * 60_000;

interface PublicKeyAnswer {
  algorithm?: string;
  digest?: string;
  key?: string;
}

/**
 * Notification public keys by key id, fetched from the Notification API's getPublicKey with the
 * application token and cached for PUBLIC_KEY_TTL_MS (the Notification API has a daily quota of
 * its own). Concurrent notifications under one new kid share one fetch.
 */
export class EbayPublicKeys {
  private readonly cache = new Map<string, { key: KeyObject; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<KeyObject>>();

  constructor(
    private readonly http: EbayHttp,
    private readonly tokens: Pick<EbayTokenSource, 'appToken'>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(kid: string): Promise<KeyObject> {
    const cached = this.cache.get(kid);
    if (cached && this.now() < cached.expiresAt) return cached.key;
    let fetching = this.pending.get(kid);
    if (!fetching) {
      fetching = this.fetch(kid).finally(() => this.pending.delete(kid));
      this.pending.set(kid, fetching);
    }
    return fetching;
  }

  private async fetch(kid: string): Promise<KeyObject> {
    const token = await this.tokens.appToken();
    const { body } = await this.http.request<PublicKeyAnswer>({
      method: 'GET',
      path: `/commerce/notification/v1/public_key/${encodeURIComponent(kid)}`,
      headers: { Authorization: `Bearer ${token}` },
      retries: 2,
    });
    if (typeof body?.key !== 'string')
      throw new PlatformError('INVALID', `eBay answered public key ${kid} without a key`);
    let key: KeyObject;
    try {
      key = publicKeyFromEbay(body.key);
    } catch {
      throw new PlatformError('INVALID', `eBay's public key ${kid} is not a PEM public key`);
    }
    this.cache.set(kid, { key, expiresAt: this.now() + PUBLIC_KEY_TTL_MS });
    return key;
  }
}
