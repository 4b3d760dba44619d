import { startBenchServices } from './support/bench-services.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { dataOf, graphqlBody, graphqlHeaders, postGraphQL } from './support/graphql-request.js';
import { startHubProcess } from './support/hub-process.js';
import { loadProblem, loadWarning, measureLoad, type LoadFigures } from './support/load.js';
import { seedOrdersWithCli } from './support/seed-orders-cli.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const CONNECTIONS = [1, 8] as const;
const TARGET_P99_MS = 20;
const PAGE =
  'edges { cursor node { id number status placedAt totals { total { amount currency } } } } pageInfo { hasNextPage endCursor }';
/** The list screen's query; the target is on it. The same with totalCount (a count over every match) is measured beside it. */
const VARIANTS = [
  {
    name: 'page',
    query: `{ orders(first: 50, filter: { statuses: [ALLOCATED] }, orderBy: CREATED_AT_DESC) { ${PAGE} } }`,
  },
  {
    name: 'page + totalCount',
    query: `{ orders(first: 50, filter: { statuses: [ALLOCATED] }, orderBy: CREATED_AT_DESC) { totalCount ${PAGE} } }`,
  },
] as const;

/**
 * The orders list an admin screen asks for — ALLOCATED orders, newest first, a page of 50 with
 * totals — over HTTP on the api process, with ORDERS (default 1,000,000) seeded orders.
 */
export async function ordersListBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const { services, database } = await startBenchServices(ctx);
  ctx.log(`seeding ${ORDERS.toLocaleString('en')} orders`);
  const seedStarted = Date.now();
  await seedOrdersWithCli(database.url, ORDERS, ctx.log);
  const seedSeconds = Math.round((Date.now() - seedStarted) / 100) / 10;

  const hub = await startHubProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
  ctx.defer('hub process', () => hub.stop());
  const results: (LoadFigures & { variant: string })[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  let matching = 0;
  for (const variant of VARIANTS) {
    const first = await postGraphQL(hub.graphqlUrl, variant.query, { token: hub.adminKey });
    const page = dataOf('orders', first).orders as { edges: unknown[]; totalCount?: number };
    if (page.edges.length !== 50)
      throw new Error(`expected a full page of 50, got ${page.edges.length}: ${first.text.slice(0, 300)}`);
    matching = page.totalCount ?? matching;
    for (const connections of CONNECTIONS) {
      ctx.log(
        `orders list (${variant.name}): ${connections} connection(s), ${ctx.settings.warmupS} s warm-up + ${ctx.settings.durationS} s`,
      );
      const figures = await measureLoad(
        {
          url: hub.graphqlUrl,
          headers: graphqlHeaders(hub.adminKey),
          body: graphqlBody(variant.query),
          expectBody: first.text,
          connections,
          durationS: ctx.settings.durationS,
        },
        ctx.settings.warmupS,
        hub.pid,
      );
      results.push({ variant: variant.name, ...figures });
      const label = `orders list (${variant.name}) at ${connections} connection(s)`;
      const problem = loadProblem(label, figures);
      if (problem) problems.push(problem);
      const warning = loadWarning(label, figures);
      // PostgreSQL is a separate process doing most of this work: say so rather than call it noise.
      if (warning) warnings.push(`${warning} (PostgreSQL's own CPU counts as "other" here)`);
    }
  }
  const worstP99 = Math.max(...results.filter((r) => r.variant === 'page').map((r) => r.latencyMs.p99));
  return {
    description: `orders(first: 50, filter: {statuses: [ALLOCATED]}, orderBy: CREATED_AT_DESC), over HTTP, on ${ORDERS.toLocaleString('en')} seeded orders; without and with totalCount.`,
    setup: {
      orders: ORDERS,
      seedSeconds,
      matchingOrders: matching,
      hub: hub.settings,
      postgres: 'local, fsync off (test server)',
      queries: VARIANTS,
    },
    results,
    target: {
      description: `p99 ≤ ${TARGET_P99_MS} ms for the page query at every measured concurrency (ratio = target ÷ worst p99; ≥ 1 meets it)`,
      ratio: Math.round((TARGET_P99_MS / worstP99) * 1000) / 1000,
      required: 1,
      met: worstP99 <= TARGET_P99_MS,
    },
    problems,
    warnings,
  };
}
