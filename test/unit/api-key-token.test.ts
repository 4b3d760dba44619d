import { describe, expect, it } from '@jest/globals';
import { generateApiKeyToken, hashApiKeyToken, looksLikeApiKeyToken } from '../../src/domain/auth/api-key-token.js';

describe('API key tokens', () => {
  it('have a visible prefix, 256 random bits and a SHA-256 hash', () => {
    const key = generateApiKeyToken();
    expect(key.token).toMatch(/^syk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.token.startsWith(`${key.prefix}_`)).toBe(true);
    expect(key.hash).toBe(hashApiKeyToken(key.token));
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateApiKeyToken().token));
    expect(tokens.size).toBe(1000);
  });

  it('are recognised by shape before any lookup', () => {
    expect(looksLikeApiKeyToken(generateApiKeyToken().token)).toBe(true);
    expect(looksLikeApiKeyToken('syk_1234567_short')).toBe(false);
    expect(looksLikeApiKeyToken('')).toBe(false);
    expect(looksLikeApiKeyToken(`${generateApiKeyToken().token} `)).toBe(false);
  });
});
