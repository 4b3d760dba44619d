import type { EntityManager } from '@mikro-orm/core';
import type { ChannelCredentials } from './channel-credentials.js';

/** A channel's decrypted credentials, for a connector or the webhook inbox; never logged. */
export async function loadChannelCredentials(
  _em: EntityManager,
  _key: Buffer,
  _channelId: string,
): Promise<ChannelCredentials> {
  throw new Error('loadChannelCredentials: not implemented yet');
}
