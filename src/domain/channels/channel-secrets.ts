import type { EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import { AMAZON_REGIONS, type ChannelCredentials } from './channel-credentials.js';
import { sqlRows } from './sql.js';
import { decryptCredentials, encryptCredentials } from './credentials-cipher.js';

/** A channel's decrypted credentials, for a connector or the webhook inbox; never logged. */
export async function loadChannelCredentials(
  em: EntityManager,
  key: Buffer,
  channelId: string,
): Promise<ChannelCredentials> {
  // Read straight from the row: the column is lazy on the entity so that ordinary channel reads
  // never carry the ciphertext around.
  const rows = await sqlRows<{ credentials_ciphertext: string | null }>(
    em,
    'select credentials_ciphertext from channel where id = ?',
    [channelId],
  );
  const row = rows[0];
  if (!row) throw notFound('Channel', channelId);
  return openCredentials(key, channelId, row.credentials_ciphertext);
}

/**
 * The credentials sealed in a channel row's `credentials_ciphertext`, for a caller that already
 * read the row (the webhook inbox reads it with the channel, in one round trip).
 */
export function openCredentials(key: Buffer, channelId: string, ciphertext: string | null): ChannelCredentials {
  if (!ciphertext)
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `Channel ${channelId} has no credentials`, { channelId });
  return parseCredentials(decryptCredentials(key, channelId, ciphertext));
}

/** The stored form of a channel's credentials: JSON, encrypted for this channel under `key`. */
export function sealCredentials(key: Buffer, channelId: string, credentials: ChannelCredentials): string {
  return encryptCredentials(key, channelId, JSON.stringify(credentials));
}

function parseCredentials(plaintext: string): ChannelCredentials {
  const stored = JSON.parse(plaintext) as Record<string, unknown>;
  // Only the known fields of the grant's kind, so nothing unexpected in the stored JSON travels
  // further. Each kind is told by a field only it has (channel-credentials.ts), never by the
  // refresh token, which eBay's and Amazon's grants both hold.
  if (typeof stored.verificationToken === 'string')
    return {
      clientId: String(stored.clientId ?? ''),
      clientSecret: String(stored.clientSecret ?? ''),
      refreshToken: String(stored.refreshToken ?? ''),
      verificationToken: stored.verificationToken,
      marketplaceId: String(stored.marketplaceId ?? ''),
    };
  if (typeof stored.sellerId === 'string') {
    const region = AMAZON_REGIONS.find((r) => r === stored.region) ?? 'na';
    return {
      clientId: String(stored.clientId ?? ''),
      clientSecret: String(stored.clientSecret ?? ''),
      refreshToken: String(stored.refreshToken ?? ''),
      sellerId: stored.sellerId,
      region,
      marketplaceIds: Array.isArray(stored.marketplaceIds) ? stored.marketplaceIds.map(String) : [],
      ...(typeof stored.notificationQueueUrl === 'string' ? { notificationQueueUrl: stored.notificationQueueUrl } : {}),
    };
  }
  const value = stored as Partial<ShopifyStored>;
  return {
    shopDomain: String(value.shopDomain ?? ''),
    accessToken: String(value.accessToken ?? ''),
    webhookSecret: String(value.webhookSecret ?? ''),
  };
}

type ShopifyStored = { shopDomain: string; accessToken: string; webhookSecret: string };
