import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { checkInvariants, type InvariantViolation } from '../../../src/domain/invariants/invariants.js';
import { createOrm } from '../../../src/platform/database.js';
import { buildGraphQLSchema } from '../../../src/schema/build-schema.js';
import { runFuzz, type FuzzTally } from './fuzz-runner.js';
import { seedFuzzWorld } from './fuzz-seed.js';

export interface FuzzSessionOptions {
  /** The built server, dist/src/main.js: the fuzzer drives it as an operator runs it. */
  main: URL;
  databaseUrl: string;
  redisUrl: string;
  operations: number;
  seed: number;
  concurrency?: number;
  onProgress?: (tally: FuzzTally) => void;
}

export interface FuzzSessionResult {
  tally: FuzzTally;
  violations: InvariantViolation[];
  /** How the hub ended after SIGTERM: 0 unless it crashed or failed to stop cleanly. */
  hubExit: number | string;
  /** The hub's own log (level error): where a masked INTERNAL error's real message is. */
  hubLog: string;
}

const MAX_LOG_CHARS = 20_000_000;

/**
 * One fuzz run end to end: the built hub (api and workers) as a child process in production
 * mode on the given database and Redis, a seeded world, the operations, a graceful stop, and
 * the invariant checker on what is left in the database.
 */
export async function runFuzzSession(options: FuzzSessionOptions): Promise<FuzzSessionResult> {
  const adminKey = randomBytes(24).toString('hex');
  const child = spawn(process.execPath, [fileURLToPath(options.main), 'all'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'error',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: `{fuzz-${randomBytes(4).toString('hex')}}`,
      SWITCHYARD_ADMIN_KEY: adminKey,
      SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SHUTDOWN_TIMEOUT_MS: '15000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    if (log.length < MAX_LOG_CHARS) log += chunk.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  try {
    const base = await listeningOn(() => log, exited);
    const schema = await buildGraphQLSchema();
    const world = await seedFuzzWorld(base, adminKey, schema);
    const tally = await runFuzz({
      base,
      schema,
      pools: world.pools,
      admin: world.admin,
      others: world.others,
      operations: options.operations,
      seed: options.seed,
      concurrency: options.concurrency,
      onProgress: options.onProgress,
    });
    child.kill('SIGTERM');
    const hubExit = await exited;
    const orm = await createOrm({ kind: 'postgres', url: options.databaseUrl, poolMax: 2 });
    try {
      return { tally, violations: await checkInvariants(orm.em.fork()), hubExit, hubLog: log };
    } finally {
      await orm.close(true);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

async function listeningOn(output: () => string, exited: Promise<number | string>): Promise<string> {
  const deadline = Date.now() + 60_000;
  let ended: number | string | undefined;
  void exited.then((code) => (ended = code));
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/[^\s,]+)/.exec(output());
    if (m) return m[1]!;
    if (ended !== undefined) throw new Error(`the hub exited (${ended}) before listening:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the hub did not start listening within 60 s:\n${output()}`);
}
