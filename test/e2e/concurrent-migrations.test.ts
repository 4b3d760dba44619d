import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsList } from '../../src/migrations/index.js';
import { spawnHub, startChildHub, type ChildHub } from '../support/child-hub.js';
import { sql } from '../support/database.js';

/**
 * Processes started at once on a fresh, empty database (`docker compose up --scale api=3`) take
 * turns on the migrations (migration-lock.ts): every one starts, and each migration is applied
 * once. Without the lock one of them failed with `duplicate key value violates unique
 * constraint "pg_type_typname_nsp_index"`. (On PGlite there is no lock to take:
 * embedded-default.test.ts starts a hub that migrates it.)
 */
const serverUrl = process.env.TEST_DATABASE_URL!;
const name = `fresh_${randomBytes(6).toString('hex')}`;
const url = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();
const hubs: ChildHub[] = [];
let dataDir: string;

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  // Not a copy of the migrated template: nothing in it, not even the migrations table.
  await admin(`create database ${name}`);
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-migrations-'));
});
afterAll(async () => {
  for (const hub of hubs) hub.kill('SIGKILL');
  await Promise.all(hubs.map((h) => h.exited));
  await admin(`drop database if exists ${name} with (force)`);
  await rm(dataDir, { recursive: true, force: true });
});

describe('migrations on a fresh database', () => {
  it('starts two hubs and a migrate command at once: all succeed, each migration applied once', async () => {
    const env = (n: number) => ({
      DATABASE_URL: url,
      REDIS_URL: process.env.TEST_REDIS_URL,
      QUEUE_PREFIX: `{migrate-${randomBytes(4).toString('hex')}}`,
      AUTO_MIGRATE: 'true',
      DATA_DIR: join(dataDir, String(n)),
    });
    const migrate = spawnHub(['migrate'], env(0));
    hubs.push(migrate);
    const started = await Promise.allSettled([startChildHub(['all'], env(1)), startChildHub(['all'], env(2))]);
    for (const s of started) if (s.status === 'fulfilled') hubs.push(s.value);
    expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'listening'))).toEqual([
      'listening',
      'listening',
    ]);
    expect(await migrate.exited).toBe(0);

    for (const s of started) {
      const hub = (s as PromiseFulfilledResult<ChildHub & { base: string }>).value;
      expect((await fetch(`${hub.base}/readyz`)).status).toBe(200);
    }
    const rows = await sql<{ name: string; n: number }>(
      url,
      'select name, count(*)::int as n from mikro_orm_migrations group by name order by name',
    );
    expect(rows).toEqual(
      migrationsList.map((m) => ({ name: m.name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
});
