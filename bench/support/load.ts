import autocannon from 'autocannon';
import { cpuMeter, machineCpuMeter } from './process-cpu.js';

/** One kind of request, fired at a fixed number of connections with no pipelining. */
export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Every response body must equal this; others count as mismatches. */
  expectBody: string;
  connections: number;
  durationS: number;
}

export interface LoadFigures {
  connections: number;
  durationS: number;
  requests: number;
  /** autocannon's mean of per-second counts, as its CLI prints it. */
  requestsPerSecond: number;
  /** Exact percentiles of every response time; autocannon's own histogram rounds to whole ms. */
  latencyMs: { p50: number; p99: number; mean: number; max: number };
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** 2xx answers whose body differed from the expected one. */
  mismatches: number;
  /** CPU used during the recorded run, in percent of one core (Linux only): is the server the bottleneck? */
  cpuPercent: { server: number | undefined; loadGenerator: number | undefined; wholeMachine: number };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[rank]!;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** p50, p99, mean and max of response times in ms, exact (rounded to µs), NaN when there are none. */
export function latencyOf(times: number[]): LoadFigures['latencyMs'] {
  const sorted = Float64Array.from(times).sort();
  const sum = times.reduce((a, b) => a + b, 0);
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    mean: round(times.length ? sum / times.length : Number.NaN),
    max: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
  };
}

function fire(spec: LoadSpec, onResponseTime?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
        expectBody: spec.expectBody,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.durationS,
      },
      (err: unknown, result: autocannon.Result) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    );
    if (onResponseTime)
      instance.on('response', (_client, _status, _bytes, responseTime) => onResponseTime(responseTime));
  });
}

/** Loads for `warmupS` unrecorded, then for `spec.durationS` recorded; `serverPid` is the process answering. */
export async function measureLoad(spec: LoadSpec, warmupS: number, serverPid: number): Promise<LoadFigures> {
  if (warmupS > 0) await fire({ ...spec, durationS: warmupS });
  return recordedRun(spec.connections, serverPid, (onResponseTime) => fire(spec, onResponseTime));
}

/**
 * One recorded autocannon run: every response time (exact percentiles) and the CPU the server,
 * the load generator and the whole machine used meanwhile. Shared by fixed-body and varied loads.
 */
export async function recordedRun(
  connections: number,
  serverPid: number,
  run: (onResponseTime: (ms: number) => void) => Promise<autocannon.Result>,
): Promise<LoadFigures> {
  const times: number[] = [];
  const serverCpu = cpuMeter(serverPid);
  const loaderCpu = cpuMeter(process.pid);
  const machineCpu = machineCpuMeter();
  const result = await run((ms) => times.push(ms));
  const cpuPercent = { server: serverCpu(), loadGenerator: loaderCpu(), wholeMachine: machineCpu() };
  return {
    connections,
    durationS: result.duration,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: latencyOf(times),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    cpuPercent,
  };
}

/** Why a measurement cannot be trusted, or undefined when every request got the expected answer. */
export function loadProblem(label: string, f: LoadFigures): string | undefined {
  if (f.non2xx + f.errors + f.timeouts + f.mismatches === 0 && f.requests > 0) return undefined;
  return `${label}: ${f.requests} responses, ${f.non2xx} non-2xx, ${f.errors} connection errors (${f.timeouts} timeouts), ${f.mismatches} wrong bodies`;
}

/**
 * Busy CPU beyond what the server and load generator used, in points of one core, above which a
 * measurement counts as disturbed. Per-process and whole-machine accounting differ by up to
 * about 10 points on a quiet machine, so smaller excesses are noise.
 */
const OTHER_WORK_LIMIT = 20;

/** A note when other work on the machine took CPU during the measurement: the figures are then likely low. */
export function loadWarning(label: string, f: LoadFigures): string | undefined {
  const { server, loadGenerator, wholeMachine } = f.cpuPercent;
  if (server === undefined || loadGenerator === undefined) return undefined;
  const other = wholeMachine - server - loadGenerator;
  if (other <= OTHER_WORK_LIMIT) return undefined;
  return `${label}: other processes used about ${other}% of a core during the measurement; figures are likely low`;
}
