import type { Benchmark } from './support/benchmark.js';
import { meBenchmark } from './me.bench.js';
import { ordersListBenchmark } from './orders-list.bench.js';
import { reserveBenchmark } from './reserve.bench.js';

/** Every benchmark `npm run bench -- <name>` can run, by name. */
export const benchmarks: Record<string, Benchmark> = {
  me: meBenchmark,
  'orders-list': ordersListBenchmark,
  reserve: reserveBenchmark,
};
