import { createHash, randomBytes } from 'node:crypto';

/**
 * Two-factor recovery codes: 10 at a time, each 80 random bits written as 16 base32 characters
 * in groups of four (`ABCD-EFGH-IJKL-MNOP`). Stored as SHA-256 of the user id and the code: a
 * memory-hard hash protects guessable secrets like passwords, but 80 random bits cannot be
 * guessed offline either way, and a plain hash lets a sign-in find its row in one lookup.
 * Typed input is forgiving: case, spaces and dashes do not matter.
 */
export const RECOVERY_CODE_COUNT = 10;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CODE_CHARS = 16;

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** A fresh set of codes, formatted for people. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => base32(randomBytes(10)).match(/.{4}/g)!.join('-'));
}

/** The code as stored-hash input: upper case, no spaces or dashes; null when it cannot be a recovery code. */
export function normalRecoveryCode(code: string): string | null {
  const normal = code.replace(/[\s-]/g, '').toUpperCase();
  return normal.length === CODE_CHARS && /^[A-Z2-7]+$/.test(normal) ? normal : null;
}

export function recoveryCodeHash(userId: string, normalCode: string): string {
  return createHash('sha256').update(`${userId}:${normalCode}`, 'utf8').digest('hex');
}
