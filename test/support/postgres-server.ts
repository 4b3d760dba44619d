import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/platform/local-redis.js';

/**
 * A throwaway PostgreSQL server for tests and benchmarks: initdb into a temp dir, listening on
 * 127.0.0.1 at a free port, durability off (tests need correctness, not crash safety).
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (or `nobody`).
 */
export interface PostgresServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function findBinDir(): string {
  const fromPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) return fromPath.replace(/\/initdb$/, '');
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit', env });
    if (r.status === 0) return findBinDir();
  }
  throw new Error('PostgreSQL was not found: install it (Debian: apt-get install postgresql) or set TEST_DATABASE_URL');
}

function runAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (r.status === 0) {
      const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
      return { uid: Number(r.stdout.trim()), gid };
    }
  }
  throw new Error('running as root, but there is no postgres or nobody user to run PostgreSQL as');
}

export async function startPostgres(
  options: { maxConnections?: number; durable?: boolean } = {},
): Promise<PostgresServer> {
  const bin = findBinDir();
  const user = runAsUser();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'],
    {
      encoding: 'utf8',
      ...ids,
    },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const durability = options.durable
    ? []
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const child = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-k',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `max_connections=${options.maxConnections ?? 300}`,
      '-c',
      'shared_buffers=256MB',
      ...durability,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...ids },
  );
  await waitForReady(child);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // "fast" shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 30 s:\n${log}`)), 30_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited with code ${code}:\n${log}`));
    });
  });
}
