import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '../support/database.js';
import { codesOf, gql, metricValue, startTestHub, type TestHub } from '../support/hub.js';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const executions = () => metricValue(t.base, 'switchyard_graphql_executions_total');
const pings = async () => (await sql<{ n: number }>(t.db.url, 'select count(*)::int as n from diagnostic_ping'))[0]!.n;

/** Asserts the operation was refused with BAD_USER_INPUT and that nothing executed. */
async function expectRejectedBeforeExecution(query: string, variables?: Record<string, unknown>): Promise<string> {
  const [executedBefore, pingsBefore] = await Promise.all([executions(), pings()]);
  const res = await gql(t.base, query, { key: t.adminKey, variables });
  expect(res.status).toBe(400);
  expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
  expect(res.body.data ?? null).toBeNull();
  expect(await executions()).toBe(executedBefore);
  expect(await pings()).toBe(pingsBefore);
  return res.body.errors![0]!.message;
}

function nestedTypeQuery(depth: number): string {
  let selection = 'name';
  for (let i = 0; i < depth; i++) selection = `ofType { ${selection} }`;
  return `{ __type(name: "Query") { fields { type { ${selection} } } } }`;
}

describe('GraphQL limits, enforced before any resolver runs', () => {
  it('lets a normal query through and counts its execution', async () => {
    const before = await executions();
    const res = await gql<{ me: { role: string } }>(t.base, '{ me { role } }', { key: t.adminKey });
    expect(res.status).toBe(200);
    expect(res.body.data?.me.role).toBe('ADMIN');
    expect(await executions()).toBe(before + 1);
  });

  it('rejects a query deeper than 12 levels', async () => {
    expect(await expectRejectedBeforeExecution(nestedTypeQuery(50))).toMatch(/depth limit of 12 exceeded/);
  });

  it('rejects more than 15 aliases, even of a mutation, and creates nothing', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `p${i}: requestDiagnosticPing { id }`).join(' ');
    expect(await expectRejectedBeforeExecution(`mutation { ${aliases} }`)).toMatch(/[Aa]liases limit of 15 exceeded/);
  });

  it('rejects a query whose cost exceeds 1000 and reports the cost', async () => {
    // Each order node loads 5 objects (edge, node, lines, customer, events): 2 × (1 + 100 × 5) = 1002.
    const page = 'edges { node { id number lines { sku quantity } customer { id } events { type } } }';
    const query = `query($n: Int) { a: orders(first: $n) { ${page} } b: orders(first: $n) { ${page} } }`;
    const message = await expectRejectedBeforeExecution(query, { n: 100 });
    expect(message).toMatch(/^Query cost 1002 exceeds the limit of 1000/);
    // The same selection with a small page is fine, and so is one full page of 100.
    const ok = await gql(t.base, query, { key: t.adminKey, variables: { n: 5 } });
    expect(ok.status).toBe(200);
    const fullPage = await gql(t.base, `query($n: Int) { orders(first: $n) { ${page} } }`, {
      key: t.adminKey,
      variables: { n: 100 },
    });
    expect(fullPage.status).toBe(200);
  });

  it('rejects connections without first, or with first above 100, given literally or as a variable', async () => {
    expect(await expectRejectedBeforeExecution('{ apiKeys { totalCount } }')).toContain('"first" is required');
    expect(await expectRejectedBeforeExecution('{ apiKeys(first: 101) { totalCount } }')).toContain(
      '"first" must be from 1 to 100, got 101',
    );
    expect(
      await expectRejectedBeforeExecution('query($n: Int) { apiKeys(first: $n) { totalCount } }', { n: 1e9 }),
    ).toContain('got 1000000000');
  });

  it('refuses batched requests', async () => {
    const res = await fetch(`${t.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('answers 413 to a body over 1 MB, naming the limit', async () => {
    const res = await fetch(`${t.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toContain('1048576 bytes');
  });

  it('answers 400 to malformed JSON and to wrong variable types', async () => {
    const bad = await fetch(`${t.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(bad.status).toBe(400);
    const wrongType = await gql(t.base, 'mutation($d: Int!) { requestDiagnosticPing(delayMs: $d) { id } }', {
      key: t.adminKey,
      variables: { d: 'soon' },
    });
    expect(wrongType.status).toBe(400);
    expect(codesOf(wrongType)).toEqual(['BAD_USER_INPUT']);
  });

  it('blocks cross-site GET requests (CSRF prevention)', async () => {
    const res = await fetch(`${t.base}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/i);
  });

  it('answers an unknown operation name with a clear 400', async () => {
    const res = await fetch(`${t.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: 'query A { me { id } }', operationName: 'B' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.message).toContain('Unknown operation named "B"');
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});
