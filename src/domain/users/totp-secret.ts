import { decryptCredentials, encryptCredentials } from '../channels/credentials-cipher.js';

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

export function openTotpSecret(key: Buffer, userId: string, stored: string): string {
  return decryptCredentials(key, totpSecretAad(userId), stored);
}
