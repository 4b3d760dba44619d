import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueEvents } from 'bullmq';
import { createClient, type Client } from 'graphql-ws';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { startChildHub, type ChildHub } from '../support/child-hub.js';
import { codesOf, gql } from '../support/hub.js';

/**
 * The built server as a child process over real PostgreSQL and Redis, driven by real HTTP and
 * WebSocket clients.
 */
let db: TestDatabase;
const adminKey = randomBytes(24).toString('hex');
const queuePrefix = `{e2e-${randomBytes(4).toString('hex')}}`;
let env: Record<string, string>;
let hub: ChildHub & { base: string };

beforeAll(async () => {
  db = await createTestDatabase();
  env = {
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    SWITCHYARD_ADMIN_KEY: adminKey,
    QUEUE_PREFIX: queuePrefix,
    JOB_LOCK_MS: '2000',
    SHUTDOWN_TIMEOUT_MS: '15000',
  };
  hub = await startChildHub(['all'], env);
});
afterAll(async () => {
  hub.kill('SIGKILL');
  await hub.exited;
  await db.drop();
});

async function createKey(role: string): Promise<{ id: string; key: string }> {
  const res = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    hub.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
    { key: adminKey, variables: { input: { name: `e2e ${role}`, role } } },
  );
  return { id: res.body.data!.createApiKey.apiKey.id, key: res.body.data!.createApiKey.key };
}

function wsClient(
  base: string,
  connectionParams: Record<string, unknown> | undefined,
  closes: { code: number; reason: string }[],
): Client {
  return createClient({
    url: `${base.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: true,
    // Keep the socket open between operations, as a subscribing frontend would.
    lazyCloseTimeout: 60_000,
    retryAttempts: 0,
    on: { closed: (e) => closes.push({ code: (e as CloseEvent).code, reason: (e as CloseEvent).reason }) },
  });
}

function runOverWs<T>(client: Client, query: string): Promise<{ data?: T; errors?: unknown[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T; errors?: unknown[] } = {};
    client.subscribe<T>(
      { query },
      { next: (r) => (result = r as typeof result), error: reject, complete: () => resolve(result) },
    );
  });
}

describe('the built server over HTTP', () => {
  it('is live and ready, with database, Redis and migrations checked', async () => {
    expect((await fetch(`${hub.base}/livez`)).status).toBe(200);
    const ready = await fetch(`${hub.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: true, redis: true, migrations: true, accepting: true },
    });
  });

  it('tells apart no key, a bad key, a revoked key and the wrong role', async () => {
    expect(codesOf(await gql(hub.base, '{ me { id } }'))).toEqual(['UNAUTHENTICATED']);
    const bad = await gql(hub.base, '{ me { id } }', {
      key: 'syk_deadbeef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect([bad.status, ...codesOf(bad)]).toEqual([401, 'UNAUTHENTICATED']);
    const readOnly = await createKey('READ_ONLY');
    expect((await gql(hub.base, '{ me { role } }', { key: readOnly.key })).body.data).toEqual({
      me: { role: 'READ_ONLY' },
    });
    expect(codesOf(await gql(hub.base, '{ apiKeys(first: 5) { totalCount } }', { key: readOnly.key }))).toEqual([
      'FORBIDDEN',
    ]);
    await gql(hub.base, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', {
      key: adminKey,
      variables: { id: readOnly.id },
    });
    const revoked = await gql(hub.base, '{ me { id } }', { key: readOnly.key });
    expect([revoked.status, ...codesOf(revoked)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('exposes Prometheus metrics including queue depths', async () => {
    const text = await (await fetch(`${hub.base}/metrics`)).text();
    expect(text).toContain('switchyard_http_request_duration_seconds');
    expect(text).toContain('switchyard_graphql_operation_duration_seconds');
    expect(text).toMatch(/switchyard_queue_jobs\{queue="diagnostics",state="waiting"\} \d+/);
  });
});

describe('the built server over graphql-ws', () => {
  it('runs operations on a connection authenticated by key in connection_init', async () => {
    const closes: { code: number; reason: string }[] = [];
    const { key } = await createKey('SUPPORT');
    const client = wsClient(hub.base, { authorization: `Bearer ${key}` }, closes);
    const result = await runOverWs<{ me: { role: string } }>(client, '{ me { role } }');
    expect(result).toEqual({ data: { me: { role: 'SUPPORT' } } });
    await client.dispose();
  });

  it.each([
    ['no key', undefined],
    ['a bad key', { authorization: 'Bearer syk_deadbeef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a malformed header', { authorization: 'letmein' }],
  ])('refuses a connection with %s (4403)', async (_label, params) => {
    const closes: { code: number; reason: string }[] = [];
    const client = wsClient(hub.base, params, closes);
    await expect(runOverWs(client, '{ me { id } }')).rejects.toBeTruthy();
    expect(closes[0]?.code).toBe(4403);
    await client.dispose();
  });

  it('applies the same limits over WebSocket', async () => {
    const closes: { code: number; reason: string }[] = [];
    const client = wsClient(hub.base, { authorization: `Bearer ${adminKey}` }, closes);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ');
    await expect(runOverWs(client, `{ ${aliases} }`)).rejects.toEqual([
      expect.objectContaining({ message: expect.stringMatching(/[Aa]liases limit/) }),
    ]);
    await client.dispose();
  });

  it('closes the sockets of a key the moment it is revoked', async () => {
    const closes: { code: number; reason: string }[] = [];
    const { id, key } = await createKey('OPS');
    const client = wsClient(hub.base, { authorization: `Bearer ${key}` }, closes);
    await runOverWs(client, '{ me { id } }');
    await gql(hub.base, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { key: adminKey, variables: { id } });
    const deadline = Date.now() + 5_000;
    while (closes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closes[0]).toEqual({ code: 4403, reason: 'API key revoked' });
    await client.dispose();
  });
});

interface Ping {
  id: string;
  status: string;
  attempts: number;
}

async function pingRow(id: string): Promise<{ status: string; attempts: number }> {
  return (
    await sql<{ status: string; attempts: number }>(
      db.url,
      'select status, attempts from diagnostic_ping where id = $1',
      [id],
    )
  )[0]!;
}

async function waitForRow(
  id: string,
  status: string,
  timeoutMs: number,
): Promise<{ status: string; attempts: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await pingRow(id);
    if (row.status === status || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('shutdown with a job in flight', () => {
  it('on SIGTERM finishes the job in hand, exits 0 and loses nothing; no job stalls', async () => {
    const events = new QueueEvents('diagnostics', {
      connection: { url: process.env.TEST_REDIS_URL },
      prefix: queuePrefix,
    });
    let stalled = 0;
    events.on('stalled', () => stalled++);
    await events.waitUntilReady();
    const res = await gql<{ requestDiagnosticPing: Ping }>(
      hub.base,
      'mutation { requestDiagnosticPing(delayMs: 2500) { id } }',
      { key: adminKey },
    );
    const id = res.body.data!.requestDiagnosticPing.id;
    expect((await waitForRow(id, 'running', 10_000)).status).toBe('running');

    hub.kill('SIGTERM');
    // Readiness turns false at once, while the job is still being finished.
    expect(await hub.exited).toBe(0);
    expect(hub.output()).toContain('shutting down: readiness is now false');
    expect(await pingRow(id)).toEqual({ status: 'done', attempts: 1 });
    await new Promise((r) => setTimeout(r, 2_500)); // one more stalled-check period
    expect(stalled).toBe(0);
    await events.close();

    hub = await startChildHub(['all'], env);
  });

  it('after SIGKILL the job in hand is taken back and finished by the next worker', async () => {
    const res = await gql<{ requestDiagnosticPing: Ping }>(
      hub.base,
      'mutation { requestDiagnosticPing(delayMs: 1500) { id } }',
      { key: adminKey },
    );
    const id = res.body.data!.requestDiagnosticPing.id;
    expect((await waitForRow(id, 'running', 10_000)).status).toBe('running');
    hub.kill('SIGKILL');
    await hub.exited;
    expect(await pingRow(id)).toEqual({ status: 'running', attempts: 1 });

    hub = await startChildHub(['worker'], env);
    const row = await waitForRow(id, 'done', 20_000);
    expect(row).toEqual({ status: 'done', attempts: 2 });
  });
});
