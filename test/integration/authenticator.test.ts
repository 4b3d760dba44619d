import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createApiKey } from '../../src/domain/auth/api-key.service.js';
import { DomainError } from '../../src/domain/errors.js';
import { ApiKeyAuthenticator } from '../../src/platform/api-key-authenticator.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createRedis, waitForRedis } from '../../src/platform/redis.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let orm: Orm;
const redises: Redis[] = [];

async function redis(role: 'producer' | 'subscriber'): Promise<Redis> {
  const url = process.env.TEST_REDIS_URL!;
  const r = createRedis(url, role);
  redises.push(r);
  await waitForRedis(r, url, 5_000);
  return r;
}

/** The ORM as the authenticator sees it, counting lookups (each lookup forks one EntityManager). */
function countingOrm(): { orm: Orm; lookups: () => number } {
  let forks = 0;
  const proxy = { em: { fork: () => (forks++, orm.em.fork()) } } as unknown as Orm;
  return { orm: proxy, lookups: () => forks };
}

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
});
afterAll(async () => {
  for (const r of redises) r.disconnect();
  await orm.close(true);
  await db.drop();
});

describe('API key authenticator', () => {
  it('treats no header as anonymous and a present but bad one as an error', async () => {
    const auth = new ApiKeyAuthenticator(orm, { adminKey: undefined, ttlMs: 30_000 });
    expect(await auth.authenticate(undefined)).toBeNull();
    await expect(auth.authenticate('Token abc')).rejects.toThrow(DomainError);
    await expect(auth.authenticate('Bearer syk_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow(
      'unknown or revoked',
    );
  });

  it('answers UNAUTHENTICATED, not anonymous, for an empty Authorization header', async () => {
    const auth = new ApiKeyAuthenticator(orm, { adminKey: undefined, ttlMs: 30_000 });
    await expect(auth.authenticate('')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(auth.authenticate('   ')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('answers repeated checks of one key from memory, not the database', async () => {
    const { token } = await createApiKey(contextFor(orm.em), { name: 'cached', role: 'ops' });
    const counting = countingOrm();
    const auth = new ApiKeyAuthenticator(counting.orm, { adminKey: undefined, ttlMs: 30_000 });
    await auth.authenticate(`Bearer ${token}`);
    expect(counting.lookups()).toBe(1);
    for (let i = 0; i < 200; i++) expect((await auth.authenticate(`Bearer ${token}`))?.role).toBe('ops');
    expect(counting.lookups()).toBe(1);
  });

  it('shares one database lookup among concurrent first checks of a key', async () => {
    const { token } = await createApiKey(contextFor(orm.em), { name: 'burst', role: 'support' });
    const counting = countingOrm();
    const auth = new ApiKeyAuthenticator(counting.orm, { adminKey: undefined, ttlMs: 30_000 });
    const results = await Promise.all(Array.from({ length: 50 }, () => auth.authenticate(`Bearer ${token}`)));
    expect(results.every((p) => p?.role === 'support')).toBe(true);
    expect(counting.lookups()).toBe(1);
  });

  it('asks the database again once the cache entry expires', async () => {
    const { token } = await createApiKey(contextFor(orm.em), { name: 'short ttl', role: 'ops' });
    const counting = countingOrm();
    const auth = new ApiKeyAuthenticator(counting.orm, { adminKey: undefined, ttlMs: 50 });
    await auth.authenticate(`Bearer ${token}`);
    await new Promise((r) => setTimeout(r, 80));
    await auth.authenticate(`Bearer ${token}`);
    expect(counting.lookups()).toBe(2);
  });

  it('drops a revoked key on every other process through Redis, despite its cache', async () => {
    const { apiKey, token } = await createApiKey(contextFor(orm.em), { name: 'two nodes', role: 'finance' });
    const nodeA = new ApiKeyAuthenticator(orm, { adminKey: undefined, ttlMs: 60_000 }, await redis('producer'));
    const nodeB = new ApiKeyAuthenticator(orm, { adminKey: undefined, ttlMs: 60_000 }, await redis('producer'));
    await nodeB.listen(await redis('subscriber'));
    const closed: string[] = [];
    nodeB.onRevoked((id) => closed.push(id));
    expect((await nodeB.authenticate(`Bearer ${token}`))?.id).toBe(apiKey.id);
    // Revoked in the database and announced by node A; node B still holds the key in its cache.
    await sql(db.url, 'update api_key set revoked_at = now() where id = $1', [apiKey.id]);
    await nodeA.revoked(apiKey.id);
    const deadline = Date.now() + 5_000;
    while (!closed.includes(apiKey.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toContain(apiKey.id);
    await expect(nodeB.authenticate(`Bearer ${token}`)).rejects.toThrow('unknown or revoked');
  });

  it('accepts the bootstrap admin key only when it matches exactly', async () => {
    const adminKey = 'b'.repeat(40);
    const auth = new ApiKeyAuthenticator(orm, { adminKey, ttlMs: 30_000 });
    expect((await auth.authenticate(`Bearer ${adminKey}`))?.kind).toBe('bootstrap_admin');
    await expect(auth.authenticate(`Bearer ${adminKey}c`)).rejects.toThrow(DomainError);
  });
});
