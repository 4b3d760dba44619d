import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

/** The built server as a child process, the way an operator runs it. */
export interface ChildHub {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
  /**
   * Signals the hub's whole process group, the way Ctrl-C in a terminal reaches `npm start` and
   * every child it started; only for a hub spawned with `ownProcessGroup`.
   */
  killGroup(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  cwd?: string;
  /** Leads its own process group (as a shell's foreground job does), for `killGroup`. */
  ownProcessGroup?: boolean;
}

/** Children still running, so a test that timed out (its ChildHub never handed over) leaves none behind. */
const running = new Set<ChildHub>();

/**
 * Stops every child hub this test file started that has not exited yet; for afterAll. SIGTERM
 * first, so a hub stops the redis-server it started; SIGKILL after 10 s. `keep` stays running.
 */
export async function killChildHubs(keep: readonly ChildHub[] = []): Promise<void> {
  const left = [...running].filter((hub) => !keep.includes(hub));
  for (const hub of left) hub.kill('SIGTERM');
  const timer = setTimeout(() => left.forEach((hub) => hub.kill('SIGKILL')), 10_000);
  await Promise.all(left.map((hub) => hub.exited));
  clearTimeout(timer);
}

export function spawnHub(
  args: string[],
  env: Record<string, string | undefined>,
  options: SpawnOptions | string = {},
): ChildHub {
  const { cwd, ownProcessGroup = false } = typeof options === 'string' ? { cwd: options } : options;
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    detached: ownProcessGroup,
    // Only what we pass: the test's own environment must not leak in (e.g. DATABASE_URL). The
    // development sandbox stays off unless a test turns it on (test/e2e/sandbox-start.test.ts).
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', SANDBOX_SHOPIFY: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const hub: ChildHub = {
    child,
    output: () => out,
    exited,
    kill: (signal) => child.kill(signal),
    killGroup: (signal) => {
      if (!ownProcessGroup) throw new Error('killGroup needs a hub spawned with ownProcessGroup');
      process.kill(-child.pid!, signal);
    },
    waitFor(pattern, timeoutMs = 150_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`)),
          timeoutMs,
        );
        waiters.push(check);
        void exited.then(() => {
          check();
          clearTimeout(timer);
          reject(new Error(`process exited before ${pattern}; output:\n${out}`));
        });
        check();
      });
    },
  };
  running.add(hub);
  void exited.then(() => running.delete(hub));
  return hub;
}

/** Starts the hub as a child and resolves with its base URL once it listens. */
export async function startChildHub(
  args: string[],
  env: Record<string, string | undefined>,
  options: SpawnOptions | string = {},
): Promise<ChildHub & { base: string }> {
  const hub = spawnHub(args, { PORT: '0', ...env }, options);
  const m = await hub.waitFor(/"port":(\d+),"url":"[^"]+","msg":"listening"/);
  return Object.assign(hub, { base: `http://127.0.0.1:${m[1]}` });
}
