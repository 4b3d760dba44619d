import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { request } from 'node:http';
import WebSocket from 'ws';
import { codesOf, gql, metricValue, startTestHub, type TestHub } from '../support/hub.js';
import { subscribe, wsClient, type LiveSubscription } from '../support/subscriptions.js';

/**
 * Regression tests for issue 9 ("bad input gets a clear error, never INTERNAL or a dropped
 * connection"): control characters, deep variables and literals, __typename aliases, an empty
 * Authorization header, subscriptions per socket and per key, and the metrics operation label.
 */
let t: TestHub;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestHub('all', {
    MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
    MAX_SUBSCRIPTIONS_PER_KEY: '5',
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t.stop();
});

const executions = () => metricValue(t.base, 'switchyard_graphql_executions_total');

function client(): Client {
  const c = wsClient(t.base, t.adminKey);
  clients.push(c);
  return c;
}

/** Runs one query or mutation over the socket; resolves with what arrived, errors included. */
function overWs(c: Client, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<{ data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }>(
    (resolve) => {
      let result = {};
      c.subscribe(
        { query, variables },
        {
          next: (r) => (result = r),
          error: (e) => resolve({ errors: e as { message: string }[] }),
          complete: () => resolve(result),
        },
      );
    },
  );
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** `{"a":{"a":…"x"…}}` as text: JSON.stringify itself overflows the stack at this depth. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;

/** One request body written by hand, as a hostile client would send it. */
async function postRaw(body: string): Promise<{ status: number; body: { errors?: { message: string }[] } }> {
  const res = await fetch(`${t.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string }[] } };
}

/**
 * A raw graphql-transport-ws connection (the graphql-ws client cannot serialise such payloads):
 * sends `subscribe` messages written by hand and collects every message and the close code.
 */
async function rawSocket() {
  const socket = new WebSocket(`${t.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  const closes: number[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
  socket.on('close', (code: number) => closes.push(code));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.adminKey}` } }));
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!done() && closes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => messages.some((m) => m.type === 'connection_ack'));
  return {
    closes,
    /** Sends `{"id":…,"type":"subscribe","payload":<payloadJson>}` and waits for that operation's last message. */
    async run(id: string, payloadJson: string) {
      socket.send(`{"id":"${id}","type":"subscribe","payload":${payloadJson}}`);
      await until(() => messages.some((m) => m.id === id && (m.type === 'error' || m.type === 'complete')));
      return messages.filter((m) => m.id === id);
    },
    close: () => socket.close(),
  };
}

describe('control characters in text, refused at one place with BAD_USER_INPUT', () => {
  const search = 'query($s: String) { products(first: 5, search: $s) { totalCount } }';

  it('answers BAD_USER_INPUT, not INTERNAL, for a NUL character in a search variable, before executing', async () => {
    const before = await executions();
    const res = await gql(t.base, search, { key: t.adminKey, variables: { s: 'a\u0000b' } });
    expect(res.status).toBe(400);
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toMatch(/^Variable \$s contains the control character U\+0000/);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: '$s', character: 'U+0000' });
    expect(await executions()).toBe(before);
  });

  it('answers BAD_USER_INPUT for a NUL anywhere in a nested input, naming its path, even without a key', async () => {
    const res = await gql(t.base, 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      variables: { input: { lines: [{ sku: 'OK' }, { sku: 'A\u0000' }] } },
    });
    expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions?.field).toBe('$input.lines.1.sku');
  });

  it('answers BAD_USER_INPUT, not INTERNAL, for a NUL escaped in a string literal (variant, orderByNumber)', async () => {
    for (const query of [
      '{ variant(sku: "a\\u0000b") { id } }',
      '{ orderByNumber(number: "SY-\\u0000") { id } }',
      '{ orders(first: 1, filter: { search: "x\\u0000" }) { totalCount } }',
    ]) {
      const res = await gql(t.base, query, { key: t.adminKey });
      expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
      expect(res.body.errors![0]!.message).toMatch(/control character U\+0000/);
    }
  });

  it('refuses DEL and C1 controls too, but lets tab, line feed and carriage return through', async () => {
    for (const s of ['a\u007f', 'a\u0085', 'a\u001b[31m']) {
      const res = await gql(t.base, search, { key: t.adminKey, variables: { s } });
      expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    }
    const fine = await gql(t.base, search, { key: t.adminKey, variables: { s: 'a\tb\r\nc' } });
    expect(fine.status).toBe(200);
    expect(fine.body.errors).toBeUndefined();
  });

  it('answers BAD_USER_INPUT over WebSocket for a NUL, and keeps the socket open', async () => {
    const c = client();
    const variable = await overWs(c, search, { s: '\u0000' });
    expect(variable.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const literal = await overWs(c, '{ variant(sku: "\\u0000") { id } }');
    expect(literal.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(await overWs(c, '{ me { role } }')).toEqual({ data: { me: { role: 'ADMIN' } } });
  });

  it('answers 400 with a JSON error, not a dropped connection, for a NUL in the CSV export search', async () => {
    const res = await fetch(`${t.base}/exports/orders.csv?search=a%00b`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
  });
});

describe('deep variables and literals, refused early with 400 and a plain message', () => {
  it('answers 400, not 500, for variables nested 5,000 levels deep, even without a key', async () => {
    const res = await postRaw(`{"query":"query($v: String) { me { id } }","variables":{"v":${deepJson(5_000)}}}`);
    expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toMatch(/^Variables are nested deeper than 32 levels/);
  });

  it('accepts variables nested 32 levels and refuses 33', async () => {
    const query = 'query($v: String) { me { id } }';
    const at32 = await gql(t.base, query, { key: t.adminKey, variables: { v: nested(31, 'x') } });
    expect(at32.body.errors?.[0]?.message ?? '').not.toMatch(/nested deeper/);
    const at33 = await gql(t.base, query, { key: t.adminKey, variables: { v: nested(32, 'x') } });
    expect(at33.body.errors?.[0]?.message).toMatch(/nested deeper than 32/);
  });

  it('answers 400, not "Maximum call stack size exceeded", for a list literal nested 2,400 deep', async () => {
    const literal = `${'['.repeat(2_400)}1${']'.repeat(2_400)}`;
    const res = await gql(t.base, `{ variant(sku: ${literal}) { id } }`, { key: t.adminKey });
    expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toBe('The query is nested deeper than 128 levels of { [ (');
  });

  it('over WebSocket answers an error for that operation instead of closing the socket with internal text', async () => {
    const socket = await rawSocket();
    const [deepVariables] = await socket.run(
      '1',
      `{"query":"query($v: String) { me { id } }","variables":{"v":${deepJson(5_000)}}}`,
    );
    expect(deepVariables).toMatchObject({
      type: 'error',
      payload: [{ message: expect.stringMatching(/nested deeper than 32/), extensions: { code: 'BAD_USER_INPUT' } }],
    });
    const literal = `${'['.repeat(2_400)}1${']'.repeat(2_400)}`;
    const [deepLiteral] = await socket.run('2', JSON.stringify({ query: `{ variant(sku: ${literal}) { id } }` }));
    expect(deepLiteral).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    const me = await socket.run('3', JSON.stringify({ query: '{ me { role } }' }));
    expect(me[0]).toMatchObject({ type: 'next', payload: { data: { me: { role: 'ADMIN' } } } });
    expect(socket.closes).toEqual([]);
    socket.close();
  });
});

describe('unpaired surrogates and oversized variables (found by the fuzzer)', () => {
  const placeOrder = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';

  it('answers BAD_USER_INPUT, not INTERNAL, for a lone surrogate in a string, and lets a real pair through', async () => {
    const erase =
      'mutation($r: String!) { eraseCustomer(customerId: "00000000-0000-4000-8000-000000000000", reason: $r) { id } }';
    for (const [query, variables] of [
      [erase, '{"r":"x\\ud800"}'],
      ['query($s: String) { products(first: 1, search: $s) { totalCount } }', '{"s":"x\\udc00y"}'],
    ] as const) {
      const res = await postRaw(`{"query":${JSON.stringify(query)},"variables":${variables}}`);
      expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
      expect(res.body.errors![0]!.message).toMatch(/U\+D[89A-F]00/);
    }
    // In a literal, graphql-js's own lexer refuses it as a syntax error.
    const literal = await postRaw(`{"query":${JSON.stringify('{ variant(sku: "x\\ud800") { id } }')}}`);
    expect([literal.status, ...codesOf(literal)]).toEqual([400, 'BAD_USER_INPUT']);
    const pair = await gql(t.base, 'query($s: String) { products(first: 1, search: $s) { totalCount } }', {
      key: t.adminKey,
      variables: { s: 'parcel \ud83d\udce6' },
    });
    expect(pair.body.errors).toBeUndefined();
  });

  it('refuses a list of 100,000 items in variables at the door, without stalling other requests', async () => {
    const body = JSON.stringify({ query: placeOrder, variables: { input: { lines: new Array(100_000).fill(1) } } });
    const [res, me] = await Promise.all([postRaw(body), gql(t.base, '{ me { id } }', { key: t.adminKey })]);
    expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toBe('Variable $input.lines is a list of more than 1000 items (100000)');
    expect(me.body.errors).toBeUndefined();
  });

  it('refuses an input object with 3,000 keys, and more than 10,000 values in all', async () => {
    const wide = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, i]));
    const res = await postRaw(JSON.stringify({ query: placeOrder, variables: { input: wide } }));
    expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toBe('Variable $input is an object with more than 100 keys (3000)');
    const many = { lists: Array.from({ length: 20 }, () => new Array(900).fill('x')) };
    const total = await postRaw(JSON.stringify({ query: placeOrder, variables: many }));
    expect(total.body.errors![0]!.message).toBe('Variables hold more than 10000 values in all');
  });

  it("answers BAD_USER_INPUT, not INTERNAL, when coercing the variables hits graphql-js's limit of 50 errors", async () => {
    const lines = Array.from({ length: 60 }, () => ({ wrong: 1 }));
    const res = await gql(t.base, placeOrder, { key: t.adminKey, variables: { input: { lines } } });
    expect(res.status).toBe(400);
    expect(new Set(codesOf(res))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(res.body.errors!.some((e) => /Too many errors processing variables/.test(e.message))).toBe(true);
  });
});

describe('aliases', () => {
  it('counts __typename aliases toward the alias limit of 15, even without a key', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `t${i}: __typename`).join(' ');
    const res = await gql(t.base, `{ ${aliases} }`);
    expect([res.status, ...codesOf(res)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toMatch(/[Aa]liases limit of 15 exceeded, found 16/);
  });
});

describe('an empty Authorization header', () => {
  it('answers 401 UNAUTHENTICATED, as a malformed header does, not 200', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${t.base}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', authorization: '' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ me { id } }' }));
    });
    expect(status).toBe(401);
    expect(JSON.parse(body)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});

describe('subscriptions per socket and per key', () => {
  const query = 'subscription { stockLevelChanged { eventId } }';
  const settle = () => new Promise((r) => setTimeout(r, 300));

  async function refusal(sub: LiveSubscription<unknown>) {
    await sub.waitForEnd(5_000);
    return sub.errors[0];
  }

  it('refuses a subscription over the per-socket limit with RATE_LIMITED, keeping the socket and the others', async () => {
    const c = client();
    const open = [subscribe(c, query), subscribe(c, query), subscribe(c, query)];
    const fourth = subscribe(c, query);
    expect(await refusal(fourth)).toMatchObject({
      message: expect.stringContaining('already has 3 open subscriptions'),
      extensions: { code: 'RATE_LIMITED', limit: 3, scope: 'socket' },
    });
    expect(open.map((s) => s.errors)).toEqual([[], [], []]);
    expect(await overWs(c, '{ me { role } }')).toEqual({ data: { me: { role: 'ADMIN' } } });
    // Completing one frees its slot, and only that one.
    open[0]!.stop();
    await settle();
    const again = subscribe(c, query);
    const over = subscribe(c, query);
    expect(await refusal(over)).toMatchObject({ extensions: { code: 'RATE_LIMITED', scope: 'socket' } });
    expect(again.errors).toEqual([]);
    for (const s of [...open, again]) s.stop();
    await settle();
  });

  it('refuses a subscription over the per-key limit across sockets, and frees the slots of a closed socket', async () => {
    const first = client();
    const second = client();
    const held = [subscribe(first, query), subscribe(first, query), subscribe(first, query)];
    held.push(subscribe(second, query), subscribe(second, query));
    await settle();
    expect(held.map((s) => s.errors)).toEqual([[], [], [], [], []]);
    expect(await refusal(subscribe(second, query))).toMatchObject({
      message: expect.stringContaining('This API key already has 5 open subscriptions'),
      extensions: { code: 'RATE_LIMITED', limit: 5, scope: 'key' },
    });
    await first.dispose();
    await settle();
    const after = subscribe(second, query);
    await settle();
    expect(after.errors).toEqual([]);
  });
});

describe('the metrics operation label', () => {
  it('labels operations by their root field, never by a made-up operationName', async () => {
    for (let i = 0; i < 3; i++) {
      await fetch(`${t.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query MadeUp${i} { me { id } }`, operationName: `MadeUp${i}` }),
      });
    }
    await gql(t.base, '{ me { id } locations { id } }', { key: t.adminKey });
    const text = await (await fetch(`${t.base}/metrics`)).text();
    expect(text).not.toContain('MadeUp');
    expect(text).toMatch(/switchyard_graphql_operation_duration_seconds_count\{operation="me",type="query"\} [1-9]/);
    expect(text).toMatch(/switchyard_graphql_operation_duration_seconds_count\{operation="multiple",type="query"\}/);
  });
});
