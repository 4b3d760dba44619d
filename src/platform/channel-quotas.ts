import type { EntityManager } from '@mikro-orm/core';
import type { Redis } from 'ioredis';
import type { EbayQuotaUse } from '../connectors/ebay/ebay-quota.js';
import { isEbayCredentials } from '../domain/channels/channel-credentials.js';
import { openCredentials } from '../domain/channels/channel-secrets.js';
import { sqlRows } from '../domain/channels/sql.js';
import { ebayAppKey, RedisEbayQuota } from '../jobs/ebay-daily-quota.js';

/** A channel's daily platform quotas as counted today; null for kinds without them. */
export interface ChannelQuotas {
  usage(em: EntityManager, channelId: string): Promise<EbayQuotaUse[] | null>;
}

/** Reads the same Redis counters the connectors spend from (ebay-daily-quota.ts). */
export function redisChannelQuotas(redis: Redis, prefix: string, encryptionKey: Buffer): ChannelQuotas {
  return {
    async usage(em, channelId) {
      const [row] = await sqlRows<{ kind: string; endpoint: string | null; credentials_ciphertext: string | null }>(
        em,
        'select kind, endpoint, credentials_ciphertext from channel where id = ?',
        [channelId],
      );
      if (!row || row.kind !== 'ebay' || !row.credentials_ciphertext) return null;
      const credentials = openCredentials(encryptionKey, channelId, row.credentials_ciphertext);
      if (!isEbayCredentials(credentials)) return null;
      return new RedisEbayQuota(redis, prefix, ebayAppKey(row.endpoint, credentials.clientId)).usage();
    },
  };
}
