import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret, TOTP } from 'otpauth';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../src/domain/errors.js';
import { principalOfUser, signIn } from '../../src/domain/users/sessions.js';
import { confirmEnrolment, resetTwoFactor, startEnrolment } from '../../src/domain/users/two-factor.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import type { User } from '../../src/domain/users/user.entity.js';
import { verifySignIn } from '../../src/domain/users/verify-sign-in.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * Two-factor sign-in on real PostgreSQL with the clock in the test's hands: the ±1 step window,
 * the 5-minute challenge, a challenge outliving a reset, enrolment started over, and malformed
 * codes refused without counting.
 */
let db: TestDatabase;
let orm: Orm;
const PASSWORD = 'correct horse battery staple';
const keys = { encryptionKey: randomBytes(32) };
const T0 = Date.parse('2026-12-07T09:00:00Z');
const at = (ms: number) => () => new Date(T0 + ms);
const code = (secret: string, ms: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: T0 + ms });

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 8 });
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const ctx = () => contextFor(orm.em);

/** A user with two-factor sign-in on, enrolled at T0 (the step of T0 used up). */
async function enrolledUser(email: string): Promise<{ user: User; secret: string }> {
  const user = await createUser(ctx(), { email, name: email, role: 'ops', password: PASSWORD });
  const asUser = contextFor(orm.em, principalOfUser(user));
  const { secret } = await startEnrolment(asUser, keys);
  await confirmEnrolment(asUser, keys, { code: code(secret, 0), sessionId: null }, at(0));
  return { user, secret };
}

async function challengeAt(email: string, ms: number): Promise<string> {
  const result = await signIn(ctx(), { email, password: PASSWORD }, undefined, at(ms));
  if (result.kind !== 'second_factor') throw new Error('no second factor was asked for');
  return result.challenge;
}

const outcome = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof DomainError ? `${e.code}: ${e.message}` : String(e);
  }
};

const failures = async (email: string) =>
  (await sql<{ n: number }>(db.url, 'select failed_sign_ins as n from app_user where email = $1', [email]))[0]!.n;

describe('two-factor sign-in, clock in hand', () => {
  it('accepts a code one step ahead of the clock and refuses one two steps ahead', async () => {
    const { secret } = await enrolledUser('window@example.com');
    const now = 5 * 60_000;
    const challenge = await challengeAt('window@example.com', now);
    expect(
      await outcome(verifySignIn(ctx(), keys, { challenge, code: code(secret, now + 60_000) }, undefined, at(now))),
    ).toMatch(/^UNAUTHENTICATED: The code is wrong/);
    expect(
      await outcome(verifySignIn(ctx(), keys, { challenge, code: code(secret, now + 30_000) }, undefined, at(now))),
    ).toBe('ok');
  });

  it('lets a challenge lapse after five minutes', async () => {
    const { secret, user } = await enrolledUser('lapse@example.com');
    const challenge = await challengeAt('lapse@example.com', 60_000);
    const late = 60_000 + 5 * 60_000;
    expect(
      await outcome(verifySignIn(ctx(), keys, { challenge, code: code(secret, late) }, undefined, at(late))),
    ).toMatch(/^UNAUTHENTICATED: This sign-in has expired/);
    const audit = await sql<{ data: { reason: string } }>(
      db.url,
      "select data from audit_log where subject_id = $1 and action = 'user.second_factor_failed'",
      [user.id],
    );
    expect(audit.map((a) => a.data.reason)).toEqual(['challenge_expired']);
    expect(await sql(db.url, 'select 1 from sign_in_challenge where user_id = $1', [user.id])).toHaveLength(0);
  });

  it('drops a pending challenge when an admin resets the second factor', async () => {
    const { secret, user } = await enrolledUser('reset@example.com');
    const challenge = await challengeAt('reset@example.com', 90_000);
    await resetTwoFactor(ctx(), user.id);
    expect(
      await outcome(verifySignIn(ctx(), keys, { challenge, code: code(secret, 90_000) }, undefined, at(90_000))),
    ).toMatch(/^UNAUTHENTICATED: This sign-in has expired/);
    // The password alone signs in now.
    expect((await signIn(ctx(), { email: 'reset@example.com', password: PASSWORD }, undefined, at(95_000))).kind).toBe(
      'session',
    );
  });

  it('starts an enrolment over with a new secret: a code from the first one does not confirm', async () => {
    const user = await createUser(ctx(), { email: 'over@example.com', name: 'Over', role: 'ops', password: PASSWORD });
    const asUser = contextFor(orm.em, principalOfUser(user));
    const first = await startEnrolment(asUser, keys);
    const second = await startEnrolment(asUser, keys);
    expect(second.secret).not.toBe(first.secret);
    expect(
      await outcome(confirmEnrolment(asUser, keys, { code: code(first.secret, 0), sessionId: null }, at(0))),
    ).toMatch(/^BAD_USER_INPUT: code:/);
    expect(
      await outcome(confirmEnrolment(asUser, keys, { code: code(second.secret, 0), sessionId: null }, at(0))),
    ).toBe('ok');
  });

  it('refuses malformed codes without counting them towards the lockout', async () => {
    const { secret } = await enrolledUser('typo@example.com');
    const challenge = await challengeAt('typo@example.com', 120_000);
    for (const typed of ['', '12345', '1234567', 'abc', 'x'.repeat(65), `${code(secret, 120_000)}\n7`])
      expect(await outcome(verifySignIn(ctx(), keys, { challenge, code: typed }, undefined, at(120_000)))).toMatch(
        /^BAD_USER_INPUT: code:/,
      );
    expect(await failures('typo@example.com')).toBe(0);
    expect(
      await outcome(
        verifySignIn(ctx(), keys, { challenge, code: ` ${code(secret, 120_000)} ` }, undefined, at(120_000)),
      ),
    ).toBe('ok');
  });
});
