import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startHub, type Hub, type HubRole } from '../../src/platform/hub.js';
import { quietLogger } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestHub {
  hub: Hub;
  db: TestDatabase;
  /** http://127.0.0.1:<port> */
  base: string;
  adminKey: string;
  queuePrefix: string;
  stop(): Promise<void>;
}

/** A hub in this process on its own database and queue prefix, over real PostgreSQL and Redis. */
export async function startTestHub(
  role: HubRole = 'all',
  env: Record<string, string> = {},
  /** Silent by default; a test that checks what the hub logs passes its own. */
  logger: Logger = quietLogger,
): Promise<TestHub> {
  const db = await createTestDatabase();
  const adminKey = randomBytes(24).toString('hex');
  const queuePrefix = `{test-${randomBytes(4).toString('hex')}}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL,
    PORT: '0',
    QUEUE_PREFIX: queuePrefix,
    SWITCHYARD_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...env,
  });
  const hub = await startHub(config, role, logger);
  return {
    hub,
    db,
    base: `http://127.0.0.1:${hub.port}`,
    adminKey,
    queuePrefix,
    async stop() {
      await hub.stop();
      await db.drop();
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs one GraphQL operation, as any client would. */
export async function gql<T = Record<string, unknown>>(
  base: string,
  query: string,
  options: { key?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
}

export function codesOf(response: GraphQLResponse<unknown>): string[] {
  return (response.body.errors ?? []).map((e) => String(e.extensions?.code));
}

/** Reads one Prometheus counter/gauge value (summing over label sets matching `labels`). */
export async function metricValue(base: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) total += Number(m[3]);
  }
  return total;
}
