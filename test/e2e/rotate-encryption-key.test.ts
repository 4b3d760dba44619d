import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connectChannel } from '../../src/domain/channels/channel.service.js';
import { loadChannelCredentials } from '../../src/domain/channels/channel-secrets.js';
import { decryptCredentials, encryptCredentials, keyIdOf } from '../../src/domain/channels/credentials-cipher.js';
import { rotateEncryptionKey } from '../../src/domain/channels/rotate-encryption-key.js';
import { principalOfUser, signIn } from '../../src/domain/users/sessions.js';
import { openTotpSecret } from '../../src/domain/users/totp-secret.js';
import { confirmEnrolment, startEnrolment } from '../../src/domain/users/two-factor.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { verifySignIn } from '../../src/domain/users/verify-sign-in.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { Secret, TOTP } from 'otpauth';
import { spawnHub } from '../support/child-hub.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * `switchyard rotate-encryption-key`: every channel's credentials and every console user's TOTP
 * secret (enrolled or pending) move to the new key, once; a user signs in with a code after.
 */
let db: TestDatabase;
let orm: Orm;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keyC = randomBytes(32);
const CHANNELS = ['rot-1', 'rot-2', 'rot-3', 'rot-4'];

const tokenOf = (id: string) => `shpat_${id}_secret`;
const PASSWORD = 'correct horse battery staple';
/** The clock the TOTP codes are made and checked on, a step apart for each use. */
const T0 = Date.parse('2026-12-07T12:00:00Z');
const codeAt = (secret: string, step: number) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: T0 + step * 30_000 });
/** user id → TOTP secret: one enrolled, one enrolment pending. */
const totp = new Map<string, string>();
let enrolledId = '';

async function totpKeyIds(): Promise<string[]> {
  const rows = await sql<{ k: string }>(
    db.url,
    "select split_part(totp_secret_ciphertext, ':', 2) as k from app_user where totp_secret_ciphertext is not null order by id",
  );
  return rows.map((r) => r.k);
}

async function totpSecretsOpenUnder(key: Buffer): Promise<void> {
  const rows = await sql<{ id: string; c: string }>(
    db.url,
    'select id, totp_secret_ciphertext as c from app_user where totp_secret_ciphertext is not null',
  );
  expect(rows).toHaveLength(2);
  for (const row of rows) expect(openTotpSecret(key, row.id, row.c)).toBe(totp.get(row.id));
}

/** The enrolled user's password, then a code for `step`, under `key`: the session opens. */
async function signsInWithCode(key: Buffer, step: number): Promise<void> {
  const at = () => new Date(T0 + step * 30_000);
  const ctx = contextFor(orm.em);
  const first = await signIn(ctx, { email: 'enrolled@example.com', password: PASSWORD }, undefined, at);
  if (first.kind !== 'second_factor') throw new Error('no second factor was asked for');
  const signed = await verifySignIn(
    ctx,
    { encryptionKey: key },
    { challenge: first.challenge, code: codeAt(totp.get(enrolledId)!, step) },
    undefined,
    at,
  );
  expect(signed.twoFactor.enabled).toBe(true);
}

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
  for (const email of ['enrolled@example.com', 'pending@example.com']) {
    const user = await createUser(contextFor(orm.em), { email, name: email, role: 'ops', password: PASSWORD });
    const asUser = contextFor(orm.em, principalOfUser(user));
    const { secret } = await startEnrolment(asUser, { encryptionKey: keyA });
    totp.set(user.id, secret);
    if (email === 'pending@example.com') continue;
    enrolledId = user.id;
    await confirmEnrolment(
      asUser,
      { encryptionKey: keyA },
      { code: codeAt(secret, 0), sessionId: null },
      () => new Date(T0),
    );
  }
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

describe('rotateEncryptionKey', () => {
  it('re-encrypts every channel and every TOTP secret, then skips them all on a rerun', async () => {
    expect(await keyIds()).toEqual(CHANNELS.map(() => keyIdOf(keyA)));
    expect(await totpKeyIds()).toEqual([keyIdOf(keyA), keyIdOf(keyA)]);
    const first = await rotateEncryptionKey(orm.em.fork(), keyA, keyB);
    expect(first).toEqual({
      oldKeyId: keyIdOf(keyA),
      newKeyId: keyIdOf(keyB),
      rotated: 4,
      skipped: 0,
      totpSecrets: { rotated: 2, skipped: 0 },
    });
    expect(await keyIds()).toEqual(CHANNELS.map(() => keyIdOf(keyB)));
    expect(await totpKeyIds()).toEqual([keyIdOf(keyB), keyIdOf(keyB)]);
    await allDecryptUnder(keyB);
    await totpSecretsOpenUnder(keyB);
    await signsInWithCode(keyB, 1);
    // Under the old key the secret no longer opens: the code step fails closed.
    await expect(signsInWithCode(keyA, 2)).rejects.toThrow('cannot be decrypted');
    await expect(loadChannelCredentials(orm.em.fork(), keyA, 'rot-1')).rejects.toThrow('cannot be decrypted');
    const again = await rotateEncryptionKey(orm.em.fork(), keyA, keyB);
    expect(again).toMatchObject({ rotated: 0, skipped: 4, totpSecrets: { rotated: 0, skipped: 2 } });
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
    expect(run.out).toContain(`re-encrypted 2 two-factor secret(s); 0 already under ${keyIdOf(keyC)}`);
    expect(run.code).toBe(0);
    await allDecryptUnder(keyC);
    await totpSecretsOpenUnder(keyC);
    await signsInWithCode(keyC, 3);
    const rerun = await cli(['--old', keyB.toString('base64'), '--new', keyC.toString('base64')]);
    expect(rerun.code).toBe(0);
    expect(rerun.out).toContain('re-encrypted 0 channel(s)');
    expect(rerun.out).toContain(`4 already under ${keyIdOf(keyC)}`);
    // No key material in the output.
    expect(rerun.out).not.toContain(keyC.toString('base64'));
    expect(rerun.out).not.toContain('shpat_');
    for (const secret of totp.values()) expect(run.out + rerun.out).not.toContain(secret);
  });

  it('exits 64 without --new', async () => {
    const run = await cli([], { SWITCHYARD_ENCRYPTION_KEY: keyB.toString('base64') });
    expect(run.code).toBe(64);
    expect(run.out).toContain('needs --new');
  });
});
