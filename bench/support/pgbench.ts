import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** Where the shared reference floors live: ../shared/bench-reference beside the repository. */
export function referenceDir(): string | undefined {
  const dir = new URL('../../../../shared/bench-reference/', import.meta.url).pathname;
  return existsSync(join(dir, 'oms_schema.sql')) ? dir : undefined;
}

export function findPgbench(): string | undefined {
  const fromPath = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) return fromPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const found = readdirSync(root)
    .map((v) => join(root, v, 'bin', 'pgbench'))
    .filter((p) => existsSync(p));
  return found.sort().at(-1);
}

/** Loads a SQL file statement by statement (VACUUM cannot run inside the implicit transaction of a multi-statement query). */
export async function loadSqlFile(url: string, file: string): Promise<void> {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of text
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean))
      await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface PgbenchFigures {
  clients: number;
  tps: number;
  latencyMsAverage: number;
}

/** Runs one pgbench script and reads its tps (without initial connection time). */
export function runPgbench(
  binary: string,
  url: string,
  script: string,
  clients: number,
  seconds: number,
): PgbenchFigures {
  const u = new URL(url);
  const r = spawnSync(
    binary,
    [
      '-n',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      '-h',
      u.hostname,
      '-p',
      u.port,
      '-U',
      u.username || 'postgres',
      u.pathname.slice(1),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`pgbench failed: ${r.stderr}`);
  const tps = /tps = ([0-9.]+) \(without initial connection time\)/.exec(r.stdout);
  const latency = /latency average = ([0-9.]+) ms/.exec(r.stdout);
  if (!tps) throw new Error(`could not read pgbench output:\n${r.stdout}`);
  return { clients, tps: Number(tps[1]), latencyMsAverage: latency ? Number(latency[1]) : Number.NaN };
}
