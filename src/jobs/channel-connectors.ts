import type { EntityManager } from '@mikro-orm/core';
import { MAX_FEED_MESSAGES } from '../connectors/amazon/amazon-listings-feed.js';
import { connectorFor } from '../connectors/connector-registry.js';
import type { ChannelConnector } from '../connectors/connector.js';
import { Channel, type ChannelKind } from '../domain/channels/channel.entity.js';
import { loadChannelCredentials } from '../domain/channels/channel-secrets.js';
import type { Redis } from 'ioredis';
import { ebayAppKey, RedisEbayQuota } from './ebay-daily-quota.js';

/** A channel's connector with the limits the jobs plan by. */
export interface ResolvedConnector {
  connector: ChannelConnector;
  /** Most stock figures one push job sends per connector call (the platform's input-array cap). */
  stockBatchLimit: number;
}

/** Finds the connector of a channel; injectable so tests and benchmarks can stand in for a platform. */
export type ConnectorSource = (em: EntityManager, channelId: string) => Promise<ResolvedConnector>;

/**
 * Shopify caps every input array at 250 (CONNECTORS.md §1), eBay's bulkUpdatePriceQuantity takes
 * 25 SKUs; Amazon takes 25,000 messages per JSON_LISTINGS_FEED, and with a feed rate of about
 * one createFeed every two minutes, the fewer and fuller the feeds the better.
 */
export const STOCK_BATCH_LIMITS: Record<ChannelKind, number> = {
  shopify: 250,
  amazon: MAX_FEED_MESSAGES,
  ebay: 25,
  direct: 1,
};

/**
 * The real connectors: the channel's row (kind, endpoint) and its decrypted credentials, read
 * per job and never put in job data.
 */
export function platformConnectorSource(
  encryptionKey: Buffer,
  quotas?: { redis: Redis; prefix: string },
): ConnectorSource {
  // eBay's daily quotas, counted in Redis per app so every job and process shares them.
  const ebayQuota = quotas
    ? ({ endpoint, clientId }: { endpoint: string | null; clientId: string }) =>
        new RedisEbayQuota(quotas.redis, quotas.prefix, ebayAppKey(endpoint, clientId))
    : undefined;
  return async (em, channelId) => {
    const channel = await em.findOneOrFail(Channel, { id: channelId });
    const credentials = await loadChannelCredentials(em, encryptionKey, channelId);
    return {
      connector: connectorFor({ kind: channel.kind, endpoint: channel.endpoint ?? null, credentials, ebayQuota }),
      stockBatchLimit: STOCK_BATCH_LIMITS[channel.kind],
    };
  };
}
