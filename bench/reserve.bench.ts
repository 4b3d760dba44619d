import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { SYSTEM_PRINCIPAL } from '../src/domain/auth/principal.js';
import { manualPaymentProvider } from '../src/domain/payments/payment-provider.js';
import { placeOrder } from '../src/domain/orders/place-order.service.js';
import { createOrm, runPendingMigrations, type Orm } from '../src/platform/database.js';
import { startPostgres } from '../test/support/postgres-server.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { findPgbench, loadSqlFile, referenceDir, runPgbench, type PgbenchFigures } from './support/pgbench.js';

const SKUS = 10_000;
const CLIENTS = [8, 32] as const;
const REQUIRED_HOT_RATIO = 0.35;
const logger = pino({ level: 'silent' });

interface Figures {
  mode: 'hot' | 'random';
  clients: number;
  orders: number;
  ordersPerSecond: number;
  latencyMs: { p50: number; p99: number };
  errors: number;
}

async function exec(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

/** 10,000 SKUs at one location with ample stock, written with their ledger rows so invariants hold. */
async function seed(url: string): Promise<void> {
  await exec(url, [
    `insert into product (id, title) values ('00000000-0000-4000-8000-000000000001', 'Bench product')`,
    `insert into variant (id, product_id, sku, title, price_amount, currency)
       select gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'SKU-' || g, 'Widget ' || g, 4115, 'USD' from generate_series(1, ${SKUS}) g`,
    `insert into location (id, code, name, address) values ('00000000-0000-4000-8000-0000000000aa', 'BENCH', 'Bench warehouse',
       '{"line1":"1 Bench Street","city":"London","countryCode":"GB"}')`,
    `insert into stock_level (variant_id, location_id, on_hand) select id, '00000000-0000-4000-8000-0000000000aa', 1000000000 from variant`,
    `insert into stock_movement (variant_id, location_id, kind, on_hand_delta, reserved_delta, actor)
       select variant_id, location_id, 'received', on_hand, 0, 'bench' from stock_level`,
    'vacuum analyze',
  ]);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `clients` loops placing 3-line orders back to back for `seconds`; the first line is the hot or a random SKU. */
async function measure(
  orm: Orm,
  mode: 'hot' | 'random',
  clients: number,
  seconds: number,
  record: boolean,
): Promise<Figures> {
  const deps = { payments: manualPaymentProvider, policy: { holdTotalAbove: null } };
  const sku = () => `SKU-${1 + Math.floor(Math.random() * SKUS)}`;
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const skus = new Set([mode === 'hot' ? 'SKU-1' : sku()]);
        while (skus.size < 3) skus.add(sku());
        const started = performance.now();
        try {
          await placeOrder({ actor: SYSTEM_PRINCIPAL, requestId: 'bench', em: orm.em, logger }, deps, {
            currency: 'USD',
            customer: { email: 'someone@example.com', name: 'Some One' },
            shippingAddress: { line1: '1 Bench Street', city: 'London', postalCode: 'N1 1AA', countryCode: 'GB' },
            lines: [...skus].map((s) => ({ sku: s, quantity: 1 })),
          });
          latencies.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    mode,
    clients,
    orders: record ? latencies.length : 0,
    ordersPerSecond: r(latencies.length / seconds),
    latencyMs: { p50: r(percentile(latencies, 50)), p99: r(percentile(latencies, 99)) },
    errors,
  };
}

/**
 * Orders placed and reserved per second through the domain's placeOrder (validation, order +
 * 3 lines, timeline, outbox, sourcing and 3 conditional reservations in one transaction) for a
 * hot SKU and for 10,000 random SKUs, beside pgbench running the reference transaction (order +
 * 3 lines + 1 conditional reservation) on the same PostgreSQL server in the same run.
 */
export async function reserveBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const { durationS, warmupS } = ctx.settings;
  const warnings: string[] = [];
  ctx.log('starting PostgreSQL (fsync on)');
  const server = await startPostgres({ durable: true, maxConnections: 120 });
  ctx.defer('PostgreSQL', () => server.stop());
  const url = (db: string) => {
    const u = new URL(server.url);
    u.pathname = `/${db}`;
    return u.toString();
  };
  await exec(server.url, ['create database floor', 'create database hub']);

  const floor: { script: string; figures: PgbenchFigures }[] = [];
  const refs = referenceDir();
  const pgbench = findPgbench();
  if (refs && pgbench) {
    await loadSqlFile(url('floor'), join(refs, 'oms_schema.sql'));
    for (const script of ['oms_random.sql', 'oms_hot.sql']) {
      for (const clients of CLIENTS) {
        ctx.log(`pgbench ${script} at ${clients} clients, ${durationS} s`);
        floor.push({ script, figures: runPgbench(pgbench, url('floor'), join(refs, script), clients, durationS) });
      }
    }
  } else {
    warnings.push('pgbench or ../shared/bench-reference not found: no database floor in this run');
  }

  const results: Figures[] = [];
  for (const clients of CLIENTS) {
    const orm = await createOrm({ kind: 'postgres', url: url('hub'), poolMax: clients });
    try {
      if (clients === CLIENTS[0]) {
        await runPendingMigrations(orm);
        ctx.log(`seeding ${SKUS} SKUs`);
        await seed(url('hub'));
      }
      for (const mode of ['random', 'hot'] as const) {
        ctx.log(`placeOrder ${mode} at ${clients} clients: ${warmupS} s warm-up + ${durationS} s`);
        await measure(orm, mode, clients, warmupS, false);
        results.push(await measure(orm, mode, clients, durationS, true));
      }
    } finally {
      await orm.close(true);
    }
  }

  const rate = (mode: string, clients: number) =>
    results.find((r) => r.mode === mode && r.clients === clients)?.ordersPerSecond ?? 0;
  const tps = (script: string, clients: number) =>
    floor.find((f) => f.script === script && f.figures.clients === clients)?.figures.tps;
  const hotRatio = Math.round((rate('hot', 32) / rate('random', 32)) * 1000) / 1000;
  const ratios = CLIENTS.flatMap((c) => [
    {
      clients: c,
      mode: 'random',
      ofPgbench: tps('oms_random.sql', c)
        ? Math.round((rate('random', c) / tps('oms_random.sql', c)!) * 1000) / 1000
        : null,
    },
    {
      clients: c,
      mode: 'hot',
      ofPgbench: tps('oms_hot.sql', c) ? Math.round((rate('hot', c) / tps('oms_hot.sql', c)!) * 1000) / 1000 : null,
    },
  ]);
  const problems = results
    .filter((r) => r.errors > 0)
    .map((r) => `${r.mode} at ${r.clients} clients: ${r.errors} failed orders`);
  return {
    description:
      'Orders reserved per second through placeOrder (3 lines, 3 conditional reservations) for a hot SKU and 10,000 random SKUs at 8 and 32 concurrent clients, beside pgbench running the reference order + 3 lines + 1 reservation transaction on the same server.',
    setup: { postgres: 'local, fsync on', skus: SKUS, stockPerSku: 1e9, clients: CLIENTS, ormPool: 'equal to clients' },
    results: [{ app: results }, { pgbench: floor.map((f) => ({ script: f.script, ...f.figures })) }, { ratios }],
    target: {
      description: 'hot-SKU rate ≥ 0.35 × random-SKU rate at 32 clients',
      ratio: hotRatio,
      required: REQUIRED_HOT_RATIO,
      met: hotRatio >= REQUIRED_HOT_RATIO,
    },
    problems,
    warnings,
  };
}
