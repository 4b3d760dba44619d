import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Secret, TOTP } from 'otpauth';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Two-factor sign-in over HTTP on a real hub (PostgreSQL, Redis), driven as the console's SPA
 * will: enrolment with a real authenticator's codes (otpauth, from the secret the hub handed
 * out), the password step answering with a challenge, the code step opening the session, codes
 * refused when wrong or replayed, recovery codes good once, wrong codes locking the account with
 * wrong passwords, admins held to enrolment until they have a second factor, and no secret in
 * the API, the database's plain columns or the logs once enrolled.
 */
let t: TestHub;
const PASSWORD = 'correct horse battery staple';
const logLines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString('utf8'));
    done();
  },
});

beforeAll(async () => {
  t = await startTestHub('api', {}, pino({ level: 'debug' }, capture));
  for (const [email, role] of [
    ['ops@example.com', 'OPS'],
    ['racer@example.com', 'SUPPORT'],
    ['locky@example.com', 'FINANCE'],
    ['boss@example.com', 'ADMIN'],
  ] as const) {
    const res = await gql(
      t.base,
      `mutation { createUser(input: { email: "${email}", name: "${email}", role: ${role}, password: "${PASSWORD}" }) { id } }`,
      { key: t.adminKey },
    );
    expect(res.body.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await t?.stop();
});
/** Each test calls from its own address, so the per-address limit (10 a minute) counts its own attempts only. */
let address = '';
let tests = 0;
beforeEach(() => {
  address = `203.0.113.${++tests}`;
});

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T & { errors?: { message: string; extensions: Record<string, unknown> }[] };
  cookie: string | null;
  retryAfter: string | null;
}

/** A JSON POST as the SPA sends it; `from` is the client address a trusted (loopback) proxy reports. */
async function post<T = Record<string, unknown>>(
  path: string,
  body: unknown,
  o: { cookie?: string; csrf?: string; from?: string } = {},
): Promise<Answer<T>> {
  const res = await fetch(`${t.base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': o.from ?? address,
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as Answer<T>['body'],
    cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null,
    retryAfter: res.headers.get('retry-after'),
  };
}

interface Session {
  cookie: string;
  csrf: string;
}
interface SessionBody {
  csrfToken: string;
  twoFactor: { enabled: boolean; required: boolean; enrolmentRequired: boolean; recoveryCodesLeft?: number };
  user: { role: string };
}
interface Challenge {
  secondFactor?: string;
  challenge: string;
  expiresAt: string;
}

const signIn = (email: string, from?: string) =>
  post<Challenge & Partial<SessionBody>>('/auth/sign-in', { email, password: PASSWORD }, { from });
const verify = (challenge: string, code: string, from?: string) =>
  post<SessionBody>('/auth/sign-in/verify', { challenge, code }, { from });

/** Password only (no second factor yet): the session. */
async function passwordSession(email: string, from?: string): Promise<Session & { body: SessionBody }> {
  const res = await signIn(email, from);
  expect(res.status).toBe(200);
  expect(res.cookie).toMatch(/^sy_session=sys_/);
  return { cookie: res.cookie!, csrf: res.body.csrfToken!, body: res.body as SessionBody };
}

/**
 * The code an authenticator app shows `steps` time steps from now. Waits out the last 3 s of a
 * step first, so the hub checks every code of a test against the step it was made for (±1).
 */
async function codeFor(secret: string, steps = 0): Promise<string> {
  const left = TOTP.remaining({ period: 30 });
  if (left < 3_000) await new Promise((r) => setTimeout(r, left + 100));
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
}

/** A 6-digit code that is none of the ones valid around now. */
function wrongCode(secret: string): string {
  const valid = new Set(
    [-1, 0, 1].map((s) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + s * 30_000 })),
  );
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

async function asCookie(s: Session, query: string) {
  const res = await fetch(`${t.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

/** Enrols a signed-in user: the secret handed out and the ten recovery codes (step `steps` used up). */
async function enrol(s: Session, steps = 0): Promise<{ secret: string; uri: string; recoveryCodes: string[] }> {
  const started = await post<{ secret: string; uri: string }>('/auth/two-factor/enrolment', {}, s);
  expect(started.status).toBe(200);
  const confirmed = await post<{ recoveryCodes: string[] }>(
    '/auth/two-factor/enrolment/confirm',
    { code: await codeFor(started.body.secret, steps) },
    s,
  );
  expect(confirmed.status).toBe(200);
  return { ...started.body, recoveryCodes: confirmed.body.recoveryCodes };
}

async function auditOf(email: string): Promise<{ action: string; data: Record<string, unknown> }[]> {
  return sql<{ action: string; data: Record<string, unknown> }>(
    t.db.url,
    `select a.action, a.data from audit_log a join app_user u on u.id::text = a.subject_id
      where u.email = $1 order by a.id`,
    [email],
  );
}

const userId = async (email: string) =>
  (await sql<{ id: string }>(t.db.url, 'select id from app_user where email = $1', [email]))[0]!.id;

/** What must never show again once handed out: the ops user's secret and recovery codes. */
const handedOut: string[] = [];
let opsSecret = '';
let opsRecovery: string[] = [];
let racerRecovery: string[] = [];
let racerSecret = '';

describe('two-factor sign-in over HTTP', () => {
  it('enrols: a secret and an otpauth URI, a wrong code refused, a right one turns it on with ten recovery codes', async () => {
    const s = await passwordSession('ops@example.com');
    expect(s.body.twoFactor).toEqual({ enabled: false, required: false, enrolmentRequired: false });
    // Cookie-authenticated changes need the CSRF header.
    expect((await post('/auth/two-factor/enrolment', {}, { cookie: s.cookie })).status).toBe(403);
    expect((await post('/auth/two-factor/enrolment', {})).status).toBe(401);

    const started = await post<{ secret: string; uri: string }>('/auth/two-factor/enrolment', {}, s);
    expect(started.status).toBe(200);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.body.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Switchyard:ops@example.com');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret: started.body.secret,
      issuer: 'Switchyard',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    opsSecret = started.body.secret;

    const wrong = await post('/auth/two-factor/enrolment/confirm', { code: wrongCode(opsSecret) }, s);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const malformed = await post('/auth/two-factor/enrolment/confirm', { code: '12ab' }, s);
    expect(malformed.status).toBe(400);
    expect(
      (await sql(t.db.url, "select 1 from app_user where email = 'ops@example.com' and totp_enabled_at is not null"))
        .length,
    ).toBe(0);

    const confirmed = await post<{ recoveryCodes: string[]; twoFactor: SessionBody['twoFactor'] }>(
      '/auth/two-factor/enrolment/confirm',
      { code: await codeFor(opsSecret) },
      s,
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.twoFactor).toEqual({
      enabled: true,
      required: false,
      enrolmentRequired: false,
      recoveryCodesLeft: 10,
    });
    opsRecovery = confirmed.body.recoveryCodes;
    expect(opsRecovery).toHaveLength(10);
    expect(new Set(opsRecovery).size).toBe(10);
    for (const code of opsRecovery) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    handedOut.push(opsSecret, ...opsRecovery, ...opsRecovery.map((c) => c.replace(/-/g, '')));

    // Enrolling again is refused, and hands out nothing.
    const again = await post('/auth/two-factor/enrolment', {}, s);
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toContain(opsSecret);

    // The session that enrolled goes on; the page reload shows 2FA on.
    const session = await fetch(`${t.base}/auth/session`, { headers: { cookie: s.cookie } });
    expect(await session.json()).toMatchObject({ twoFactor: { enabled: true, recoveryCodesLeft: 10 } });
    const users = await gql<{ users: { edges: { node: { email: string; twoFactorEnabled: boolean } }[] } }>(
      t.base,
      '{ users(first: 10) { edges { node { email twoFactorEnabled } } } }',
      { key: t.adminKey },
    );
    const byEmail = Object.fromEntries(
      users.body.data!.users.edges.map((e) => [e.node.email, e.node.twoFactorEnabled]),
    );
    expect(byEmail).toMatchObject({ 'ops@example.com': true, 'boss@example.com': false });

    // At rest: the secret encrypted, the recovery codes only hashed.
    const [row] = await sql<{ c: string }>(
      t.db.url,
      "select totp_secret_ciphertext as c from app_user where email = 'ops@example.com'",
    );
    expect(row!.c).toMatch(/^v1:[0-9a-f]{8}:/);
    const stored = JSON.stringify(await sql(t.db.url, 'select * from user_recovery_code'));
    for (const secret of handedOut) expect(stored + row!.c).not.toContain(secret);
    expect((await auditOf('ops@example.com')).map((a) => a.action)).toEqual(
      expect.arrayContaining(['user.two_factor_enrolment_started', 'user.two_factor_enrolled']),
    );
  });

  it('asks for the second factor after the password, opens the session for a right code, and refuses it again', async () => {
    const first = await signIn('ops@example.com');
    expect(first.status).toBe(200);
    expect(first.cookie).toBeNull();
    expect(first.body.secondFactor).toBe('totp');
    expect(first.body.challenge).toMatch(/^syc_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(first.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(first.body).not.toHaveProperty('csrfToken');
    // The challenge is no session.
    expect(
      (await fetch(`${t.base}/auth/session`, { headers: { cookie: `sy_session=${first.body.challenge}` } })).status,
    ).toBe(401);

    const wrong = await verify(first.body.challenge, wrongCode(opsSecret));
    expect(wrong.status).toBe(401);
    expect(wrong.cookie).toBeNull();
    expect(wrong.body.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');

    // The enrolment used this step: the next one signs in (the challenge survives a wrong code).
    const code = await codeFor(opsSecret, 1);
    const ok = await verify(first.body.challenge, code);
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/^sy_session=sys_/);
    expect(ok.body.twoFactor).toMatchObject({ enabled: true });
    const s = { cookie: ok.cookie!, csrf: ok.body.csrfToken };
    expect((await asCookie(s, '{ me { role } }')).body.data).toEqual({ me: { role: 'OPS' } });

    // The challenge is used up; the same code on a new challenge is a replay.
    expect((await verify(first.body.challenge, code)).status).toBe(401);
    const second = await signIn('ops@example.com');
    const replay = await verify(second.body.challenge, code);
    expect(replay.status).toBe(401);
    expect(replay.cookie).toBeNull();
    const audit = await auditOf('ops@example.com');
    expect(audit.filter((a) => a.action === 'user.second_factor_failed').map((a) => a.data.reason)).toEqual([
      'wrong_code',
      'replayed_code',
    ]);
    expect(audit.find((a) => a.action === 'user.signed_in' && a.data.secondFactor === 'totp')).toBeDefined();
  });

  it('takes a recovery code once, however it is typed, and says how many are left', async () => {
    const typed = opsRecovery[0]!.toLowerCase().replace(/-/g, ' ');
    const first = await signIn('ops@example.com');
    const ok = await verify(first.body.challenge, typed);
    expect(ok.status).toBe(200);
    const session = await fetch(`${t.base}/auth/session`, { headers: { cookie: ok.cookie! } });
    expect(await session.json()).toMatchObject({ twoFactor: { enabled: true, recoveryCodesLeft: 9 } });

    const second = await signIn('ops@example.com');
    expect((await verify(second.body.challenge, opsRecovery[0]!)).status).toBe(401);
    const used = (await auditOf('ops@example.com')).filter((a) => a.action === 'user.recovery_code_used');
    expect(used.map((a) => a.data.recoveryCodesLeft)).toEqual([9]);
  });

  it('lets only one of two concurrent sign-ins use the same code (recovery code and TOTP step alike)', async () => {
    const [a, b] = await Promise.all([signIn('ops@example.com'), signIn('ops@example.com')]);
    const raced = await Promise.all([
      verify(a.body.challenge, opsRecovery[1]!),
      verify(b.body.challenge, opsRecovery[1]!),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);

    const s = await passwordSession('racer@example.com', '192.0.2.60');
    const { secret, recoveryCodes } = await enrol(s);
    handedOut.push(secret, ...recoveryCodes);
    racerSecret = secret;
    racerRecovery = recoveryCodes;
    const challenges = await Promise.all([1, 2, 3].map(() => signIn('racer@example.com', '192.0.2.60')));
    const code = await codeFor(secret, 1);
    const results = await Promise.all(challenges.map((c) => verify(c.body.challenge, code, '192.0.2.61')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(results.filter((r) => r.cookie !== null)).toHaveLength(1);
  });

  it('locks the account after five failures, wrong passwords and wrong codes together; a right password does not reset the count', async () => {
    const s = await passwordSession('locky@example.com', '192.0.2.70');
    const { secret, recoveryCodes } = await enrol(s);
    handedOut.push(secret, ...recoveryCodes);
    const from = '192.0.2.71';
    for (let i = 0; i < 2; i++)
      expect(
        (await post('/auth/sign-in', { email: 'locky@example.com', password: 'not the password at all' }, { from }))
          .status,
      ).toBe(401);
    const challenge = (await signIn('locky@example.com', from)).body.challenge;
    expect(challenge).toBeDefined();
    expect((await verify(challenge, wrongCode(secret), from)).status).toBe(401);
    // A right password in between counts for nothing: the count goes on.
    const again = (await signIn('locky@example.com', from)).body.challenge;
    expect((await verify(again, wrongCode(secret), from)).status).toBe(401);
    const locking = await verify(again, wrongCode(secret), '192.0.2.72');
    expect(locking.status).toBe(429);
    expect(Number(locking.retryAfter)).toBeGreaterThan(0);
    expect(locking.body.errors![0]!.message).toMatch(/locked until/);

    // Locked: the right password and a right code on the earlier challenge get nowhere.
    expect((await signIn('locky@example.com', '192.0.2.72')).status).toBe(429);
    expect((await verify(challenge, await codeFor(secret, 1), '192.0.2.72')).status).toBe(401);
    const audit = (await auditOf('locky@example.com')).map((a) => `${a.action}:${String(a.data.reason ?? '')}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        'user.sign_in_failed:password',
        'user.second_factor_failed:wrong_code',
        'user.locked:wrong_code',
        'user.sign_in_failed:locked',
      ]),
    );
    expect(
      (
        await sql(
          t.db.url,
          'select 1 from sign_in_challenge c join app_user u on u.id = c.user_id where u.email = $1',
          ['locky@example.com'],
        )
      ).length,
    ).toBe(0);
  });

  it('counts second-factor attempts in the per-address limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await verify(`syc_${'A'.repeat(43)}`, '123456', '198.51.100.40')).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expect((await signIn('ops@example.com', '198.51.100.40')).status).toBe(429);
  });

  it('holds an admin without a second factor to enrolment, then opens everything once it is on', async () => {
    const s = await passwordSession('boss@example.com', '192.0.2.80');
    expect(s.body.twoFactor).toEqual({ enabled: false, required: true, enrolmentRequired: true });
    const held = await asCookie(s, '{ me { role } }');
    expect(held.status).toBe(403);
    expect(held.body.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'TWO_FACTOR_ENROLMENT_REQUIRED',
    });
    expect(held.body.errors![0]!.message).toContain('POST /auth/two-factor/enrolment');
    const csv = await fetch(`${t.base}/exports/orders.csv`, { headers: { cookie: s.cookie } });
    expect(csv.status).toBe(403);
    const session = await fetch(`${t.base}/auth/session`, { headers: { cookie: s.cookie } });
    expect(await session.json()).toMatchObject({ twoFactor: { enrolmentRequired: true } });

    // A second browser held to enrolment may still sign out.
    const other = await passwordSession('boss@example.com', '192.0.2.80');
    expect((await post('/auth/sign-out', {}, other)).status).toBe(204);
    expect((await fetch(`${t.base}/auth/session`, { headers: { cookie: other.cookie } })).status).toBe(401);

    const { secret, recoveryCodes } = await enrol(s);
    handedOut.push(secret, ...recoveryCodes);
    expect((await asCookie(s, '{ me { role } }')).body.data).toEqual({ me: { role: 'ADMIN' } });
    // Admins keep it: no turning it off, even with a right code.
    const off = await post('/auth/two-factor/disable', { code: recoveryCodes[0] }, s);
    expect(off.status).toBe(403);
    // The next sign-in asks for the second factor.
    expect((await signIn('boss@example.com', '192.0.2.80')).body.secondFactor).toBe('totp');

    // An admin resets another user's 2FA: their sessions end, their password alone signs in again.
    const opsSession = await verify(
      (await signIn('ops@example.com', '192.0.2.81')).body.challenge,
      opsRecovery[2]!,
      '192.0.2.81',
    );
    expect(opsSession.status).toBe(200);
    const opsId = await userId('ops@example.com');
    const self = await asCookie(s, `mutation { resetTwoFactor(id: "${await userId('boss@example.com')}") { id } }`);
    expect(self.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const reset = await asCookie(s, `mutation { resetTwoFactor(id: "${opsId}") { twoFactorEnabled } }`);
    expect(reset.body).toEqual({ data: { resetTwoFactor: { twoFactorEnabled: false } } });
    expect((await fetch(`${t.base}/auth/session`, { headers: { cookie: opsSession.cookie! } })).status).toBe(401);
    expect((await sql(t.db.url, 'select 1 from user_recovery_code where user_id = $1', [opsId])).length).toBe(0);
    const after = await signIn('ops@example.com', '192.0.2.81');
    expect(after.cookie).toMatch(/^sy_session=sys_/);
    // Every session the ops user had opened in these tests (five by now) ended with the reset.
    const resetEntry = (await auditOf('ops@example.com')).find((a) => a.action === 'user.two_factor_reset');
    expect(resetEntry?.data).toMatchObject({ wasEnabled: true, sessionsEnded: 5 });
    expect(await sql(t.db.url, 'select 1 from user_session where user_id = $1', [opsId])).toHaveLength(1);
    expect(codesOf(await gql(t.base, `mutation { resetTwoFactor(id: "${opsId}") { id } }`))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('lets others regenerate recovery codes and turn it off with a current code, a wrong one refused', async () => {
    const from = '192.0.2.90';
    const signed = await verify((await signIn('racer@example.com', from)).body.challenge, racerRecovery[0]!, from);
    expect(signed.status).toBe(200);
    const s = { cookie: signed.cookie!, csrf: signed.body.csrfToken };

    const fresh = await post<{ recoveryCodes: string[] }>(
      '/auth/two-factor/recovery-codes',
      { code: racerRecovery[1] },
      { ...s, from },
    );
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    handedOut.push(...fresh.body.recoveryCodes);
    // The old set is void; a wrong code is refused (and counted), nothing changes.
    const old = await post('/auth/two-factor/disable', { code: racerRecovery[2] }, { ...s, from });
    expect(old.status).toBe(400);
    expect((await post('/auth/two-factor/disable', { code: wrongCode(racerSecret) }, { ...s, from })).status).toBe(400);
    expect(
      (await sql(t.db.url, "select failed_sign_ins as n from app_user where email = 'racer@example.com'"))[0],
    ).toEqual({ n: 2 });
    expect(
      (await post('/auth/two-factor/disable', { code: fresh.body.recoveryCodes[0] }, { cookie: s.cookie, from }))
        .status,
    ).toBe(403);

    const off = await post<{ twoFactor: SessionBody['twoFactor'] }>(
      '/auth/two-factor/disable',
      { code: fresh.body.recoveryCodes[0] },
      { ...s, from },
    );
    expect(off.status).toBe(200);
    expect(off.body.twoFactor).toEqual({ enabled: false, required: false, enrolmentRequired: false });
    expect((await signIn('racer@example.com', from)).cookie).toMatch(/^sy_session=sys_/);
    expect((await auditOf('racer@example.com')).map((a) => a.action)).toEqual(
      expect.arrayContaining(['user.recovery_codes_regenerated', 'user.two_factor_disabled']),
    );
  });

  it('never shows a secret or recovery code again: not in the API, the audit log or the logs', async () => {
    const everything = JSON.stringify([
      await sql(t.db.url, 'select * from audit_log'),
      await sql(t.db.url, 'select id, email, name, role, totp_enabled_at, totp_last_step from app_user'),
      (await gql(t.base, '{ users(first: 10) { edges { node { id email twoFactorEnabled } } } }', { key: t.adminKey }))
        .body,
    ]);
    const logs = logLines.join('');
    expect(logs).toContain('second factor requested');
    expect(handedOut.length).toBeGreaterThan(20);
    for (const secret of handedOut) {
      expect(everything).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
