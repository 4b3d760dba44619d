import { CredentialsDecryptError, decryptCredentials, encryptCredentials } from '../channels/credentials-cipher.js';

/**
 * A user's TOTP secret at rest: the channel credentials cipher (AES-256-GCM under the hub's
 * encryption key), with `app_user.totp:<user id>` as the associated data in place of a channel
 * id, so a ciphertext copied onto another user's row (or a channel's) does not decrypt.
 * `rotate-encryption-key` re-encrypts these with the channels' credentials.
 */
export const totpSecretAad = (userId: string): string => `app_user.totp:${userId}`;

export function sealTotpSecret(key: Buffer, userId: string, base32Secret: string): string {
  return encryptCredentials(key, totpSecretAad(userId), base32Secret);
}

/** Throws when the configured key is not the one the secret was stored under (a bug or a half-done rotation). */
export function openTotpSecret(key: Buffer, userId: string, stored: string): string {
  try {
    return decryptCredentials(key, totpSecretAad(userId), stored);
  } catch (error) {
    if (!(error instanceof CredentialsDecryptError)) throw error;
    // The cipher's message names channel credentials; say whose secret this is instead.
    throw new Error(
      `the two-factor secret of user ${userId} cannot be decrypted: ${error.message.replace(/^.*?: /, '')}`,
      {
        cause: error,
      },
    );
  }
}
