import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connectChannel } from '../../src/domain/channels/channel.service.js';
import { loadChannelCredentials } from '../../src/domain/channels/channel-secrets.js';
import { decryptCredentials, encryptCredentials, keyIdOf } from '../../src/domain/channels/credentials-cipher.js';
import { rotateEncryptionKey } from '../../src/domain/channels/rotate-encryption-key.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { spawnHub } from '../support/child-hub.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** `switchyard rotate-encryption-key`: every channel's credentials move to the new key, once. */
let db: TestDatabase;
let orm: Orm;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keyC = randomBytes(32);
const CHANNELS = ['rot-1', 'rot-2', 'rot-3', 'rot-4'];

const tokenOf = (id: string) => `shpat_${id}_secret`;

async function keyIds(): Promise<string[]> {
  const rows = await sql<{ k: string }>(
    db.url,
    "select split_part(credentials_ciphertext, ':', 2) as k from channel where credentials_ciphertext is not null order by id",
  );
  return rows.map((r) => r.k);
}

async function allDecryptUnder(key: Buffer): Promise<void> {
  for (const id of CHANNELS) {
    expect(await loadChannelCredentials(orm.em.fork(), key, id)).toMatchObject({ accessToken: tokenOf(id) });
  }
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | string; out: string }> {
  const child = spawnHub(['rotate-encryption-key', ...args], { DATABASE_URL: db.url, ...env });
  const code = await child.exited;
  return { code, out: child.output() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  for (const id of CHANNELS) {
    await connectChannel(
      contextFor(orm.em),
      { encryptionKey: keyA, httpsOnlyEndpoints: false },
      {
        kind: 'shopify',
        id,
        name: id,
        credentials: { shopDomain: `${id}.myshopify.com`, accessToken: tokenOf(id), webhookSecret: 'whsec' },
      },
    );
  }
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

describe('rotateEncryptionKey', () => {
  it('re-encrypts every channel, then skips them all on a rerun', async () => {
    expect(await keyIds()).toEqual(CHANNELS.map(() => keyIdOf(keyA)));
    const first = await rotateEncryptionKey(orm.em.fork(), keyA, keyB);
    expect(first).toEqual({ oldKeyId: keyIdOf(keyA), newKeyId: keyIdOf(keyB), rotated: 4, skipped: 0 });
    expect(await keyIds()).toEqual(CHANNELS.map(() => keyIdOf(keyB)));
    await allDecryptUnder(keyB);
    await expect(loadChannelCredentials(orm.em.fork(), keyA, 'rot-1')).rejects.toThrow('cannot be decrypted');
    const again = await rotateEncryptionKey(orm.em.fork(), keyA, keyB);
    expect(again).toMatchObject({ rotated: 0, skipped: 4 });
  });

  it('finishes a half-done rotation (some rows already under the new key)', async () => {
    // rot-1 still under A (as if a rotation had been interrupted before it), the rest under B.
    const plain = decryptCredentials(
      keyB,
      'rot-1',
      (await sql<{ c: string }>(db.url, "select credentials_ciphertext as c from channel where id = 'rot-1'"))[0]!.c,
    );
    await sql(db.url, "update channel set credentials_ciphertext = $1 where id = 'rot-1'", [
      encryptCredentials(keyA, 'rot-1', plain),
    ]);
    const half = await rotateEncryptionKey(orm.em.fork(), keyA, keyB);
    expect(half).toMatchObject({ rotated: 1, skipped: 3 });
    await allDecryptUnder(keyB);
  });

  it('changes nothing when some row is under a key that is neither old nor new', async () => {
    const before = await sql<{ c: string }>(db.url, 'select credentials_ciphertext as c from channel order by id');
    await expect(rotateEncryptionKey(orm.em.fork(), keyC, randomBytes(32))).rejects.toThrow(
      `neither the old key ${keyIdOf(keyC)}`,
    );
    expect(await sql(db.url, 'select credentials_ciphertext as c from channel order by id')).toEqual(before);
  });
});

describe('switchyard rotate-encryption-key', () => {
  it('rotates from SWITCHYARD_ENCRYPTION_KEY to --new, and is idempotent', async () => {
    const run = await cli(['--new', keyC.toString('hex')], { SWITCHYARD_ENCRYPTION_KEY: keyB.toString('base64') });
    expect(run.out).toContain(`re-encrypted 4 channel(s) from key ${keyIdOf(keyB)} to key ${keyIdOf(keyC)}`);
    expect(run.code).toBe(0);
    await allDecryptUnder(keyC);
    const rerun = await cli(['--old', keyB.toString('base64'), '--new', keyC.toString('base64')]);
    expect(rerun.code).toBe(0);
    expect(rerun.out).toContain('re-encrypted 0 channel(s)');
    expect(rerun.out).toContain(`4 already under ${keyIdOf(keyC)}`);
    // No key material in the output.
    expect(rerun.out).not.toContain(keyC.toString('base64'));
    expect(rerun.out).not.toContain('shpat_');
  });

  it('exits 64 without --new', async () => {
    const run = await cli([], { SWITCHYARD_ENCRYPTION_KEY: keyB.toString('base64') });
    expect(run.code).toBe(64);
    expect(run.out).toContain('needs --new');
  });
});
