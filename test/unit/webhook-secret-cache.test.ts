import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { webhookSecretOf } from '../../src/domain/channels/channel-credentials.js';
import { openCredentials, sealCredentials } from '../../src/domain/channels/channel-secrets.js';
import { WebhookSecretCache } from '../../src/domain/channels/webhook-secret-cache.js';

const key = randomBytes(32);
const seal = (channelId: string, webhookSecret: string) =>
  sealCredentials(key, channelId, { shopDomain: 'a.myshopify.com', accessToken: 'shpat_x', webhookSecret });

/** The hub's cache (webhook-inbox.ts), counting the decrypts it does. */
function countingCache(maxChannels?: number) {
  const opened: string[] = [];
  const cache = new WebhookSecretCache((channelId, ciphertext) => {
    opened.push(channelId);
    return webhookSecretOf(openCredentials(key, channelId, ciphertext));
  }, maxChannels);
  return { cache, opened };
}

describe('WebhookSecretCache', () => {
  it('decrypts a channel secret once and serves it while the row holds the same ciphertext', () => {
    const { cache, opened } = countingCache();
    const sealed = seal('shop-a', 'secret-1');
    expect(cache.secretOf('shop-a', sealed)).toBe('secret-1');
    expect(cache.secretOf('shop-a', sealed)).toBe('secret-1');
    expect(cache.secretOf('shop-a', sealed)).toBe('secret-1');
    expect(opened).toEqual(['shop-a']);
  });

  it('serves the new secret from the first delivery after a rotation (new credentials, new ciphertext)', () => {
    const { cache, opened } = countingCache();
    expect(cache.secretOf('shop-a', seal('shop-a', 'secret-1'))).toBe('secret-1');
    expect(cache.secretOf('shop-a', seal('shop-a', 'secret-2'))).toBe('secret-2');
    expect(opened).toEqual(['shop-a', 'shop-a']);
  });

  it('decrypts again when the credentials are rewritten with the same secret (every seal draws a new IV)', () => {
    const { cache, opened } = countingCache();
    cache.secretOf('shop-a', seal('shop-a', 'secret-1'));
    expect(cache.secretOf('shop-a', seal('shop-a', 'secret-1'))).toBe('secret-1');
    expect(opened).toHaveLength(2);
  });

  it('keeps nothing usable once the row holds credentials that cannot be opened, or none', () => {
    const { cache, opened } = countingCache();
    const sealed = seal('shop-a', 'secret-1');
    cache.secretOf('shop-a', sealed);
    expect(() => cache.secretOf('shop-a', 'v1:00000000:AAAA:AAAA:AAAA')).toThrow('cannot be decrypted');
    expect(() => cache.secretOf('shop-a', null)).toThrow('has no credentials');
    expect(cache.size).toBe(0);
    // Back to the first ciphertext: decrypted again, not served from a stale entry.
    expect(cache.secretOf('shop-a', sealed)).toBe('secret-1');
    expect(opened).toHaveLength(4);
  });

  it("never serves a channel's cached secret for another channel's row holding a copied ciphertext", () => {
    const { cache } = countingCache();
    const sealed = seal('victim', 'victim-secret');
    expect(cache.secretOf('victim', sealed)).toBe('victim-secret');
    expect(() => cache.secretOf('thief', sealed)).toThrow('cannot be decrypted');
  });

  it('holds at most maxChannels secrets, making room by dropping the oldest', () => {
    const { cache, opened } = countingCache(2);
    const sealed = Object.fromEntries(['a', 'b', 'c'].map((id) => [id, seal(id, `s-${id}`)]));
    for (const id of ['a', 'b', 'c']) cache.secretOf(id, sealed[id]!);
    expect(cache.size).toBe(2);
    cache.secretOf('c', sealed.c!);
    cache.secretOf('a', sealed.a!);
    expect(opened).toEqual(['a', 'b', 'c', 'a']);
  });
});
