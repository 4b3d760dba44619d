import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are stored as argon2id hashes (Node's own `crypto.argon2`, RFC 9106) in the PHC
 * string format, `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`, so the parameters travel with each
 * hash and can be raised later without invalidating the ones stored. The defaults are OWASP's
 * recommendation for argon2id: 19 MiB of memory, 2 passes, 1 lane.
 */
export interface Argon2Params {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

function derive(password: string, salt: Buffer, params: Argon2Params, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      {
        message: Buffer.from(password, 'utf8'),
        nonce: salt,
        memory: params.memoryKiB,
        passes: params.passes,
        parallelism: params.parallelism,
        tagLength: length,
      },
      (err, key) => (err ? reject(err) : resolve(Buffer.from(key))),
    ),
  );
}

export async function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params, HASH_BYTES);
  return `$argon2id$v=19$m=${params.memoryKiB},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

/** True when `password` matches the stored hash; false (never an error) for a malformed one. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (!m) return false;
  const params = { memoryKiB: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) };
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await derive(password, Buffer.from(m[4]!, 'base64'), params, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Whether a stored hash was made with weaker parameters than today's (rehash at the next sign-in). */
export function needsRehash(stored: string, params: Argon2Params = DEFAULT_ARGON2): boolean {
  const m = PHC.exec(stored);
  return !m || Number(m[1]) < params.memoryKiB || Number(m[2]) < params.passes || Number(m[3]) < params.parallelism;
}
