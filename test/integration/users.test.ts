import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { needsRehash, verifyPassword } from '../../src/domain/users/password-hash.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Console users over GraphQL (admins only): created with an argon2id-hashed password that is
 * never shown, unique by email whatever its case, scoped like API keys, changed and deactivated
 * with every step in the audit log — and refused with a clear BAD_USER_INPUT when the input is
 * wrong, leaving nothing behind.
 */
let t: TestHub;

type UserJson = {
  id: string;
  email: string;
  name: string;
  role: string;
  channelId: string | null;
  active: boolean;
  deactivatedAt: string | null;
};
const FIELDS = 'id email name role channelId active deactivatedAt';
const PASSWORD = 'correct horse battery staple';

async function create(input: Record<string, unknown>) {
  return gql<{ createUser: UserJson }>(
    t.base,
    `mutation($input: CreateUserInput!) { createUser(input: $input) { ${FIELDS} } }`,
    { key: t.adminKey, variables: { input } },
  );
}

const auditOf = (userId: string) =>
  sql<{ action: string; actor_id: string; data: string }>(
    t.db.url,
    `select action, actor_id, data::text as data from audit_log where subject_type = 'user' and subject_id = $1 order by id`,
    [userId],
  );

beforeAll(async () => {
  t = await startTestHub('api');
});
afterAll(async () => {
  await t?.stop();
});

describe('console users', () => {
  it('creates a user whose password is stored only as an argon2id hash, and audits it', async () => {
    const res = await create({ email: '  Ada@Example.COM ', name: 'Ada Lovelace', role: 'OPS', password: PASSWORD });
    expect(res.body.errors).toBeUndefined();
    const user = res.body.data!.createUser;
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace', role: 'OPS', active: true });

    const [row] = await sql<{ password_hash: string }>(t.db.url, 'select password_hash from app_user where id = $1', [
      user.id,
    ]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, row!.password_hash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, row!.password_hash)).toBe(false);
    expect(needsRehash(row!.password_hash)).toBe(false);

    const audit = await auditOf(user.id);
    expect(audit.map((a) => a.action)).toEqual(['user.created']);
    expect(audit[0]!.data).not.toContain(PASSWORD);
    expect(audit[0]!.data).not.toContain('argon2');
  });

  it('refuses the same email in another case with CONFLICT, and bad input with BAD_USER_INPUT naming the field', async () => {
    const taken = await create({ email: 'ADA@example.com', name: 'Other Ada', role: 'SUPPORT', password: PASSWORD });
    expect(codesOf(taken)).toEqual(['CONFLICT']);
    expect(taken.body.errors![0]!.message).toContain('email');

    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ email: 'not-an-email', name: 'X', role: 'OPS', password: PASSWORD }, 'email', /valid email/],
      [{ email: 'x1@example.com', name: '', role: 'OPS', password: PASSWORD }, 'name', /1 to 100/],
      [{ email: 'x2@example.com', name: 'X', role: 'OPS', password: 'short' }, 'password', /12 to 256/],
      [{ email: 'x3@example.com', name: 'X', role: 'OPS', password: 'x3@example.com' }, 'password', /email/],
      [{ email: 'x4@example.com', name: 'X', role: 'OPS', password: 'a'.repeat(20) }, 'password', /repeated/],
      [{ email: 'x5@example.com', name: 'X', role: 'OPS', password: 'line one\nline two' }, 'password', /control/],
      [{ email: 'x6@example.com', name: 'X', role: 'OPS', password: 'p'.repeat(257) + 'q' }, 'password', /12 to 256/],
      [
        { email: 'x7@example.com', name: 'X', role: 'ADMIN', channelId: 'direct', password: PASSWORD },
        'channelId',
        /admin/,
      ],
      [
        { email: 'x8@example.com', name: 'X', role: 'OPS', channelId: 'nowhere', password: PASSWORD },
        'channelId',
        /no channel/,
      ],
    ];
    for (const [input, field, message] of cases) {
      const res = await create(input);
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ field });
      expect(res.body.errors![0]!.message).toMatch(message);
    }
    const [{ n }] = (await sql<{ n: string }>(
      t.db.url,
      `select count(*) as n from app_user where email like 'x%'`,
    )) as [{ n: string }];
    expect(Number(n)).toBe(0);
  });

  it('changes role, scope and password with each change audited, and deactivates idempotently', async () => {
    const user = (await create({ email: 'grace@example.com', name: 'Grace', role: 'SUPPORT', password: PASSWORD })).body
      .data!.createUser;
    const update = (input: Record<string, unknown>) =>
      gql<{ updateUser: UserJson }>(
        t.base,
        `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ${FIELDS} } }`,
        { key: t.adminKey, variables: { id: user.id, input } },
      );
    const scoped = await update({ role: 'INTEGRATION', channelId: 'direct' });
    expect(scoped.body.errors).toBeUndefined();
    expect(scoped.body.data!.updateUser).toMatchObject({ role: 'INTEGRATION', channelId: 'direct' });
    // Made an admin, the scope is lifted (an admin is never scoped).
    const admin = await update({ role: 'ADMIN' });
    expect(admin.body.data!.updateUser).toMatchObject({ role: 'ADMIN', channelId: null });
    const [before] = await sql<{ password_hash: string }>(
      t.db.url,
      'select password_hash from app_user where id = $1',
      [user.id],
    );
    expect((await update({ password: 'a new passphrase, long enough' })).body.errors).toBeUndefined();
    const [after] = await sql<{ password_hash: string }>(t.db.url, 'select password_hash from app_user where id = $1', [
      user.id,
    ]);
    expect(after!.password_hash).not.toBe(before!.password_hash);
    expect(await verifyPassword('a new passphrase, long enough', after!.password_hash)).toBe(true);
    // Nothing to change: no audit entry.
    expect((await update({ name: 'Grace' })).body.errors).toBeUndefined();

    const deactivate = () =>
      gql<{ deactivateUser: UserJson }>(t.base, `mutation($id: ID!) { deactivateUser(id: $id) { ${FIELDS} } }`, {
        key: t.adminKey,
        variables: { id: user.id },
      });
    const first = (await deactivate()).body.data!.deactivateUser;
    const second = (await deactivate()).body.data!.deactivateUser;
    expect(first.active).toBe(false);
    expect(second.deactivatedAt).toBe(first.deactivatedAt);
    expect(codesOf(await update({ name: 'Ghost' }))).toEqual(['ILLEGAL_TRANSITION']);

    const audit = await auditOf(user.id);
    expect(audit.map((a) => a.action)).toEqual([
      'user.created',
      'user.updated',
      'user.updated',
      'user.updated',
      'user.deactivated',
    ]);
    expect(JSON.parse(audit[1]!.data)).toMatchObject({
      role: { from: 'support', to: 'integration' },
      channelId: { from: null, to: 'direct' },
    });
    expect(JSON.parse(audit[3]!.data)).toMatchObject({ password: true });
    for (const a of audit) expect(a.actor_id).toBe('bootstrap');

    const list = await gql<{ users: { totalCount: number; edges: { node: UserJson }[] } }>(
      t.base,
      `{ active: users(first: 50) { totalCount } all: users(first: 50, includeDeactivated: true) { totalCount edges { node { email active } } } }`,
      { key: t.adminKey },
    );
    expect(list.body.errors).toBeUndefined();
    const data = list.body.data as unknown as { active: { totalCount: number }; all: { totalCount: number } };
    expect(data.all.totalCount).toBe(data.active.totalCount + 1);
    expect(JSON.stringify(list.body.data)).not.toContain('argon2');
  });

  it('is for admins only', async () => {
    const key = await gql<{ createApiKey: { key: string } }>(
      t.base,
      'mutation { createApiKey(input: { name: "ops", role: OPS }) { key } }',
      { key: t.adminKey },
    );
    const ops = key.body.data!.createApiKey.key;
    expect(codesOf(await gql(t.base, '{ users(first: 1) { totalCount } }', { key: ops }))).toEqual(['FORBIDDEN']);
    const res = await gql(
      t.base,
      `mutation { createUser(input: { email: "sneaky@example.com", name: "S", role: ADMIN, password: "${PASSWORD}" }) { id } }`,
      { key: ops },
    );
    expect(codesOf(res)).toEqual(['FORBIDDEN']);
    expect(await sql(t.db.url, `select 1 from app_user where email = 'sneaky@example.com'`)).toHaveLength(0);
  });
});
