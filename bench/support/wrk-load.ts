import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMeter, machineCpuMeter, processCpuSeconds } from './process-cpu.js';
import type { VariedLoadFigures } from './varied-load.js';

/**
 * Load from wrk (C, one thread, epoll) instead of autocannon where it is installed (`apt-get
 * install wrk`): at 50 connections autocannon, in the bench's own Node process, took about a
 * quarter of a core on a 2-core machine, which it took from the server measured and showed as
 * latency. wrk does the same at a few per cent. Each answer is still checked (status and a
 * substring of the body, in bench/wrk/signed-posts.lua) and each request can carry a delivery id
 * of its own.
 */
export interface WrkLoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  expectStatus: number;
  /** A substring every right answer's body holds. */
  expectText: string;
  /** Adds a new X-Shopify-Event-Id and X-Shopify-Webhook-Id to each request (prefixed by this), or none. */
  deliveryIdPrefix: string | null;
  connections: number;
  durationS: number;
}

export interface WrkFigures extends VariedLoadFigures {
  /** Answers received, warm-up included: each was a request the server handled. */
  answeredWithWarmup: number;
}

const SCRIPT = new URL('../../../bench/wrk/signed-posts.lua', import.meta.url).pathname;

export function wrkVersion(): string | undefined {
  const run = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (run.error) return undefined;
  return `${run.stdout}${run.stderr}`.split('\n')[0]?.split(' Copyright')[0]?.trim();
}

interface WrkOutput {
  requests: number;
  durationUs: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  non2xx: number;
  timeouts: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
  wrong: number;
  wrong2xx: number;
  sample: string;
}

async function runWrk(
  spec: WrkLoadSpec,
  files: { body: string; headers: string },
  durationS: number,
  idPrefix: string,
): Promise<{ out: WrkOutput; cpuSeconds: number | undefined }> {
  const args = [
    '-t1',
    `-c${spec.connections}`,
    `-d${durationS}s`,
    '--timeout',
    '10s',
    '-s',
    SCRIPT,
    spec.url,
    '--',
    files.body,
    files.headers,
    String(spec.expectStatus),
    spec.expectText,
    idPrefix,
  ];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // /proc forgets a process once it exits: its CPU is read while it runs, the last reading kept.
  let cpuSeconds: number | undefined;
  const sampler = setInterval(() => (cpuSeconds = processCpuSeconds(child.pid!) ?? cpuSeconds), 200);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || !line) throw new Error(`wrk ${args.join(' ')} failed (${code}): ${stderr || stdout}`);
  return { out: JSON.parse(line) as WrkOutput, cpuSeconds };
}

/** Like measureVariedLoad: `warmupS` unrecorded (answers still checked), then `spec.durationS` recorded. */
export async function measureWrkLoad(spec: WrkLoadSpec, warmupS: number, serverPid: number): Promise<WrkFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-wrk-'));
  try {
    const files = { body: join(dir, 'body'), headers: join(dir, 'headers') };
    writeFileSync(files.body, spec.body);
    writeFileSync(
      files.headers,
      Object.entries(spec.headers)
        .map(([name, value]) => `${name}: ${value}\n`)
        .join(''),
    );
    const prefix = (phase: string) => (spec.deliveryIdPrefix === null ? '-' : `${spec.deliveryIdPrefix}${phase}`);
    const warm = warmupS > 0 ? (await runWrk(spec, files, warmupS, prefix('w'))).out : undefined;
    const serverCpu = cpuMeter(serverPid);
    const machineCpu = machineCpuMeter();
    const started = process.hrtime.bigint();
    const { out, cpuSeconds } = await runWrk(spec, files, spec.durationS, prefix('r'));
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuPercent = {
      server: serverCpu(),
      loadGenerator: cpuSeconds === undefined ? undefined : Math.round((cpuSeconds / wallS) * 100),
      wholeMachine: machineCpu(),
    };
    const ms = (us: number) => Math.round(us) / 1000;
    const errorsOf = (o: WrkOutput) => o.connectErrors + o.readErrors + o.writeErrors + o.timeouts;
    const wrongAnswers: Record<string, number> = {};
    const wrong = out.wrong + (warm?.wrong ?? 0);
    if (wrong > 0) wrongAnswers[`not HTTP ${spec.expectStatus} with ${spec.expectText}`] = wrong;
    return {
      connections: spec.connections,
      durationS: Math.round(out.durationUs / 1e4) / 100,
      requests: out.requests,
      requestsPerSecond: Math.round(out.requests / (out.durationUs / 1e6)),
      latencyMs: { p50: ms(out.p50Us), p99: ms(out.p99Us), mean: ms(out.meanUs), max: ms(out.maxUs) },
      non2xx: out.non2xx + (warm?.non2xx ?? 0),
      errors: errorsOf(out) + (warm ? errorsOf(warm) : 0),
      timeouts: out.timeouts + (warm?.timeouts ?? 0),
      mismatches: out.wrong2xx + (warm?.wrong2xx ?? 0),
      cpuPercent,
      wrongAnswers,
      sampleWrongBodies: [out.sample, warm?.sample ?? ''].filter((s) => s !== ''),
      answeredWithWarmup: out.requests + (warm?.requests ?? 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
