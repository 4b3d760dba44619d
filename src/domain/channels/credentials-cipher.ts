import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for channel credentials. Stored text: `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64
 * parts). The key id (first 8 hex of sha256(key)) lets key rotation tell rows under the old key
 * from rows already under the new one without trying to decrypt; it reveals nothing usable about
 * the key. The channel id is the associated data, so a ciphertext copied onto another channel's
 * row fails to decrypt instead of handing that channel someone else's secrets.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Decryption failed: wrong key, wrong channel, or edited text. Never says which, never echoes input. */
export class CredentialsDecryptError extends Error {
  constructor(reason: string) {
    super(`channel credentials cannot be decrypted: ${reason}`);
    this.name = 'CredentialsDecryptError';
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
}

/** First 8 hex characters of sha256(key): names a key in stored text and in rotation output. */
export function keyIdOf(key: Buffer): string {
  checkKey(key);
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function encryptCredentials(key: Buffer, channelId: string, plaintext: string): string {
  checkKey(key);
  // A fresh random IV per encryption: GCM with a repeated (key, IV) pair leaks the auth key.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(channelId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyIdOf(key), iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(
    ':',
  );
}

/** The key id a stored text names, or null when it is not in a format this code wrote. */
export function keyIdOfCiphertext(stored: string): string | null {
  const parts = stored.split(':');
  return parts.length === 5 && parts[0] === VERSION && /^[0-9a-f]{8}$/.test(parts[1]!) ? parts[1]! : null;
}

export function decryptCredentials(key: Buffer, channelId: string, stored: string): string {
  checkKey(key);
  const parts = stored.split(':');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new CredentialsDecryptError('unknown format');
  const [, keyId, ivText, tagText, ctText] = parts as [string, string, string, string, string];
  if (keyId !== keyIdOf(key))
    throw new CredentialsDecryptError(`stored under key ${keyId}, not the configured key ${keyIdOf(key)}`);
  const iv = Buffer.from(ivText, 'base64');
  const tag = Buffer.from(tagText, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new CredentialsDecryptError('malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(channelId, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // GCM's own message ("Unsupported state or unable to authenticate data") says nothing more.
    throw new CredentialsDecryptError('authentication failed (edited, or stored for another channel)');
  }
}
