import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildHub, spawnHub } from '../support/child-hub.js';
import { gql } from '../support/hub.js';

/**
 * What `npm start` does on a fresh machine: no DATABASE_URL, no REDIS_URL. The hub runs on
 * PGlite and a redis-server of its own, both under DATA_DIR, prints an admin key once, stops
 * cleanly on Ctrl-C and finds its data again on the next start.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-embedded-'));
const env = { DATA_DIR: dataDir };

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function redisPid(): number | undefined {
  const file = join(dataDir, 'redis', 'redis.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the embedded default (npm start)', () => {
  let adminKey: string;

  it('starts with nothing configured, prints an admin key once and is ready', async () => {
    const hub = await startChildHub(['all'], env);
    try {
      adminKey = (await hub.waitFor(/SWITCHYARD ADMIN KEY: (syk_\S+)/))[1]!;
      expect((await fetch(`${hub.base}/readyz`)).status).toBe(200);
      const me = await gql<{ me: { role: string; name: string } }>(hub.base, '{ me { role name } }', { key: adminKey });
      expect(me.body.data?.me).toEqual({ role: 'ADMIN', name: 'initial admin key' });
      const ping = await gql<{ requestDiagnosticPing: { id: string } }>(
        hub.base,
        'mutation { requestDiagnosticPing { id } }',
        { key: adminKey },
      );
      expect(ping.body.errors).toBeUndefined();
      expect(existsSync(join(dataDir, 'encryption.key'))).toBe(true);
    } finally {
      hub.kill('SIGINT');
    }
    expect(await hub.exited).toBe(0);
    expect(hub.output()).toContain('"msg":"stopped"');
  });

  it('leaves no redis-server behind after Ctrl-C', () => {
    const pid = redisPid();
    expect(pid === undefined || !alive(pid)).toBe(true);
  });

  it('reuses its data on the next start: the same key works and no new key is printed', async () => {
    const hub = await startChildHub(['all'], env);
    try {
      const me = await gql<{ me: { name: string } }>(hub.base, '{ me { name } }', { key: adminKey });
      expect(me.body.data?.me.name).toBe('initial admin key');
      expect(hub.output()).not.toContain('SWITCHYARD ADMIN KEY');
      const keys = await gql<{ apiKeys: { totalCount: number } }>(hub.base, '{ apiKeys(first: 10) { totalCount } }', {
        key: adminKey,
      });
      expect(keys.body.data?.apiKeys.totalCount).toBe(1);
    } finally {
      hub.kill('SIGTERM');
    }
    expect(await hub.exited).toBe(0);
  });

  it('refuses a second process on the same embedded database, saying why', async () => {
    const first = await startChildHub(['all'], env);
    try {
      const second = spawnHub(['create-api-key', '--role', 'ops', '--name', 'x'], env);
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toMatch(/embedded database .* is in use by process \d+/);
    } finally {
      first.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);
  });

  it('creates keys from the CLI once the hub is stopped, the role named as stored or as the schema names it', async () => {
    const cli = spawnHub(['create-api-key', '--role', 'ops', '--name', 'night shift'], env);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/created ops key syk_[0-9a-f]{8} .*\nsyk_[0-9a-f]{8}_\S{43}\n/);
    const upper = spawnHub(['create-api-key', '--role', 'READ_ONLY', '--name', 'auditor'], env);
    expect(await upper.exited).toBe(0);
    expect(upper.output()).toMatch(/created read_only key syk_[0-9a-f]{8} /);
  });
});
