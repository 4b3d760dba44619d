import type { EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import type { ChannelCredentials, EbayCredentials, ShopifyCredentials } from './channel-credentials.js';
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
  const value = JSON.parse(plaintext) as Partial<ShopifyCredentials & EbayCredentials>;
  // Only the known fields of the grant's kind, so nothing unexpected in the stored JSON travels further.
  // eBay's is told by its verification token (a refresh token is not eBay's alone).
  if (typeof value.verificationToken === 'string')
    return {
      clientId: String(value.clientId ?? ''),
      clientSecret: String(value.clientSecret ?? ''),
      refreshToken: String(value.refreshToken ?? ''),
      verificationToken: value.verificationToken,
      marketplaceId: String(value.marketplaceId ?? ''),
    };
  return {
    shopDomain: String(value.shopDomain ?? ''),
    accessToken: String(value.accessToken ?? ''),
    webhookSecret: String(value.webhookSecret ?? ''),
  };
}
