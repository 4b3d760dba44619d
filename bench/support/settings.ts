import type { BenchSettings } from './benchmark.js';

const DEFAULT_DURATION_S = 10;
const WARMUP_S = 2;

/** Reads the benchmark settings from the environment, once. */
export function benchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const raw = env.BENCH_DURATION_S;
  const durationS = raw === undefined || raw === '' ? DEFAULT_DURATION_S : Number(raw);
  if (!Number.isInteger(durationS) || durationS < 1) {
    throw new Error(`BENCH_DURATION_S must be a whole number of seconds, 1 or more (got "${raw}")`);
  }
  return { durationS, warmupS: WARMUP_S };
}
