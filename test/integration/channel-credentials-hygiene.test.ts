import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config.js';
import { startHub, type Hub } from '../../src/platform/hub.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { gql, type GraphQLResponse } from '../support/hub.js';

/**
 * S7: channel credentials never leave the hub in clear. A channel is connected (and refused,
 * and updated) with marker credentials; then every table's every row, every GraphQL answer and
 * every log line (at trace level) is searched for the markers: 0 hits.
 */
const TOKEN = 'shpat_MARKER_x1y2';
const SECRET = 'whsec_MARKER_s3c4';
const MARKERS = [TOKEN, SECRET, 'MARKER_x1y2', 'MARKER_s3c4'];

let db: TestDatabase;
let hub: Hub;
let base: string;
const adminKey = randomBytes(24).toString('hex');
const logLines: string[] = [];
const answers: string[] = [];

function hitsIn(text: string): string[] {
  return MARKERS.filter((m) => text.includes(m));
}

async function call(query: string, variables?: Record<string, unknown>, key = adminKey): Promise<GraphQLResponse> {
  const res = await gql(base, query, { key, variables });
  answers.push(JSON.stringify(res.body));
  return res;
}

const CONNECT =
  'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id hasCredentials endpoint } }';
const creds = { shopDomain: 'marker-store.myshopify.com', accessToken: TOKEN, webhookSecret: SECRET };

beforeAll(async () => {
  db = await createTestDatabase();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL,
    PORT: '0',
    QUEUE_PREFIX: `{hygiene-${randomBytes(4).toString('hex')}}`,
    SWITCHYARD_ADMIN_KEY: adminKey,
    SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTDOWN_TIMEOUT_MS: '10000',
  });
  hub = await startHub(config, 'all', createLogger('trace', sink));
  base = `http://127.0.0.1:${hub.port}`;

  // Success, then every way connectChannel and updateChannel can refuse, each with the markers.
  expect(
    (await call(CONNECT, { input: { kind: 'SHOPIFY', id: 'marked', name: 'Marked', credentials: creds } })).body.errors,
  ).toBeUndefined();
  const refusals: Record<string, unknown>[] = [
    { kind: 'SHOPIFY', id: 'marked', name: 'Taken', credentials: creds },
    { kind: 'AMAZON', name: 'Amazon', credentials: creds },
    { kind: 'SHOPIFY', name: 'Bad domain', credentials: { ...creds, shopDomain: TOKEN } },
    { kind: 'SHOPIFY', name: 'Bad endpoint', endpoint: `ftp://${TOKEN}.example`, credentials: creds },
    { kind: 'SHOPIFY', name: 'Bad endpoint', endpoint: `http://u:${SECRET}@sim.local`, credentials: creds },
    { kind: 'SHOPIFY', name: 'Long', credentials: { ...creds, accessToken: TOKEN.repeat(200) } },
    { kind: 'SHOPIFY', name: 'x'.repeat(300), credentials: creds },
    // GraphQL's own input coercion (unknown field, wrong type) before any resolver runs.
    { kind: 'SHOPIFY', name: 'Unknown field', credentials: { ...creds, extra: TOKEN } },
    { kind: 'SHOPIFY', name: 'Wrong type', credentials: { ...creds, webhookSecret: [SECRET] } },
    { kind: 'SHOPIFY', credentials: creds },
  ];
  for (const input of refusals) {
    const res = await call(CONNECT, { input });
    expect(res.body.errors?.length).toBeGreaterThan(0);
  }
  // Inline literals (no variables) take another path through the validator.
  await call(
    `mutation { connectChannel(input: { kind: NOPE, name: "x", credentials: { accessToken: "${TOKEN}" } }) { id } }`,
  );
  await call(
    `mutation { connectChannel(input: { kind: SHOPIFY, name: "x", credentials: { accessToken: "${TOKEN}", webhookSecret: "${SECRET}", shopDomain: 42 } }) { id } }`,
  );
  const update = 'mutation($id: ID!, $input: UpdateChannelInput!) { updateChannel(id: $id, input: $input) { id } }';
  await call(update, { id: 'marked', input: { credentials: { ...creds, shopDomain: 'not-shopify.example' } } });
  await call(update, { id: 'nope', input: { credentials: creds } });
  expect(
    (await call(update, { id: 'marked', input: { credentials: creds, name: 'Marked 2' } })).body.errors,
  ).toBeUndefined();
  await call('mutation { syncChannel(id: "marked") { jobId } }');
  // A non-admin trying the same.
  const key = await gql<{ createApiKey: { key: string } }>(
    base,
    'mutation { createApiKey(input: { name: "ops", role: OPS }) { key } }',
    { key: adminKey },
  );
  await call(CONNECT, { input: { kind: 'SHOPIFY', name: 'Ops', credentials: creds } }, key.body.data!.createApiKey.key);
});

afterAll(async () => {
  await hub.stop();
  await db.drop();
});

describe('S7: credentials never in clear', () => {
  it('stores none in any table (every row of every table as JSON)', async () => {
    const tables = await sql<{ name: string }>(
      db.url,
      "select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThan(15);
    let rows = 0;
    const hits: string[] = [];
    for (const { name } of tables) {
      const dump = await sql<{ j: string }>(db.url, `select row_to_json(t)::text as j from ${name} t`);
      rows += dump.length;
      for (const r of dump) if (hitsIn(r.j).length) hits.push(`${name}: ${r.j.slice(0, 200)}`);
    }
    // The channel, its audit rows and its outbox events are there; none holds a marker.
    expect(rows).toBeGreaterThan(5);
    const [channel] = await sql<{ c: string }>(
      db.url,
      "select credentials_ciphertext as c from channel where id = 'marked'",
    );
    expect(channel!.c).toMatch(/^v1:/);
    const audit = await sql(db.url, "select 1 from audit_log where subject_id = 'marked'");
    expect(audit.length).toBeGreaterThanOrEqual(2);
    process.stdout.write(`S7 tables: ${tables.length} tables, ${rows} rows searched, ${hits.length} plaintext hits\n`);
    expect(hits).toEqual([]);
  });

  it('answers none over GraphQL (channels, channel, every refusal)', async () => {
    const list = await call('{ channels { id kind name enabled endpoint hasCredentials health { lastError } } }');
    expect(JSON.stringify(list.body)).toContain('"hasCredentials":true');
    await call('{ channel(id: "marked") { id name hasCredentials endpoint } }');
    const hits = answers.filter((a) => hitsIn(a).length > 0);
    process.stdout.write(`S7 answers: ${answers.length} GraphQL answers searched, ${hits.length} plaintext hits\n`);
    expect(hits).toEqual([]);
  });

  it('logs none (every line at trace level)', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const hits = logLines.filter((l) => hitsIn(l).length > 0);
    process.stdout.write(`S7 logs: ${logLines.length} log lines searched, ${hits.length} plaintext hits\n`);
    expect(hits).toEqual([]);
  });
});
