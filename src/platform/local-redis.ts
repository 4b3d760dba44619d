import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

const SEARCH_PATHS = [
  '/usr/bin/redis-server',
  '/usr/sbin/redis-server',
  '/usr/local/bin/redis-server',
  '/opt/homebrew/bin/redis-server',
];

export function findRedisServer(): string | undefined {
  const fromPath = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) return fromPath;
  return SEARCH_PATHS.find((p) => existsSync(p));
}

function canInstallWithApt(): boolean {
  return (
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    existsSync('/etc/debian_version') &&
    existsSync('/usr/bin/apt-get')
  );
}

/** Installs Debian's redis-server package; only called as root on Debian/Ubuntu. */
function installRedisWithApt(logger: Logger): void {
  logger.info('redis-server not found: installing it with apt-get (Debian/Ubuntu, running as root)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'redis-server'],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with exit code ${r.status}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? res(address.port) : rej(new Error('no port'))));
    });
  });
}

const HOW_TO_GET_REDIS =
  'Switchyard needs Redis 6.2 or newer. Either set REDIS_URL=redis://host:6379 to use a running Redis, ' +
  'or install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and start again.';

/**
 * Starts a private redis-server for the embedded default: loopback only, a free port, AOF on and
 * `noeviction` (BullMQ must never lose keys), data under DATA_DIR/redis so queues survive a restart.
 */
export async function startLocalRedis(dataDir: string, logger: Logger): Promise<LocalRedis> {
  let binary = findRedisServer();
  if (!binary && canInstallWithApt()) {
    installRedisWithApt(logger);
    binary = findRedisServer();
  }
  if (!binary) throw new Error(`redis-server was not found. ${HOW_TO_GET_REDIS}`);

  const dir = resolve(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  await stopLeftover(join(dir, 'redis.pid'), logger);
  const port = await freePort();
  // In its own process group: Ctrl-C on `npm start` reaches the whole terminal group, and Redis
  // must outlive the hub's graceful stop (jobs in hand finish and ack) — the hub stops it last.
  // A hub killed outright leaves it running; `stopLeftover` ends it on the next start.
  const child = spawnRedisServer(binary, port, dir, { ownProcessGroup: true });
  await writeFile(join(dir, 'redis.pid'), String(child.pid));
  await redisReady(child, port);
  logger.info({ port, dir }, 'started local redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopChild(child, join(dir, 'redis.pid')),
  };
}

/**
 * A redis-server as the hub runs it: loopback only, AOF every second and `noeviction` (BullMQ
 * must never lose keys), no RDB snapshots. Also what the chaos test kills and restarts.
 */
export function spawnRedisServer(
  binary: string,
  port: number,
  dir: string,
  options: { ownProcessGroup?: boolean } = {},
): ChildProcess {
  return spawn(
    binary,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup ?? false },
  );
}

/** Resolves once the server says it accepts connections; rejects if it exits or takes over 15 s. */
export async function redisReady(child: ChildProcess, port: number): Promise<void> {
  let output = '';
  await new Promise<void>((res, rej) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/i.test(output)) done();
    };
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start on port ${port} within 15 s:\n${output}`)),
      15_000,
    );
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      res();
    };
    const fail = (e: Error) => {
      clearTimeout(timer);
      rej(e);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => fail(new Error(`redis-server exited with code ${code}:\n${output}`)));
  });
}

async function stopChild(child: ChildProcess, pidFile: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(pidFile, { force: true });
}

/** A redis-server left running by a hub that was killed would keep writing our AOF: stop it. */
async function stopLeftover(pidFile: string, logger: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('redis-server')) return;
  logger.warn({ pid }, 'stopping a redis-server left over from an earlier run');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
}
