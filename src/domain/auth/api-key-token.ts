import { createHash, randomBytes } from 'node:crypto';

/**
 * API key format: `syk_<8 hex id>_<43 base64url secret>`. The `syk_<id>` prefix is stored and
 * shown in listings so a leaked key can be recognised; only the SHA-256 of the whole key is
 * stored. A 256-bit random secret needs no slow hash: there is nothing to brute-force.
 */
const TOKEN_PATTERN = /^syk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  token: string;
  prefix: string;
  hash: string;
}

export function generateApiKeyToken(): GeneratedApiKey {
  const id = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const token = `syk_${id}_${secret}`;
  return { token, prefix: `syk_${id}`, hash: hashApiKeyToken(token) };
}

export function hashApiKeyToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeApiKeyToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}
