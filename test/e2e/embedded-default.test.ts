import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildHubs, startChildHub, spawnHub, type ChildHub } from '../support/child-hub.js';
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

/**
 * Each start boots Node, PGlite and a redis-server (seconds on a busy machine), so the file starts
 * the hub twice and checks everything that holds for a running hub on those two starts.
 */
/**
 * Creating a PGlite database costs about 9.5 s of CPU inside PGlite itself; on a machine whose CPU
 * was throttled about 8x the first start took over 60 s, so the two starts get three minutes.
 */
const PGLITE_START_TIMEOUT_MS = 180_000;

describe('the embedded default (npm start)', () => {
  let hub: (ChildHub & { base: string }) | undefined;
  let adminKey: string;
  let cliKey: string;

  afterAll(killChildHubs);

  it(
    'starts with nothing configured, prints an admin key once and is ready',
    async () => {
      hub = await startChildHub(['all'], env);
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
      // The console's first admin user, its password printed once: it signs in.
      const [, email, password] = (await hub.waitFor(/CONSOLE SIGN-IN: (\S+) \/ (\S+)/)) as unknown as [
        string,
        string,
        string,
      ];
      const signIn = await fetch(`${hub.base}/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(signIn.status).toBe(200);
      // Admins must use two-factor sign-in: the first session can only enrol, and the banner says so.
      expect(await signIn.json()).toMatchObject({
        user: { role: 'ADMIN', name: 'Admin' },
        twoFactor: { enabled: false, required: true, enrolmentRequired: true },
      });
      expect(hub.output()).toContain('Admins must use two-factor sign-in');
    },
    PGLITE_START_TIMEOUT_MS,
  );

  it('refuses a second process on the same embedded database, saying why', async () => {
    const second = spawnHub(['create-api-key', '--role', 'ops', '--name', 'x'], env);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/embedded database .* is in use by process \d+/);
  });

  it('stops cleanly on Ctrl-C and leaves no redis-server behind', async () => {
    hub!.kill('SIGINT');
    expect(await hub!.exited).toBe(0);
    expect(hub!.output()).toContain('"msg":"stopped"');
    const pid = redisPid();
    expect(pid === undefined || !alive(pid)).toBe(true);
  });

  it('creates keys from the CLI once the hub is stopped, the role named as stored or as the schema names it', async () => {
    const cli = spawnHub(['create-api-key', '--role', 'ops', '--name', 'night shift'], env);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/created ops key syk_[0-9a-f]{8} .*\nsyk_[0-9a-f]{8}_\S{43}\n/);
    cliKey = /\n(syk_[0-9a-f]{8}_\S{43})\n/.exec(cli.output())![1]!;
    const upper = spawnHub(['create-api-key', '--role', 'READ_ONLY', '--name', 'auditor'], env);
    expect(await upper.exited).toBe(0);
    expect(upper.output()).toMatch(/created read_only key syk_[0-9a-f]{8} /);
  });

  it(
    'reuses its data on the next start: the CLI keys work, no new key is printed, and SIGTERM stops it',
    async () => {
      hub = await startChildHub(['all'], env);
      const me = await gql<{ me: { name: string } }>(hub.base, '{ me { name } }', { key: adminKey });
      expect(me.body.data?.me.name).toBe('initial admin key');
      const cli = await gql<{ me: { role: string; name: string } }>(hub.base, '{ me { role name } }', { key: cliKey });
      expect(cli.body.data?.me).toEqual({ role: 'OPS', name: 'night shift' });
      expect(hub.output()).not.toContain('SWITCHYARD ADMIN KEY');
      expect(hub.output()).not.toContain('CONSOLE SIGN-IN');
      const keys = await gql<{ apiKeys: { totalCount: number } }>(hub.base, '{ apiKeys(first: 10) { totalCount } }', {
        key: adminKey,
      });
      expect(keys.body.data?.apiKeys.totalCount).toBe(3);
      hub.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
    },
    PGLITE_START_TIMEOUT_MS,
  );
});
