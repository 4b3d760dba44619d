import type { EntityManager } from '@mikro-orm/core';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { challengeResponse } from '../connectors/ebay/ebay-account-deletion.js';
import { isEbayCredentials } from '../domain/channels/channel-credentials.js';
import { CHANNEL_ID } from '../domain/channels/channel-input.js';
import { openCredentials } from '../domain/channels/channel-secrets.js';
import { sqlRows } from '../domain/channels/sql.js';
import { errorBody } from './errors.js';

/** eBay's codes are short; anything longer is not eBay's and is never hashed. */
const MAX_CHALLENGE_CODE = 512;

export interface EbayChallengeDeps {
  em: () => EntityManager;
  encryptionKey: Buffer;
  /** The channel's webhook URL exactly as published and registered with eBay. */
  webhookUrl: (channelId: string) => string;
  logger: Logger;
}

/**
 * `GET /webhooks/<channelId>?challenge_code=X`: eBay's check that the account-deletion endpoint
 * is ours before it sends notices there. Answered only for an eBay channel with its grant:
 * `{"challengeResponse": hex(SHA-256(code + verificationToken + endpoint))}`, where endpoint is
 * the channel's published webhook URL (the one registered). Other kinds and unknown channels are
 * 404, a missing or odd code 400; nothing is written.
 */
export function ebayChallengeRoute(deps: EbayChallengeDeps): RequestHandler {
  return (req, res, next) => {
    const channelId = String(req.params.channelId ?? '');
    const code = req.query.challenge_code;
    const notFound = () =>
      res.status(404).json(errorBody(`No eBay channel ${channelId.slice(0, 64)} answers challenges`, 'NOT_FOUND'));
    if (!CHANNEL_ID.test(channelId)) return void notFound();
    void (async () => {
      const [row] = await sqlRows<{ kind: string; credentials_ciphertext: string | null }>(
        deps.em(),
        'select kind, credentials_ciphertext from channel where id = ?',
        [channelId],
      );
      if (!row || row.kind !== 'ebay' || !row.credentials_ciphertext) return void notFound();
      if (typeof code !== 'string' || code === '' || code.length > MAX_CHALLENGE_CODE)
        return void res
          .status(400)
          .json(
            errorBody(`challenge_code must be given once, 1 to ${MAX_CHALLENGE_CODE} characters`, 'BAD_USER_INPUT'),
          );
      const credentials = openCredentials(deps.encryptionKey, channelId, row.credentials_ciphertext);
      if (!isEbayCredentials(credentials)) return void notFound();
      const answer = challengeResponse(code, credentials.verificationToken, deps.webhookUrl(channelId));
      res
        .status(200)
        .type('application/json')
        .send(JSON.stringify({ challengeResponse: answer }));
    })().catch((error: Error) => {
      deps.logger.error({ err: error.message, channelId }, 'eBay challenge failed');
      next(error);
    });
  };
}
