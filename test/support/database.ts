import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createOrm, runPendingMigrations } from '../../src/platform/database.js';

const TEMPLATE = 'switchyard_template';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Builds the migrated template once; each test database is a cheap copy of it. */
export async function createTemplateDatabase(serverUrl: string): Promise<void> {
  await admin(serverUrl, async (c) => {
    await c.query(`drop database if exists ${TEMPLATE}`);
    await c.query(`create database ${TEMPLATE}`);
  });
  const orm = await createOrm({ kind: 'postgres', url: withDatabase(serverUrl, TEMPLATE), poolMax: 2 });
  try {
    await runPendingMigrations(orm);
  } finally {
    await orm.close(true);
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set: run the tests with npm test');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name} template ${TEMPLATE}`));
  return {
    url: withDatabase(serverUrl, name),
    drop: () => admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Runs SQL against a test database, for assertions that must not trust the ORM under test. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  return admin(url, async (c) => (await c.query<R>(text, values)).rows);
}
