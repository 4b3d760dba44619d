import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../src/platform/local-redis.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { startChildServer } from './support/child-server.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { loadWarning } from './support/load.js';
import {
  countFromEnv,
  databaseName,
  placeOneOrder,
  placeOrderLoad,
  preparePlaceOrderHub,
  waitForQuiet,
  type PlaceOrderHub,
} from './support/place-order-load.js';
import { measureVariedLoad, variedLoadProblem, type VariedLoadFigures } from './support/varied-load.js';
import { startWorkerProcess } from './support/worker-process.js';

const CLIENTS = 8;
const STRIPE_SECRET_KEY = 'sk_test_switchyard_bench';
const STRIPE_WEBHOOK_SECRET = 'whsec_switchyard_bench';
/** How long the worker gets, after the load, to authorise what was placed. */
const DRAIN_TIMEOUT_MS = 120_000;

interface Row extends VariedLoadFigures {
  payment: 'manual' | 'stripe (simulator)';
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** An order placed with a card answers CONFIRMED: its authorisation is a job, after the commit. */
function checkCardOrderAnswer(status: number, body: string): string | undefined {
  if (status !== 200) return `HTTP ${status}`;
  try {
    const json = JSON.parse(body) as { data?: { placeOrder?: { status?: string } }; errors?: unknown[] };
    if (json.errors?.length) return 'GraphQL error';
    const s = json.data?.placeOrder?.status;
    return s === 'CONFIRMED' || s === 'ALLOCATED' ? undefined : `order ${s}`;
  } catch {
    return 'not JSON';
  }
}

/** One card order, placed and checked (CONFIRMED) before the load. */
async function placeOneCardOrder(target: PlaceOrderHub, hub: HubProcess): Promise<void> {
  const spec = placeOrderLoad({ ...target, hub }, 1, 1);
  const body = JSON.parse(spec.makeBody()) as { variables: { input: Record<string, unknown> } };
  body.variables.input.paymentMethod = 'pm_card_visa';
  const res = await fetch(spec.url, { method: 'POST', headers: spec.headers, body: JSON.stringify(body) });
  const text = await res.text();
  const wrong = checkCardOrderAnswer(res.status, text);
  if (wrong) throw new Error(`placeOrder with a card answered wrongly (${wrong}): ${text.slice(0, 500)}`);
}

/** Orders placed since `since` by status, and for the allocated ones the lag from placement to allocation. */
async function authorisationOutcome(
  databaseUrl: string,
  since: Date,
): Promise<{ byStatus: Record<string, number>; lagsMs: number[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const statuses = await client.query<{ status: string; n: string }>(
      `select status, count(*) as n from "order" where placed_at >= $1 group by status`,
      [since],
    );
    const lags = await client.query<{ ms: string }>(
      `select extract(epoch from (e.created_at - o.placed_at)) * 1000 as ms
         from "order" o join order_event e on e.order_id = o.id
        where o.placed_at >= $1 and e.type = 'status_changed' and e.to_status = 'ALLOCATED'`,
      [since],
    );
    return {
      byStatus: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
      lagsMs: lags.rows.map((r) => Number(r.ms)).sort((a, b) => a - b),
    };
  } finally {
    await client.end();
  }
}

async function measure(target: PlaceOrderHub, hub: HubProcess, paymentMethod: string | null, ctx: BenchContext) {
  const spec = placeOrderLoad({ ...target, hub }, CLIENTS, ctx.settings.durationS);
  const makeBody = spec.makeBody;
  return measureVariedLoad(
    {
      ...spec,
      makeBody: paymentMethod
        ? () => {
            const body = JSON.parse(makeBody()) as { variables: { input: Record<string, unknown> } };
            body.variables.input.paymentMethod = paymentMethod;
            return JSON.stringify(body);
          }
        : makeBody,
      check: paymentMethod ? checkCardOrderAnswer : spec.check,
    },
    ctx.settings.warmupS,
    hub.pid,
  );
}

/**
 * placeOrder at 8 clients with a card through Stripe (the simulator, its own process) beside
 * placeOrder paid `manual`ly, in one run on one database. With `manual` the provider is called
 * inside the order's transaction and the answer is ALLOCATED; with Stripe nothing leaves before
 * the commit: the answer is CONFIRMED and a worker authorises through the simulator (with its
 * idempotency key) and allocates. A worker runs beside the api in both rows. The ratio is
 * placeOrder's own cost of the move; the authorisation lag (placed → ALLOCATED) is what a
 * customer waits for in the background, and every order must get there.
 */
export async function placeOrderStripeBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const orders = countFromEnv('BENCH_ORDERS', 0);
  const target = await preparePlaceOrderHub(ctx, orders);
  // Its api process runs without Stripe settings: each row starts its own below.
  await target.hub.stop();
  const services = { databaseUrl: target.databaseUrl, redisUrl: target.redisUrl };

  ctx.log('starting the Stripe simulator (switchyard simulate stripe)');
  const simPort = await freePort();
  const simulator = await startChildServer({
    name: 'stripe simulator',
    script: new URL('../src/main.js', import.meta.url),
    args: ['simulate', 'stripe', '--port', String(simPort), '--secret-key', STRIPE_SECRET_KEY],
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    port: simPort,
    isReady: async (base) => (await fetch(`${base}/__sim/effects`)).status === 200,
  });
  ctx.defer('stripe simulator', () => simulator.stop());
  const encryptionKey = randomBytes(32).toString('base64');
  const stripeEnv = {
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    STRIPE_API_BASE: simulator.baseUrl,
  };

  // The hub refuses a plain-http Stripe endpoint in production (only the simulator speaks http),
  // so both rows run as development, with the development sandbox off: the same settings apart
  // from the STRIPE_* ones.
  const commonEnv = { NODE_ENV: 'development', SANDBOX_SHOPIFY: 'off' };
  const results: Row[] = [];
  const lags: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const payment of ['manual', 'stripe (simulator)'] as const) {
    const env = payment === 'manual' ? commonEnv : { ...commonEnv, ...stripeEnv };
    ctx.log(`${payment}: starting an api and a worker process`);
    const hub = await startHubProcess({ ...services, encryptionKey }, env);
    const worker = await startWorkerProcess({ ...services, encryptionKey }, env);
    try {
      // One order by hand first, checked as the load checks it: no point loading a broken path.
      if (payment === 'manual') await placeOneOrder({ ...target, hub });
      else await placeOneCardOrder(target, hub);
      const since = new Date();
      ctx.log(`${payment}: ${CLIENTS} clients, ${ctx.settings.warmupS} s warm-up + ${ctx.settings.durationS} s`);
      const figures = await measure(target, hub, payment === 'manual' ? null : 'pm_card_visa', ctx);
      results.push({ payment, ...figures });
      await waitForQuiet(target.serverUrl, databaseName(target.databaseUrl));
      // Every order placed must end ALLOCATED: with Stripe once the worker has authorised it.
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      let outcome = await authorisationOutcome(target.databaseUrl, since);
      while ((outcome.byStatus.CONFIRMED ?? 0) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        outcome = await authorisationOutcome(target.databaseUrl, since);
      }
      const notAllocated = Object.entries(outcome.byStatus).filter(([s]) => s !== 'ALLOCATED');
      if (notAllocated.length > 0)
        problems.push(`${payment}: orders not ALLOCATED after the run: ${JSON.stringify(outcome.byStatus)}`);
      lags[payment] = {
        orders: outcome.lagsMs.length,
        placedToAllocatedMs: {
          p50: r3(percentile(outcome.lagsMs, 50)),
          p99: r3(percentile(outcome.lagsMs, 99)),
          max: r3(outcome.lagsMs.at(-1) ?? Number.NaN),
        },
      };
    } finally {
      await worker.stop();
      await hub.stop();
    }
  }

  // Every call the hub made to Stripe carried an idempotency key of its own.
  const requests = (await (await fetch(`${simulator.baseUrl}/__sim/requests`)).json()) as {
    method: string;
    idempotencyKey?: string | null;
  }[];
  const posts = requests.filter((r) => r.method === 'POST');
  const unkeyed = posts.filter((r) => !r.idempotencyKey).length;
  if (unkeyed > 0) problems.push(`${unkeyed} of ${posts.length} POSTs to Stripe had no Idempotency-Key`);
  const effects = (await (await fetch(`${simulator.baseUrl}/__sim/effects`)).json()) as { kind: string }[];
  const authorised = effects.filter((e) => e.kind === 'authorise').length;

  const warnings: string[] = [];
  for (const row of results) {
    const problem = variedLoadProblem(row.payment, row);
    if (problem) problems.push(problem);
    const warning = loadWarning(row.payment, row);
    if (warning) warnings.push(`${warning} (the worker, PostgreSQL, Redis and the simulator count as "other" here)`);
  }
  const manual = results.find((r) => r.payment === 'manual')!;
  const stripe = results.find((r) => r.payment !== 'manual')!;
  const ratio = r3(stripe.requestsPerSecond / manual.requestsPerSecond);
  return {
    description: `placeOrder at ${CLIENTS} clients paid by card through Stripe (simulator; authorised by a job after the commit) beside placeOrder paid manual (provider called in the transaction), one run, one database`,
    setup: {
      ...target.setup,
      stripe: {
        simulator: 'node dist/src/main.js simulate stripe (its own process)',
        paymentMethod: 'pm_card_visa',
        postsToStripe: posts.length,
        postsWithoutIdempotencyKey: unkeyed,
        authorisationsInSimulator: authorised,
      },
      processes:
        'per row: one api process (measured) and one worker process (jobs and outbox relay), same environment but the STRIPE_* settings',
    },
    results: [...results, { stripeOverManual: ratio, authorisation: lags }],
    target: {
      description: `stripe orders/s ÷ manual orders/s at ${CLIENTS} clients (recorded, no fixed goal: the cost of moving the provider call out of the transaction); p99 manual ${manual.latencyMs.p99} ms, stripe ${stripe.latencyMs.p99} ms`,
      ratio,
      required: 0,
      met: problems.length === 0,
    },
    problems,
    warnings,
  };
}
