import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { loadWarning } from './support/load.js';
import {
  checkHubStock,
  countFromEnv,
  databaseName,
  hubStockProblems,
  placeOneOrder,
  placeOrderLoad,
  preparePlaceOrderHub,
  waitForQuiet,
} from './support/place-order-load.js';
import { rssMB, startRssSampler, type RssSample } from './support/process-memory.js';
import { measureVariedLoad, variedLoadProblem } from './support/varied-load.js';

const CONNECTIONS = 32;
const SAMPLE_S = 5;
const TARGET_RSS_MB = 300;
const FLAT_WITHIN = 0.1; // last measured minute's mean RSS within ±10 % of the first's

/** A number of minutes ≥ 1 (fractions allowed) from the environment, else the default. */
function minutesFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a number of minutes, 1 or more (got "${raw}")`);
  return n;
}

/** MB (10^6 bytes) with one decimal. */
const toMB = (bytes: number) => Math.round(bytes / 1e5) / 10;

/**
 * V8's memory from the api's own /metrics (prom-client default metrics, `process.memoryUsage()`
 * and `v8.getHeapSpaceStatistics()`): used and committed heap, external memory (Buffers and
 * other off-heap memory V8 is told about), and used/committed per heap space. Tells a JS-heap
 * leak (used grows) from memory V8 keeps committed (total grows) from native growth (RSS grows,
 * neither heap figure nor external does).
 */
async function v8Memory(baseUrl: string): Promise<V8Memory | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const value = (name: string) => {
      const match = new RegExp(`^switchyard_${name} (\\S+)$`, 'm').exec(text);
      return match ? toMB(Number(match[1])) : undefined;
    };
    const spaces: Record<string, { usedMB: number; totalMB: number }> = {};
    for (const match of text.matchAll(
      /^switchyard_nodejs_heap_space_size_(used|total)_bytes\{space="(\w+)"\} (\S+)$/gm,
    )) {
      const [, kind, name, bytes] = match as unknown as [string, string, string, string];
      const space = (spaces[name] ??= { usedMB: 0, totalMB: 0 });
      space[kind === 'used' ? 'usedMB' : 'totalMB'] = toMB(Number(bytes));
    }
    // Spaces V8 has committed nothing to (shared, trusted, ...) would only pad the result file.
    for (const [name, { totalMB }] of Object.entries(spaces)) if (totalMB === 0) delete spaces[name];
    // Cumulative GC pauses by kind (prom-client's gc histogram from perf_hooks), for the cost of a heap setting.
    const gc: Record<string, { count: number; seconds: number }> = {};
    for (const match of text.matchAll(/^switchyard_nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)$/gm)) {
      const [, kind, name, figure] = match as unknown as [string, string, string, string];
      const entry = (gc[name] ??= { count: 0, seconds: 0 });
      if (kind === 'sum') entry.seconds = Math.round(Number(figure) * 1000) / 1000;
      else entry.count = Number(figure);
    }
    const heapUsedMB = value('nodejs_heap_size_used_bytes');
    if (heapUsedMB === undefined) return undefined;
    return {
      gc,
      heapUsedMB,
      heapTotalMB: value('nodejs_heap_size_total_bytes'),
      externalMB: value('nodejs_external_memory_bytes'),
      spaces,
    };
  } catch {
    return undefined;
  }
}

interface V8Memory {
  heapUsedMB: number;
  /** Committed V8 heap, all spaces. */
  heapTotalMB?: number;
  /** `process.memoryUsage().external`: includes ArrayBuffers/Buffers (prom-client does not export arrayBuffers on its own). */
  externalMB?: number;
  /** Per V8 space (new, old, code, large_object, ...): used and committed. */
  spaces: Record<string, { usedMB: number; totalMB: number }>;
  /** Since the process started, by kind (major, minor, incremental, weakcb): collections and seconds of pause. */
  gc: Record<string, { count: number; seconds: number }>;
}

interface Sample extends RssSample, Partial<V8Memory> {
  phase: 'warm-up' | 'measured';
  /** Right answers per second since the previous sample. */
  ordersPerSecond: number;
}

/** Min and max over all samples of each V8 figure and of RSS's anonymous part. */
function rangesOf(samples: Sample[]): Record<string, { min: number; max: number }> {
  const figures: Record<string, number[]> = {};
  const add = (name: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) (figures[name] ??= []).push(value);
  };
  for (const s of samples) {
    add('rssAnon', s.rssAnonMB);
    add('heapUsed', s.heapUsedMB);
    add('heapTotal', s.heapTotalMB);
    add('external', s.externalMB);
    for (const [space, { usedMB, totalMB }] of Object.entries(s.spaces ?? {})) {
      add(`${space}.used`, usedMB);
      add(`${space}.total`, totalMB);
    }
  }
  return Object.fromEntries(
    Object.entries(figures).map(([name, xs]) => [name, { min: Math.min(...xs), max: Math.max(...xs) }]),
  );
}

/** GC collections and pause seconds by kind between two samples, and the pauses' share of the wall time. */
function gcBetween(first: Sample | undefined, last: Sample | undefined) {
  if (!first?.gc || !last?.gc) return null;
  const wallS = last.atS - first.atS;
  return Object.fromEntries(
    Object.entries(last.gc).map(([kind, { count, seconds }]) => {
      const pauseS = seconds - (first.gc?.[kind]?.seconds ?? 0);
      return [
        kind,
        {
          collections: count - (first.gc?.[kind]?.count ?? 0),
          pauseS: Math.round(pauseS * 1000) / 1000,
          percentOfWallTime: wallS > 0 ? Math.round((pauseS / wallS) * 10000) / 100 : null,
        },
      ];
    }),
  );
}

const mean = (xs: number[]) =>
  xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : Number.NaN;

/**
 * The api process's resident memory under a steady 32-client placeOrder load for
 * BENCH_MEMORY_MINUTES (default 10) after a warm-up (BENCH_MEMORY_WARMUP_S, default 60 s),
 * sampled every 5 s: does it stay under 300 MB, and flat?
 */
export async function memoryBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const orders = countFromEnv('BENCH_MEMORY_ORDERS', countFromEnv('BENCH_ORDERS', 1_000_000));
  const minutes = minutesFromEnv('BENCH_MEMORY_MINUTES', 10);
  const warmupS = countFromEnv('BENCH_MEMORY_WARMUP_S', 60);
  const target = await preparePlaceOrderHub(ctx, orders);
  await placeOneOrder(target);
  const idleRssMB = rssMB(target.hub.pid);

  const totalS = Math.round(warmupS + minutes * 60);
  ctx.log(
    `placeOrder at ${CONNECTIONS} connections for ${totalS} s (${warmupS} s warm-up + ${minutes} min), RSS every ${SAMPLE_S} s`,
  );
  const samples: Sample[] = [];
  let answered = 0;
  let answeredAtLastSample = 0;
  let sampler: ReturnType<typeof startRssSampler> | undefined;
  const onSample = (s: RssSample) => {
    const previous = samples.at(-1);
    const elapsed = previous ? s.atS - previous.atS : 0;
    const sample: Sample = {
      ...s,
      phase: s.atS < warmupS ? 'warm-up' : 'measured',
      ordersPerSecond: elapsed > 0 ? Math.round((answered - answeredAtLastSample) / elapsed) : 0,
    };
    answeredAtLastSample = answered;
    samples.push(sample);
    void v8Memory(target.hub.baseUrl).then((v8) => {
      if (v8 !== undefined) Object.assign(sample, v8);
      if (samples.length % 6 === 1 || process.env.BENCH_MEMORY_VERBOSE) {
        const space = (name: string) =>
          `${sample.spaces?.[name]?.usedMB ?? '?'}/${sample.spaces?.[name]?.totalMB ?? '?'}`;
        ctx.log(
          `t=${s.atS} s RSS ${s.rssMB} MB (anon ${s.rssAnonMB}, file ${s.rssFileMB}); heap used/total ${sample.heapUsedMB ?? '?'}/${sample.heapTotalMB ?? '?'} MB` +
            ` (new ${space('new')}, old ${space('old')}, code ${space('code')}, lo ${space('large_object')}), external ${sample.externalMB ?? '?'} MB;` +
            ` GC major ${sample.gc?.major?.count ?? '?'} (${sample.gc?.major?.seconds ?? '?'} s), minor ${sample.gc?.minor?.count ?? '?'} (${sample.gc?.minor?.seconds ?? '?'} s); ${sample.ordersPerSecond} orders/s`,
        );
      }
    });
  };
  const figures = await measureVariedLoad(placeOrderLoad(target, CONNECTIONS, totalS), 0, target.hub.pid, {
    onMeasureStart: () => {
      sampler = startRssSampler(target.hub.pid, SAMPLE_S * 1000, onSample);
    },
    onAnswer: (right) => {
      if (right) answered++;
    },
  });
  sampler?.stop();
  // Let the last /metrics reads land.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const problems: string[] = [];
  const warnings: string[] = [];
  const label = `hub at ${CONNECTIONS} connections for ${totalS} s`;
  const problem = variedLoadProblem(label, figures);
  if (problem) problems.push(problem);
  const warning = loadWarning(label, figures);
  if (warning) warnings.push(`${warning} (PostgreSQL's own CPU counts as "other" here)`);
  ctx.log('checking stock: nothing oversold, reserved equal to the active reservations');
  await waitForQuiet(target.serverUrl, databaseName(target.databaseUrl));
  const stock = await checkHubStock(target.databaseUrl);
  problems.push(...hubStockProblems(stock));

  const measured = samples.filter((s) => s.phase === 'measured');
  const lastAt = measured.at(-1)?.atS ?? Number.NaN;
  const firstMinute = measured.filter((s) => s.atS < warmupS + 60).map((s) => s.rssMB);
  const lastMinute = measured.filter((s) => s.atS > lastAt - 60).map((s) => s.rssMB);
  const firstMean = mean(firstMinute);
  const lastMean = mean(lastMinute);
  const change = Math.round((lastMean / firstMean - 1) * 1000) / 1000;
  const all = samples.map((s) => s.rssMB);
  const maxRss = all.length ? Math.max(...all) : Number.NaN;
  const measuredRss = measured.map((s) => s.rssMB);
  if (samples.length === 0) warnings.push('no RSS of the api process could be read (no /proc?)');
  const targets = [
    {
      what: 'api process max RSS MB under load (warm-up included)',
      value: maxRss,
      required: `≤ ${TARGET_RSS_MB}`,
      met: maxRss <= TARGET_RSS_MB,
    },
    {
      what: 'mean RSS of the last measured minute ÷ of the first, − 1',
      value: change,
      required: `within ±${FLAT_WITHIN}`,
      met: Math.abs(change) <= FLAT_WITHIN,
    },
  ];

  return {
    description: `RSS of the api process under ${CONNECTIONS}-client placeOrder load (3 lines, stock reserved) for ${minutes} min after a ${warmupS} s warm-up, sampled every ${SAMPLE_S} s, with ${orders.toLocaleString('en')} seeded orders.`,
    setup: {
      ...target.setup,
      load: {
        tool: 'autocannon 9 (in the benchmark process), one new body per request, every answer checked',
        request:
          'placeOrder as in the place-order benchmark (3 random SKUs, new idempotencyKey per order, integration key)',
        connections: CONNECTIONS,
        pipelining: 1,
        warmupS,
        measuredMinutes: minutes,
        sampleEveryS: SAMPLE_S,
        rss: 'VmRSS of /proc/<api pid>/status, MB = 10^6 bytes; rssAnonMB/rssFileMB from RssAnon/RssFile there; from the api /metrics (prom-client defaults): heapUsedMB, heapTotalMB (nodejs_heap_size_used/total_bytes), externalMB (nodejs_external_memory_bytes, Buffers included), spaces.<space>.usedMB/totalMB (nodejs_heap_space_size_used/total_bytes), gc.<kind>.count/seconds (nodejs_gc_duration_seconds, cumulative); gcDuringMeasurement: their change over the measured phase',
        phases:
          'samples before warmupS are the warm-up (in the max, not in the flatness check); the first measured minute is [warmupS, warmupS + 60 s), the last is the 60 s up to the last sample',
      },
    },
    results: [
      {
        rssMB: {
          idleBeforeLoad: idleRssMB,
          maxUnderLoad: maxRss,
          warmUpMax: samples.some((s) => s.phase === 'warm-up')
            ? Math.max(...samples.filter((s) => s.phase === 'warm-up').map((s) => s.rssMB))
            : null,
          measuredMin: Math.min(...measuredRss),
          measuredMax: Math.max(...measuredRss),
          firstMeasuredMinuteMean: firstMean,
          firstMeasuredMinuteSamples: firstMinute.length,
          lastMinuteMean: lastMean,
          lastMinuteSamples: lastMinute.length,
          lastOverFirstMinus1: change,
        },
      },
      { v8MB: rangesOf(samples) },
      { gcDuringMeasurement: gcBetween(measured[0], measured.at(-1)) },
      { targets },
      { load: figures },
      { stockAfter: stock },
      { samples },
    ],
    target: {
      description: `api RSS ≤ ${TARGET_RSS_MB} MB throughout the load (ratio = ${TARGET_RSS_MB} ÷ max RSS; ≥ 1 meets it) AND last measured minute's mean RSS within ±${FLAT_WITHIN * 100} % of the first measured minute's; met only when both are (see results.targets)`,
      ratio: Math.round((TARGET_RSS_MB / maxRss) * 1000) / 1000,
      required: 1,
      met: targets.every((t) => t.met),
    },
    problems,
    warnings,
  };
}
