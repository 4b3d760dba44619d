import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Console sign-in over HTTP on a real hub (PostgreSQL, Redis): POST /auth/sign-in sets an
 * HttpOnly, SameSite=Strict session cookie; /graphql takes that cookie only with the session's
 * CSRF token in X-CSRF-Token, as the user's role allows; sign-out ends the session; a deactivated
 * user's cookie stops working at once; one address gets 10 attempts a minute.
 */
let t: TestHub;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  t = await startTestHub('api');
  const res = await gql(
    t.base,
    `mutation { createUser(input: { email: "ops@example.com", name: "Ops Person", role: OPS, password: "${PASSWORD}" }) { id } }`,
    { key: t.adminKey },
  );
  expect(res.body.errors).toBeUndefined();
});
afterAll(async () => {
  await t?.stop();
});

/** `from`: the client address a trusted (loopback) proxy reports, so each test counts its own attempts. */
const signIn = (email: string, password: string, from = '192.0.2.1') =>
  fetch(`${t.base}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ email, password }),
  });

async function asCookie(cookie: string, query: string, csrf?: string) {
  const res = await fetch(`${t.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] },
  };
}

describe('console sign-in over HTTP', () => {
  let cookie = '';
  let csrf = '';

  it('refuses a wrong password with 401 and no cookie, then signs in with an HttpOnly, SameSite=Strict cookie', async () => {
    const wrong = await signIn('ops@example.com', 'not the right password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(((await wrong.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'UNAUTHENTICATED',
    );

    const res = await signIn('OPS@example.com', PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^sy_session=sys_[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { user: { role: string; name: string }; csrfToken: string };
    expect(body.user).toMatchObject({ role: 'OPS', name: 'Ops Person' });
    cookie = setCookie.split(';')[0]!;
    csrf = body.csrfToken;
    expect(JSON.stringify(body)).not.toContain(cookie.split('=')[1]);
  });

  it('takes the cookie on /graphql only with the CSRF header, as the role allows', async () => {
    const me = await asCookie(cookie, '{ me { kind role name } }', csrf);
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data!.me).toEqual({ kind: 'USER', role: 'OPS', name: 'Ops Person' });

    const noCsrf = await asCookie(cookie, '{ me { kind } }');
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const wrongCsrf = await asCookie(cookie, '{ me { kind } }', `${csrf.slice(0, -1)}x`);
    expect(wrongCsrf.status).toBe(403);

    // OPS may not create API keys, signed in or not.
    const forbidden = await asCookie(
      cookie,
      'mutation { createApiKey(input: { name: "x", role: ADMIN }) { key } }',
      csrf,
    );
    expect(forbidden.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await sql(t.db.url, `select 1 from api_key where name = 'x'`)).toHaveLength(0);

    // A page reload gets the user and the CSRF token back from the cookie alone.
    const session = await fetch(`${t.base}/auth/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { role: 'OPS' }, csrfToken: csrf });
    expect((await fetch(`${t.base}/auth/session`)).status).toBe(401);

    // An API key still wins when both are sent (machines never depend on cookies).
    const keyed = await gql<{ me: { kind: string } }>(t.base, '{ me { kind } }', { key: t.adminKey });
    expect(keyed.body.data!.me.kind).toBe('BOOTSTRAP_ADMIN');
  });

  it('signs out only with the CSRF header; the cookie is then refused', async () => {
    const forged = await fetch(`${t.base}/auth/sign-out`, { method: 'POST', headers: { cookie } });
    expect(forged.status).toBe(403);
    expect((await asCookie(cookie, '{ me { kind } }', csrf)).status).toBe(200);

    const out = await fetch(`${t.base}/auth/sign-out`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^sy_session=;/);
    const after = await asCookie(cookie, '{ me { kind } }', csrf);
    expect(after.status).toBe(401);
    expect(after.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('stops a deactivated user at once, and limits one address to 10 attempts a minute', async () => {
    const res = await signIn('ops@example.com', PASSWORD);
    const c = res.headers.get('set-cookie')!.split(';')[0]!;
    const token = ((await res.json()) as { csrfToken: string }).csrfToken;
    const users = await gql<{ users: { edges: { node: { id: string } }[] } }>(
      t.base,
      '{ users(first: 5) { edges { node { id } } } }',
      {
        key: t.adminKey,
      },
    );
    const id = users.body.data!.users.edges[0]!.node.id;
    // A subscription socket opened by the cookie (CSRF token in connection_init) closes with the user.
    const socket = new WebSocket(`${t.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
      headers: { cookie: c },
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const acked = new Promise<string>((resolve) => socket.once('message', (m) => resolve(String(m))));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { csrfToken: token } })));
    expect(JSON.parse(await acked)).toMatchObject({ type: 'connection_ack' });
    // Without the CSRF token a cookie opens no socket.
    const refused = new WebSocket(`${t.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
      headers: { cookie: c },
    });
    const refusedCode = new Promise<number>((resolve) => refused.once('close', (code) => resolve(code)));
    refused.once('open', () => refused.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    expect(await refusedCode).toBe(4403);
    expect(
      codesOf(
        await gql(t.base, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', {
          key: t.adminKey,
          variables: { id },
        }),
      ),
    ).toEqual([]);
    expect((await asCookie(c, '{ me { kind } }', token)).status).toBe(401);
    expect(await closed).toBe(4403);
    // From one address: ten attempts in the minute are checked, the eleventh is refused before any check.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await signIn('nobody@example.com', 'whatever it may be', '198.51.100.9')).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    // Another address is not held back by it.
    expect((await signIn('nobody@example.com', 'whatever it may be', '198.51.100.10')).status).toBe(401);
    const limited = await signIn('nobody@example.com', 'whatever it may be', '198.51.100.9');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
