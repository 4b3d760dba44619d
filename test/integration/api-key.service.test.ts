import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createApiKey,
  createInitialAdminKeyIfNone,
  findPrincipalByToken,
  listApiKeys,
  revokeApiKey,
} from '../../src/domain/auth/api-key.service.js';
import { hashApiKeyToken } from '../../src/domain/auth/api-key-token.js';
import { DomainError } from '../../src/domain/errors.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('API keys on PostgreSQL', () => {
  it('creates the initial admin key only when there are no keys at all', async () => {
    const first = await createInitialAdminKeyIfNone(contextFor(orm.em));
    expect(first).toMatch(/^syk_[0-9a-f]{8}_/);
    expect(await createInitialAdminKeyIfNone(contextFor(orm.em))).toBeNull();
  });

  it('stores only the hash and the visible prefix, never the key', async () => {
    const { apiKey, token } = await createApiKey(contextFor(orm.em), {
      name: 'shop sync',
      role: 'integration',
      channelId: 'shopify-main',
    });
    const rows = await sql(db.url, 'select * from api_key where id = $1', [apiKey.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(token);
    expect(rows[0]!.hash).toBe(hashApiKeyToken(token));
    expect(token.startsWith(`${rows[0]!.prefix}_`)).toBe(true);
    expect(rows[0]!.channel_id).toBe('shopify-main');
  });

  it('finds the principal of a valid key and nothing for a revoked or unknown one', async () => {
    const { apiKey, token } = await createApiKey(contextFor(orm.em), { name: 'support desk', role: 'support' });
    const principal = await findPrincipalByToken(orm.em.fork(), token);
    expect(principal).toMatchObject({ kind: 'api_key', id: apiKey.id, role: 'support', keyPrefix: apiKey.prefix });
    await revokeApiKey(contextFor(orm.em), apiKey.id);
    expect(await findPrincipalByToken(orm.em.fork(), token)).toBeNull();
    expect(await findPrincipalByToken(orm.em.fork(), `${token.slice(0, -1)}x`)).toBeNull();
    expect(await findPrincipalByToken(orm.em.fork(), 'not a key')).toBeNull();
  });

  it('keeps the first revocation time when a key is revoked twice', async () => {
    const { apiKey } = await createApiKey(contextFor(orm.em), { name: 'twice', role: 'ops' });
    const once = await revokeApiKey(contextFor(orm.em), apiKey.id);
    const twice = await revokeApiKey(contextFor(orm.em), apiKey.id);
    expect(twice.revokedAt?.toISOString()).toBe(once.revokedAt?.toISOString());
  });

  it('rejects bad input naming the field and what is allowed, and writes nothing', async () => {
    const before = await sql(db.url, 'select count(*)::int as n from api_key');
    expect(await codeOf(createApiKey(contextFor(orm.em), { name: '  ', role: 'admin' }))).toBe(
      'BAD_USER_INPUT: name: must be 1 to 100 characters',
    );
    expect(await codeOf(createApiKey(contextFor(orm.em), { name: 'x', role: 'superuser' }))).toContain(
      'role: must be one of admin, ops, support, finance, read_only, integration',
    );
    expect(
      await codeOf(createApiKey(contextFor(orm.em), { name: 'x', role: 'ops', channelId: 'has space' })),
    ).toContain('channelId');
    expect(await codeOf(createApiKey(contextFor(orm.em), { name: 'x', role: 'admin', channelId: 'shop' }))).toContain(
      'admin key cannot be limited',
    );
    expect(await sql(db.url, 'select count(*)::int as n from api_key')).toEqual(before);
  });

  it('answers NOT_FOUND for unknown and malformed ids', async () => {
    expect(await codeOf(revokeApiKey(contextFor(orm.em), '00000000-0000-4000-8000-000000000000'))).toMatch(
      /^NOT_FOUND/,
    );
    expect(await codeOf(revokeApiKey(contextFor(orm.em), 'nope'))).toMatch(/^NOT_FOUND/);
  });

  it('pages through keys newest first with stable cursors, hiding revoked keys unless asked', async () => {
    for (let i = 0; i < 7; i++) await createApiKey(contextFor(orm.em), { name: `page ${i}`, role: 'read_only' });
    const all = await sql<{ id: string }>(
      db.url,
      'select id from api_key where revoked_at is null order by created_at desc, id desc',
    );
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listApiKeys(contextFor(orm.em), { first: 3, after });
      expect(page.totalCount).toBe(all.length);
      seen.push(...page.items.map((k) => k.id));
      if (!page.hasNextPage) break;
      after = page.cursors.at(-1)!;
    }
    expect(seen).toEqual(all.map((r) => r.id));
    const withRevoked = await listApiKeys(contextFor(orm.em), { first: 100, includeRevoked: true });
    const revokedCount = (
      await sql<{ n: number }>(db.url, 'select count(*)::int as n from api_key where revoked_at is not null')
    )[0]!.n;
    expect(revokedCount).toBeGreaterThan(0);
    expect(withRevoked.totalCount).toBe(all.length + revokedCount);
  });

  it('refuses pages without a size, over 100, and cursors it did not issue', async () => {
    expect(await codeOf(listApiKeys(contextFor(orm.em), {}))).toContain('first: is required');
    expect(await codeOf(listApiKeys(contextFor(orm.em), { first: 101 }))).toContain('first: must be from 1 to 100');
    expect(await codeOf(listApiKeys(contextFor(orm.em), { first: 5, after: 'garbage' }))).toContain(
      'after: is not a cursor',
    );
  });
});
