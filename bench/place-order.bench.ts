import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { checkFloorAnswer, checkFloorStock, startIngestFloorProcess } from './support/ingest-floor-process.js';
import { loadWarning } from './support/load.js';
import { referenceDir } from './support/pgbench.js';
import {
  checkHubStock,
  countFromEnv,
  databaseName,
  hubStockProblems,
  PLACE_ORDER,
  placeOneOrder,
  placeOrderLoad,
  preparePlaceOrderHub,
  startConnectionSampler,
  waitForQuiet,
} from './support/place-order-load.js';
import { rssMB, startRssSampler } from './support/process-memory.js';
import {
  measureVariedLoad,
  variedLoadProblem,
  type VariedLoadFigures,
  type VariedLoadSpec,
} from './support/varied-load.js';

const CONNECTIONS = [1, 8, 32] as const;
const REQUIRED_FLOOR_RATIO = 0.6; // hub orders/s ÷ floor orders/s at 8 clients
const TARGET_P99_MS = 25; // hub p99 at 8 clients
const REQUIRED_SCALING = 0.9; // hub orders/s at 32 clients ÷ at 8
const TARGET_RSS_MB = 300; // api process, most seen during the 32-client run
const RSS_SAMPLE_MS = 250;
const FLOOR_DATABASE = 'ingest_floor';

interface Row extends VariedLoadFigures {
  server: 'hub' | 'ingest-floor';
  /** The api process's RSS during the recorded 32-client run (hub only). */
  rssMB?: { samples: number; min: number; max: number };
  /** Most connections the hub's database had during the 32-client run, warm-up included (hub only). */
  hubDbConnectionsMax?: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * placeOrder over HTTP on the api process (3 lines, 3 reservations, an integration key, a new
 * idempotency key per order) on a database of ORDERS seeded orders, beside the Node ingest
 * floor (node:http + pg: order + 3 lines + 1 reservation) on the same PostgreSQL server, at
 * 1, 8 and 32 clients, alternating floor and hub at each.
 */
export async function placeOrderBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const orders = countFromEnv('BENCH_ORDERS', 1_000_000);
  const refs = referenceDir();
  if (!refs)
    throw new Error(
      '../shared/bench-reference (http-ingest.mjs, oms_schema.sql) not found: the floor of this benchmark',
    );
  const target = await preparePlaceOrderHub(ctx, orders);
  ctx.log('starting the ingest floor');
  const floor = await startIngestFloorProcess(refs, target.serverUrl, FLOOR_DATABASE);
  ctx.defer('ingest floor process', () => floor.stop());
  await placeOneOrder(target);
  const idleRssMB = rssMB(target.hub.pid);

  const { durationS, warmupS } = ctx.settings;
  const results: Row[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const connections of CONNECTIONS) {
    // Floor then hub at each concurrency, so both sides of a ratio are measured close in time.
    ctx.log(`ingest floor: ${connections} connection(s), ${warmupS} s warm-up + ${durationS} s`);
    const floorSpec: VariedLoadSpec = {
      url: floor.ordersUrl,
      headers: { 'content-type': 'application/json' },
      makeBody: () => floor.body,
      check: checkFloorAnswer,
      connections,
      durationS,
    };
    results.push({ server: 'ingest-floor', ...(await measureVariedLoad(floorSpec, warmupS, floor.pid)) });
    await waitForQuiet(target.serverUrl, FLOOR_DATABASE);

    ctx.log(`hub placeOrder: ${connections} connection(s), ${warmupS} s warm-up + ${durationS} s`);
    let rss: ReturnType<typeof startRssSampler> | undefined;
    let connectionsSampler: Awaited<ReturnType<typeof startConnectionSampler>> | undefined;
    const sampled = connections === CONNECTIONS[CONNECTIONS.length - 1];
    if (sampled)
      connectionsSampler = await startConnectionSampler(target.serverUrl, databaseName(target.databaseUrl), 1_000);
    const figures = await measureVariedLoad(placeOrderLoad(target, connections, durationS), warmupS, target.hub.pid, {
      onMeasureStart: () => {
        if (sampled) rss = startRssSampler(target.hub.pid, RSS_SAMPLE_MS);
      },
    });
    const row: Row = { server: 'hub', ...figures };
    if (rss) {
      const samples = rss.stop().map((s) => s.rssMB);
      row.rssMB = { samples: samples.length, min: Math.min(...samples), max: Math.max(...samples) };
    }
    if (connectionsSampler) row.hubDbConnectionsMax = await connectionsSampler.stop();
    results.push(row);
    await waitForQuiet(target.serverUrl, databaseName(target.databaseUrl));
  }
  for (const row of results) {
    const label = `${row.server} at ${row.connections} connection(s)`;
    const problem = variedLoadProblem(label, row);
    if (problem) problems.push(problem);
    const warning = loadWarning(label, row);
    // PostgreSQL is a separate process doing much of this work: say so rather than call it noise.
    if (warning) warnings.push(`${warning} (PostgreSQL's own CPU counts as "other" here)`);
  }

  ctx.log('checking stock: nothing oversold, reserved equal to the active reservations');
  const hubStock = await checkHubStock(target.databaseUrl);
  problems.push(...hubStockProblems(hubStock));
  const floorStock = await checkFloorStock(floor.databaseUrl);
  if (floorStock.oversoldSkus > 0) problems.push(`ingest floor: ${floorStock.oversoldSkus} SKUs oversold`);

  const at = (server: Row['server'], connections: number) =>
    results.find((r) => r.server === server && r.connections === connections)!;
  const ratios = CONNECTIONS.map((c) => ({
    clients: c,
    hubOrdersPerSecond: at('hub', c).requestsPerSecond,
    floorOrdersPerSecond: at('ingest-floor', c).requestsPerSecond,
    hubOverFloor: r3(at('hub', c).requestsPerSecond / at('ingest-floor', c).requestsPerSecond),
  }));
  const floorRatio = ratios.find((r) => r.clients === 8)!.hubOverFloor;
  const p99At8 = at('hub', 8).latencyMs.p99;
  const scaling = r3(at('hub', 32).requestsPerSecond / at('hub', 8).requestsPerSecond);
  const maxRss = at('hub', 32).rssMB?.max ?? Number.NaN;
  const targets = [
    {
      what: 'hub orders/s ÷ floor orders/s at 8 clients',
      value: floorRatio,
      required: `≥ ${REQUIRED_FLOOR_RATIO}`,
      met: floorRatio >= REQUIRED_FLOOR_RATIO,
    },
    { what: 'hub p99 ms at 8 clients', value: p99At8, required: `≤ ${TARGET_P99_MS}`, met: p99At8 <= TARGET_P99_MS },
    {
      what: 'hub orders/s at 32 clients ÷ at 8 clients',
      value: scaling,
      required: `≥ ${REQUIRED_SCALING}`,
      met: scaling >= REQUIRED_SCALING,
    },
    {
      what: 'api process max RSS MB during the 32-client run',
      value: maxRss,
      required: `≤ ${TARGET_RSS_MB}`,
      met: maxRss <= TARGET_RSS_MB,
    },
  ];
  if (Number.isNaN(maxRss)) warnings.push('no RSS of the api process could be read (no /proc?)');

  return {
    description: `placeOrder (3 lines, stock reserved) over HTTP on the api process with ${orders.toLocaleString('en')} seeded orders, against the Node ingest floor (http-ingest.mjs) on the same PostgreSQL server, at ${CONNECTIONS.join(', ')} clients.`,
    setup: {
      ...target.setup,
      floor: floor.settings,
      load: {
        tool: 'autocannon 9 (in the benchmark process), one new body per request (setupRequest), every answer checked (onResponse)',
        hubRequest: {
          method: 'POST /graphql, content-type application/json, Authorization: Bearer <integration key>',
          query: PLACE_ORDER,
          input:
            'currency USD, customer someone@example.com / Some One, a London shipping address, 3 different SKUs of SKU-1…SKU-10000 at random, quantity 1 each, idempotencyKey bench-<run>-<n> (new per order)',
          rightAnswer: '2xx, no GraphQL errors, placeOrder.status ALLOCATED',
        },
        floorRequest: 'POST /orders with order-3lines-2k.json; right answer: 201 with status NEW and reserved true',
        pipelining: 1,
        connections: CONNECTIONS,
        order: 'floor then hub at each concurrency',
        rssSampleMs: RSS_SAMPLE_MS,
      },
    },
    results: [
      { runs: results },
      { ratios },
      { targets },
      { apiRssMB: { idleBeforeLoad: idleRssMB, during32ClientRun: at('hub', 32).rssMB } },
      { stockAfter: { hub: hubStock, floor: floorStock } },
    ],
    target: {
      description: `hub orders/s ≥ ${REQUIRED_FLOOR_RATIO} × floor at 8 clients (the ratio) AND hub p99 ≤ ${TARGET_P99_MS} ms at 8 clients AND hub orders/s at 32 clients ≥ ${REQUIRED_SCALING} × at 8 AND api RSS ≤ ${TARGET_RSS_MB} MB during the 32-client run; met only when all four are (see results.targets)`,
      ratio: floorRatio,
      required: REQUIRED_FLOOR_RATIO,
      met: targets.every((t) => t.met),
    },
    problems,
    warnings,
  };
}
