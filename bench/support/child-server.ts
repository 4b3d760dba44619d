import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A server under test, running as a child process so the load generator never shares its event loop. */
export interface ChildServer {
  name: string;
  pid: number;
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  name: string;
  /** The compiled script to run with this same Node binary. */
  script: URL;
  args?: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /** Resolves true once the server answers as it should; polled until then. */
  isReady(baseUrl: string): Promise<boolean>;
  startTimeoutMs?: number;
}

const OUTPUT_TAIL_CHARS = 4_000;
const STOP_GRACE_MS = 15_000;

/** Starts the script and waits until `isReady` holds; a child that exits or hangs fails with its last output. */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, [fileURLToPath(options.script), ...(options.args ?? [])], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name} did not start`);
  const pid = child.pid;
  // The pipes must be drained or a chatty child blocks; only the tail is kept, for error messages.
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const stop = async () => {
    if (hasExited()) return;
    process.kill(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_GRACE_MS).unref());
    if ((await Promise.race([exited, timer])) === 'timeout' && !hasExited()) {
      process.kill(pid, 'SIGKILL');
      await exited;
    }
  };

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await options.isReady(baseUrl).catch(() => false))) {
    if (hasExited()) {
      throw new Error(
        `${options.name} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${tail}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not ready within ${options.startTimeoutMs ?? 60_000} ms:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name: options.name, pid, baseUrl, stop };
}
