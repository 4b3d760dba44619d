import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  CredentialsDecryptError,
  decryptCredentials,
  encryptCredentials,
  keyIdOf,
  keyIdOfCiphertext,
} from '../../src/domain/channels/credentials-cipher.js';

const key = randomBytes(32);
const secret = JSON.stringify({ shopDomain: 'a.myshopify.com', accessToken: 'shpat_MARKER', webhookSecret: 's3' });

describe('credentials cipher (AES-256-GCM)', () => {
  it('round-trips and names the key and version in the stored text', () => {
    const stored = encryptCredentials(key, 'shop-eu', secret);
    expect(stored).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('shpat_MARKER');
    expect(keyIdOfCiphertext(stored)).toBe(keyIdOf(key));
    expect(decryptCredentials(key, 'shop-eu', stored)).toBe(secret);
  });

  it('uses a fresh IV each time: the same secret never encrypts to the same text', () => {
    const texts = new Set(Array.from({ length: 50 }, () => encryptCredentials(key, 'c', secret)));
    expect(texts.size).toBe(50);
    const ivs = new Set([...texts].map((t) => t.split(':')[2]));
    expect(ivs.size).toBe(50);
  });

  it('refuses a text with any single byte of the ciphertext, IV or tag changed', () => {
    const stored = encryptCredentials(key, 'c', secret);
    const parts = stored.split(':');
    let refused = 0;
    let tried = 0;
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64');
      for (let i = 0; i < bytes.length; i++) {
        const edited = Buffer.from(bytes);
        edited[i] = edited[i]! ^ 0x01;
        const text = parts.map((p, j) => (j === index ? edited.toString('base64') : p)).join(':');
        tried++;
        try {
          decryptCredentials(key, 'c', text);
        } catch (error) {
          if (error instanceof CredentialsDecryptError) refused++;
        }
      }
    }
    expect(tried).toBeGreaterThan(28);
    expect(refused).toBe(tried);
  });

  it('refuses the wrong key, saying which key the text was stored under', () => {
    const stored = encryptCredentials(key, 'c', secret);
    const other = randomBytes(32);
    expect(() => decryptCredentials(other, 'c', stored)).toThrow(CredentialsDecryptError);
    expect(() => decryptCredentials(other, 'c', stored)).toThrow(keyIdOf(key));
    // Even with the key id forged to match, GCM refuses it.
    const forged = stored.replace(`:${keyIdOf(key)}:`, `:${keyIdOf(other)}:`);
    expect(() => decryptCredentials(other, 'c', forged)).toThrow(CredentialsDecryptError);
  });

  it('refuses a ciphertext moved to another channel (the channel id is the associated data)', () => {
    const stored = encryptCredentials(key, 'shop-eu', secret);
    expect(() => decryptCredentials(key, 'shop-us', stored)).toThrow(CredentialsDecryptError);
  });

  it('never echoes the stored text or plaintext in its errors', () => {
    const stored = encryptCredentials(key, 'c', secret);
    try {
      decryptCredentials(key, 'd', stored);
      throw new Error('expected a failure');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain(stored.split(':')[4]!);
      expect(message).not.toContain('shpat_');
    }
  });

  it('refuses texts in an unknown format and keys of the wrong size', () => {
    expect(() => decryptCredentials(key, 'c', 'plain text')).toThrow(CredentialsDecryptError);
    expect(() => decryptCredentials(key, 'c', 'v2:00000000:a:b:c')).toThrow(CredentialsDecryptError);
    expect(keyIdOfCiphertext('v2:00000000:a:b:c')).toBeNull();
    expect(() => encryptCredentials(randomBytes(16), 'c', secret)).toThrow('32 bytes');
  });
});
