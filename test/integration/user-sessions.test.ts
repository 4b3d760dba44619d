import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/domain/errors.js';
import { csrfMatches, DEFAULT_SESSION_POLICY, sessionOf, signIn, signOut } from '../../src/domain/users/sessions.js';
import { createUser, deactivateUser, updateUser } from '../../src/domain/users/user.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * Console sign-in on real PostgreSQL: a session opened by the right password, known only by its
 * token's hash, ended by idle time, its absolute lifetime, sign-out, a new password or a
 * deactivation; wrong passwords counted under a row lock (concurrent guesses too) until the
 * account locks; every step audited with the caller's address, never the password.
 */
let db: TestDatabase;
let orm: Orm;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 8 });
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const ctx = () => contextFor(orm.em);
/** These users have no second factor: the password step opens the session. */
const signInSession = async (...args: Parameters<typeof signIn>) => {
  const result = await signIn(...args);
  if (result.kind !== 'session') throw new Error('a second factor was requested');
  return result;
};
const newUser = (email: string, role = 'ops') => createUser(ctx(), { email, name: email, role, password: PASSWORD });
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
};

describe('console sign-in', () => {
  it('opens a session known only by its token hash; the session carries the user as principal', async () => {
    const user = await newUser('ada@example.com');
    const signed = await signInSession(ctx(), { email: ' ADA@example.com', password: PASSWORD, ip: '203.0.113.7' });
    expect(signed.token).toMatch(/^sys_[A-Za-z0-9_-]{43}$/);
    expect(signed.principal).toMatchObject({ kind: 'user', id: user.id, role: 'ops', channelId: null });
    const rows = await sql<{ id: string; csrf_token: string }>(db.url, 'select id, csrf_token from user_session');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toContain(signed.token.slice(4));

    const session = await sessionOf(orm.em.fork(), signed.token);
    expect(session?.principal.id).toBe(user.id);
    expect(csrfMatches(session!, signed.csrfToken)).toBe(true);
    expect(csrfMatches(session!, `${signed.csrfToken}x`)).toBe(false);
    expect(csrfMatches(session!, undefined)).toBe(false);
    expect(await sessionOf(orm.em.fork(), `sys_${'A'.repeat(43)}`)).toBeNull();
    expect(await sessionOf(orm.em.fork(), 'not a token')).toBeNull();

    const audit = await sql<{ action: string; ip: string; data: string }>(
      db.url,
      `select action, ip, data::text as data from audit_log where subject_id = $1 order by id`,
      [user.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['user.created', 'user.signed_in']);
    expect(audit[1]!.ip).toBe('203.0.113.7');

    await signOut(ctx(), signed.token);
    expect(await sessionOf(orm.em.fork(), signed.token)).toBeNull();
  });

  it('answers the same for an unknown email, a wrong password and a deactivated user', async () => {
    const user = await newUser('gone@example.com');
    await deactivateUser(ctx(), user.id);
    const messages: string[] = [];
    for (const attempt of [
      { email: 'nobody@example.com', password: PASSWORD },
      { email: 'ada@example.com', password: 'not the password at all' },
      { email: 'gone@example.com', password: PASSWORD },
    ]) {
      try {
        await signIn(ctx(), attempt);
        throw new Error('signed in');
      } catch (e) {
        expect((e as DomainError).code).toBe('UNAUTHENTICATED');
        messages.push((e as Error).message);
      }
    }
    expect(new Set(messages).size).toBe(1);
    const failed = await sql<{ data: string }>(
      db.url,
      `select data::text as data from audit_log where action = 'user.sign_in_failed' order by id`,
    );
    expect(failed.map((f) => JSON.parse(f.data).reason)).toEqual(['unknown_email', 'password', 'deactivated']);
    for (const f of failed) expect(f.data).not.toContain(PASSWORD);
  });

  it('locks after five wrong passwords in a row, even when they race, and a new password unlocks', async () => {
    const user = await newUser('target@example.com');
    // Eight concurrent guesses: the count is taken under the row lock, so the fifth locks the account.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        codeOf(signIn(ctx(), { email: 'target@example.com', password: `guess number ${i}` })),
      ),
    );
    expect(results.filter((r) => r === 'UNAUTHENTICATED').length).toBeGreaterThanOrEqual(4);
    expect(results).toContain('RATE_LIMITED');
    const [row] = await sql<{ locked_until: Date | null }>(db.url, 'select locked_until from app_user where id = $1', [
      user.id,
    ]);
    expect(row!.locked_until).not.toBeNull();
    // Locked: even the right password is refused, with when it ends.
    expect(await codeOf(signIn(ctx(), { email: 'target@example.com', password: PASSWORD }))).toBe('RATE_LIMITED');
    const locks = await sql(db.url, `select 1 from audit_log where action = 'user.locked' and subject_id = $1`, [
      user.id,
    ]);
    expect(locks).toHaveLength(1);

    await updateUser(ctx(), user.id, { password: 'a brand new passphrase' });
    expect(await codeOf(signIn(ctx(), { email: 'target@example.com', password: 'a brand new passphrase' }))).toBe('ok');
  });

  it('ends sessions when idle, at their absolute lifetime, on a new password and on deactivation', async () => {
    const user = await newUser('sessions@example.com', 'support');
    const t0 = Date.now();
    const at = (ms: number) => () => new Date(t0 + ms);
    const policy = DEFAULT_SESSION_POLICY;

    const idle = await signInSession(ctx(), { email: 'sessions@example.com', password: PASSWORD }, policy, at(0));
    expect(await sessionOf(orm.em.fork(), idle.token, policy, at(policy.idleMs - 1_000))).not.toBeNull();
    // Used just before the idle limit, it lives on from that use; unused for the whole limit, it ends.
    expect(await sessionOf(orm.em.fork(), idle.token, policy, at(2 * policy.idleMs - 2_000))).not.toBeNull();
    expect(await sessionOf(orm.em.fork(), idle.token, policy, at(3 * policy.idleMs))).toBeNull();

    const absolute = await signInSession(ctx(), { email: 'sessions@example.com', password: PASSWORD }, policy, at(0));
    for (let ms = policy.idleMs / 2; ms < policy.absoluteMs; ms += policy.idleMs / 2)
      expect(await sessionOf(orm.em.fork(), absolute.token, policy, at(ms))).not.toBeNull();
    expect(await sessionOf(orm.em.fork(), absolute.token, policy, at(policy.absoluteMs))).toBeNull();

    const a = await signInSession(ctx(), { email: 'sessions@example.com', password: PASSWORD });
    const b = await signInSession(ctx(), { email: 'sessions@example.com', password: PASSWORD });
    // A role change applies to open sessions at their next request.
    await updateUser(ctx(), user.id, { role: 'finance' });
    expect((await sessionOf(orm.em.fork(), a.token))?.principal.role).toBe('finance');
    await updateUser(ctx(), user.id, { password: 'another long passphrase' });
    expect(await sessionOf(orm.em.fork(), a.token)).toBeNull();
    expect(await sessionOf(orm.em.fork(), b.token)).toBeNull();

    const c = await signInSession(ctx(), { email: 'sessions@example.com', password: 'another long passphrase' });
    await deactivateUser(ctx(), user.id);
    expect(await sessionOf(orm.em.fork(), c.token)).toBeNull();
    const left = await sql(db.url, 'select 1 from user_session where user_id = $1', [user.id]);
    expect(left).toHaveLength(0);
  });
});
