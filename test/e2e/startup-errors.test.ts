import { afterAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { freePort } from '../../src/platform/local-redis.js';
import { killChildHubs, spawnHub } from '../support/child-hub.js';
import { createTestDatabase, sql } from '../support/database.js';

/** Misconfiguration and missing services: a clear message and a non-zero exit, never a hang. */
describe('start-up errors', () => {
  afterAll(killChildHubs);

  it('names every bad variable and what is allowed, exiting with 78 (EX_CONFIG)', async () => {
    const hub = spawnHub(['all'], { PORT: 'http', DATABASE_URL: 'mysql://db', LOG_LEVEL: 'chatty' });
    expect(await hub.exited).toBe(78);
    const out = hub.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toContain('PORT: must be a whole number from 0 to 65535');
    expect(out).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(out).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
  });

  it('says which database it cannot reach', async () => {
    const port = await freePort();
    const hub = spawnHub(['api'], {
      DATABASE_URL: `postgres://app:secret@127.0.0.1:${port}/db`,
      REDIS_URL: process.env.TEST_REDIS_URL,
    });
    expect(await hub.exited).toBe(1);
    expect(hub.output()).toContain(`Cannot reach PostgreSQL at postgres://app:***@127.0.0.1:${port}/db`);
    expect(hub.output()).not.toContain('secret');
  });

  it('says which Redis it cannot reach, and closes the database again', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const hub = spawnHub(['api'], {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_CONNECT_TIMEOUT_MS: '300',
    });
    expect(await hub.exited).toBe(1);
    expect(hub.output()).toContain(`Redis at redis://127.0.0.1:${port} did not answer within 300 ms`);
    const held = await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    expect(held).toEqual([{ n: 0 }]);
    await db.drop();
  });

  it('says when the port is taken', async () => {
    const db = await createTestDatabase();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const hub = spawnHub(['api'], { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL, PORT: String(port) });
    expect(await hub.exited).toBe(1);
    expect(hub.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    blocker.close();
    await db.drop();
  });

  it('will not run api alone on the single-process embedded database', async () => {
    const hub = spawnHub(['api'], { DATA_DIR: '/tmp/never-created' });
    expect(await hub.exited).toBe(1);
    expect(hub.output()).toContain('The embedded database serves a single process');
  });

  it('answers an unknown command with usage (exit 64)', async () => {
    const hub = spawnHub(['serve'], {});
    expect(await hub.exited).toBe(64);
    expect(hub.output()).toContain('Unknown command "serve"');
    expect(hub.output()).toContain('Usage: switchyard <command>');
  });
});
