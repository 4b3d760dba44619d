import type { EntityManager } from '@mikro-orm/core';
import { createHash } from 'node:crypto';
import { EbayHttp } from '../connectors/ebay/ebay-http.js';
import { EbayTokenSource } from '../connectors/ebay/ebay-oauth.js';
import { EbayPublicKeys } from '../connectors/ebay/ebay-public-keys.js';
import type { EbayQuota } from '../connectors/ebay/ebay-quota.js';
import type { WebhookChannelRef } from '../connectors/webhook-adapter.js';
import { isEbayCredentials } from '../domain/channels/channel-credentials.js';
import { openCredentials } from '../domain/channels/channel-secrets.js';
import { sqlRows } from '../domain/channels/sql.js';

/** Key caches kept at once; more eBay apps than this only cost a key fetch each. */
const MAX_APPS = 100;

/**
 * The Notification API's public keys for the inbox, one EbayPublicKeys per eBay application and
 * endpoint (every channel of one app shares its cache, its pending fetches and its application
 * token: the Notification API's daily quota is the app's). A channel's endpoint is read per
 * notification (eBay sends few), so an endpoint change takes effect at once.
 */
export class EbayNotificationKeys {
  private readonly apps = new Map<string, EbayPublicKeys>();

  constructor(
    private readonly deps: {
      em: () => EntityManager;
      encryptionKey: Buffer;
      timeoutMs?: number;
      /** The app's daily quotas (getPublicKey counts against Notification's); absent: not counted. */
      quota?: (app: { endpoint: string | null; clientId: string }) => EbayQuota;
    },
  ) {}

  readonly keysFor = async (channel: WebhookChannelRef): Promise<EbayPublicKeys> => {
    const credentials = openCredentials(this.deps.encryptionKey, channel.id, channel.credentialsCiphertext);
    if (!isEbayCredentials(credentials)) throw new Error(`Channel ${channel.id} holds no eBay credentials`);
    const [row] = await sqlRows<{ endpoint: string | null }>(
      this.deps.em(),
      'select endpoint from channel where id = ?',
      [channel.id],
    );
    const endpoint = row?.endpoint ?? null;
    const app = createHash('sha256')
      .update(`${endpoint ?? ''}\n${credentials.clientId}\n${credentials.clientSecret}`)
      .digest('hex');
    let keys = this.apps.get(app);
    if (!keys) {
      // The key fetch answers the notification that waits on it: a short timeout, eBay retries the delivery.
      const http = new EbayHttp({
        endpoint,
        timeoutMs: this.deps.timeoutMs ?? 3_000,
        retryDelayMs: 100,
        quota: this.deps.quota?.({ endpoint, clientId: credentials.clientId }),
      });
      keys = new EbayPublicKeys(http, new EbayTokenSource(http, credentials));
      if (this.apps.size >= MAX_APPS) this.apps.delete(this.apps.keys().next().value!);
      this.apps.set(app, keys);
    }
    return keys;
  };
}
