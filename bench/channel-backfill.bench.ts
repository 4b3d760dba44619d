import { readFileSync } from 'node:fs';
import type { Order as AmazonOrder } from '@sp-api-sdk/orders-api-2026-01-01';
import { AmazonConnector } from '../src/connectors/amazon/amazon.connector.js';
import { AmazonSimulator } from '../src/connectors/amazon/simulator/amazon-simulator.js';
import type { ChannelConnector } from '../src/connectors/connector.js';
import { EbayConnector } from '../src/connectors/ebay/ebay.connector.js';
import type { EbayOrder } from '../src/connectors/ebay/ebay-order.types.js';
import { EbaySimulator } from '../src/connectors/ebay/simulator/ebay-simulator.js';
import { ShopifyConnector } from '../src/connectors/shopify/shopify.connector.js';
import { ShopifySimulator } from '../src/connectors/shopify/simulator/shopify-simulator.js';
import { seededRandom } from '../src/connectors/shopify/simulator/sim-faults.js';
import { createProduct } from '../src/domain/catalog/catalog.service.js';
import { ingestChannelOrders } from '../src/domain/channels/ingest-channel-orders.js';
import { checkInvariants } from '../src/domain/invariants/invariants.js';
import { pullChannelOrders } from '../src/jobs/channel-sync.js';
import { createOrm } from '../src/platform/database.js';
import { createLocations, stock } from '../test/support/commerce.js';
import { contextFor } from '../test/support/context.js';
import { sql } from '../test/support/database.js';
import {
  AMAZON_US,
  amazonBackfillOrder,
  backfillLines,
  ebayBackfillOrder,
  shopifyBackfillOrder,
  type BackfillLine,
} from './support/backfill-orders.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { startBenchServices } from './support/bench-services.js';
import { countFromEnv } from './support/place-order-load.js';

const SKUS = 1_000;
const SKU_PREFIX = 'BF-';
/** Each platform's real largest page (CONNECTORS.md): what a real backfill asks for. */
const PAGE_SIZES = { shopify: 250, amazon: 100, ebay: 200 } as const;
/**
 * Amazon's real searchOrders plan is about 0.0056 calls/s (20 an hour) with a burst of 20: a
 * 10,000-order backfill (100 pages) would make 20 calls at once, then one every ~179 s, ≈ 4 h.
 * The simulator is given a plan that never binds, so the figure is the hub's own cost per order.
 */
const AMAZON_BENCH_PLAN = { rate: 1_000, burst: 1_000 };
const EBAY_CREDENTIALS = {
  clientId: 'bench-client',
  clientSecret: 'bench-secret',
  refreshToken: 'v^1.1#bench-refresh',
  verificationToken: 'bench-verify-token',
  marketplaceId: 'EBAY_US',
};
const FIXTURES = new URL('../../test/fixtures/', import.meta.url);
const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const skuOf = (i: number) => `${SKU_PREFIX}${i + 1}`;

type Platform = keyof typeof PAGE_SIZES;

/** A platform's simulator seeded with its orders, and the connector pointed at it. */
interface SeededPlatform {
  connector: ChannelConnector;
  stop(): Promise<void>;
  settings: string;
}

/** What one platform's timed backfill came to. */
interface PlatformRun {
  platform: Platform;
  channelId: string;
  orders: number;
  units: number;
  seconds: number;
  ordersPerSecond: number;
  pages: number;
  largestPage: number;
  platformCallSeconds: number;
  ingestSeconds: number;
  progress: unknown;
  simulator: string;
}

/** Orders of `count` with their lines and times: the same draw for every platform's run. */
function planOrders(count: number, seed: number, from: number): { lines: BackfillLine[]; at: Date }[] {
  const random = seededRandom(seed);
  // Spaced a millisecond apart, the newest a minute before now: all inside every pull's window.
  return Array.from({ length: count }, (_, n) => ({
    lines: backfillLines(random, SKUS, skuOf),
    at: new Date(from + n),
  }));
}

async function seedShopify(plan: ReturnType<typeof planOrders>): Promise<SeededPlatform> {
  const sim = new ShopifySimulator();
  const template = fixture<{ response: Record<string, unknown> }>('shopify/orders-create.json').response;
  for (const [n, o] of plan.entries()) sim.state.putOrder(shopifyBackfillOrder(template, n + 1, o.lines, o.at));
  await sim.start();
  const connector = new ShopifyConnector({
    credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: sim.webhookSecret },
    endpoint: sim.url,
  });
  return { connector, stop: () => sim.stop(), settings: 'Shopify simulator: its default cost bucket (1,000, 50/s)' };
}

async function seedAmazon(plan: ReturnType<typeof planOrders>): Promise<SeededPlatform> {
  const sim = new AmazonSimulator({ usagePlans: { searchOrders: AMAZON_BENCH_PLAN } });
  const template = fixture<{ response: { orders: AmazonOrder[] } }>('amazon/searchOrders-2026-01-01.sandbox-200.json')
    .response.orders[0]!;
  sim.addOrders(plan.map((o, n) => amazonBackfillOrder(template, n + 1, o.lines, o.at)));
  await sim.start();
  const connector = new AmazonConnector({
    credentials: {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      refreshToken: sim.refreshToken,
      sellerId: sim.sellerId,
      region: 'na',
      marketplaceIds: [AMAZON_US],
    },
    endpoint: sim.url,
  });
  return {
    connector,
    stop: () => sim.stop(),
    settings: `Amazon simulator: searchOrders plan ${AMAZON_BENCH_PLAN.rate}/s burst ${AMAZON_BENCH_PLAN.burst} instead of Amazon's ~20 calls/hour (which would make this backfill ≈ 4 h)`,
  };
}

async function seedEbay(plan: ReturnType<typeof planOrders>): Promise<SeededPlatform> {
  const sim = new EbaySimulator({ ...EBAY_CREDENTIALS, refreshTokens: [EBAY_CREDENTIALS.refreshToken] });
  // eBay's daily call quotas, far above what the run spends, so none is ever met.
  sim.state.quotas.fulfillment = 10_000_000;
  sim.state.quotas.identity = 10_000_000;
  const template = fixture<EbayOrder>('ebay/orders/paid-two-lines-usd.json');
  for (const [n, o] of plan.entries()) sim.addOrder(ebayBackfillOrder(template, n + 1, o.lines, o.at));
  const endpoint = await sim.start();
  const connector = new EbayConnector({ credentials: EBAY_CREDENTIALS, endpoint });
  return { connector, stop: () => sim.stop(), settings: 'eBay simulator: daily quotas raised to 10,000,000' };
}

const SEEDERS: Record<Platform, (plan: ReturnType<typeof planOrders>) => Promise<SeededPlatform>> = {
  shopify: seedShopify,
  amazon: seedAmazon,
  ebay: seedEbay,
};

/**
 * A 10,000-order backfill per platform from its simulator: `pullChannelOrders` with the real
 * connector at the platform's real page size and the real ingestion (stored, stock reserved at
 * the one location serving every channel, allocated), the cursor advanced, one platform after
 * another on the same database and catalogue; orders/s each, and beside Shopify's.
 */
export async function channelBackfillBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const count = countFromEnv('BENCH_BACKFILL_ORDERS', 10_000);
  // Shopify's pull is paced by its cost bucket (3 orders a page, about 2 orders/s: minutes per
  // thousand), so a run on a deadline may give it fewer orders; its rate is steady from the start.
  const counts: Record<Platform, number> = {
    shopify: countFromEnv('BENCH_BACKFILL_SHOPIFY_ORDERS', count),
    amazon: count,
    ebay: count,
  };
  const { database } = await startBenchServices(ctx);
  const orm = await createOrm({ kind: 'postgres', url: database.url, poolMax: 8 });
  ctx.defer('ORM', () => orm.close(true));
  const channelOf = (p: Platform) => `bench-backfill-${p}`;
  const platforms = Object.keys(PAGE_SIZES) as Platform[];
  for (const p of platforms)
    await sql(database.url, `insert into channel (id, kind, name, backorder_policy) values ($1, $2, $3, 'backorder')`, [
      channelOf(p),
      p,
      `Bench backfill ${p}`,
    ]);

  // Every order of every platform takes 1 unit a line: the stock covers all of them, so each is allocated.
  const plans = Object.fromEntries(
    platforms.map((p, i) => [p, planOrders(counts[p], 7 + i, Date.now() - 60_000 - counts[p])]),
  ) as Record<Platform, ReturnType<typeof planOrders>>;
  const units = (p: Platform) => plans[p].reduce((n, o) => n + o.lines.reduce((m, l) => m + l.quantity, 0), 0);
  const perSku = new Map<string, number>();
  for (const p of platforms)
    for (const o of plans[p]) for (const l of o.lines) perSku.set(l.sku, (perSku.get(l.sku) ?? 0) + l.quantity);
  ctx.log(`catalogue: ${SKUS.toLocaleString('en')} SKUs at one location serving the three channels`);
  const location = (await createLocations(contextFor(orm.em), [{ code: 'BFL', channelIds: platforms.map(channelOf) }]))
    .BFL!;
  for (let b = 0; b < SKUS; b += 250)
    await createProduct(contextFor(orm.em), {
      title: `Backfill widgets ${b / 250 + 1}`,
      variants: Array.from({ length: Math.min(250, SKUS - b) }, (_, i) => ({
        sku: skuOf(b + i),
        priceAmount: 1250,
        currency: 'USD',
      })),
    });
  for (let i = 0; i < SKUS; i++) await stock(contextFor(orm.em), skuOf(i), location, (perSku.get(skuOf(i)) ?? 0) + 5);

  const runs: PlatformRun[] = [];
  const problems: string[] = [];
  for (const platform of platforms) {
    ctx.log(`${platform}: seeding its simulator with ${counts[platform].toLocaleString('en')} orders`);
    const seeded = await SEEDERS[platform](plans[platform]);
    ctx.defer(`${platform} simulator`, () => seeded.stop());
    const pages: number[] = [];
    let platformMs = 0;
    let ingestMs = 0;
    // The real connector and ingestion, each timed where it is called.
    const connector: ChannelConnector = Object.create(seeded.connector) as ChannelConnector;
    connector.pullOrders = async (since, cursor, pageSize) => {
      const t = performance.now();
      const page = await seeded.connector.pullOrders(since, cursor, pageSize);
      platformMs += performance.now() - t;
      pages.push(page.orders.length);
      return page;
    };
    const ingestOrders: typeof ingestChannelOrders = async (...args) => {
      const t = performance.now();
      try {
        return await ingestChannelOrders(...args);
      } finally {
        ingestMs += performance.now() - t;
      }
    };
    ctx.log(`${platform}: pulling and ingesting at page size ${PAGE_SIZES[platform]}`);
    const since = new Date(Date.now() - 3600_000);
    const started = performance.now();
    const progress = await pullChannelOrders(
      contextFor(orm.em),
      { connector, ingest: { policy: { holdTotalAbove: null } }, ingestOrders },
      channelOf(platform),
      since,
      {
        advanceCursor: true,
        pageSize: PAGE_SIZES[platform],
        onProgress: (p) => {
          if (pages.length % 20 === 0) ctx.log(`  ${platform}: ${p.pulled.toLocaleString('en')} pulled`);
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    await seeded.stop();
    const run: PlatformRun = {
      platform,
      channelId: channelOf(platform),
      orders: progress.created,
      units: units(platform),
      seconds: r3(seconds),
      // One decimal: Shopify's pull runs at about 2 orders/s, where whole numbers blur the ratios.
      ordersPerSecond: Math.round((progress.created / seconds) * 10) / 10,
      pages: pages.length,
      largestPage: Math.max(0, ...pages),
      platformCallSeconds: r3(platformMs / 1000),
      ingestSeconds: r3(ingestMs / 1000),
      progress,
      simulator: seeded.settings,
    };
    runs.push(run);
    ctx.log(
      `${platform}: ${run.orders.toLocaleString('en')} orders in ${run.seconds} s = ${run.ordersPerSecond} orders/s (${run.pages} pages, largest ${run.largestPage})`,
    );
    if (!progress.done) problems.push(`${platform}: the pull did not finish`);
    if (progress.created !== counts[platform])
      problems.push(
        `${platform}: ${progress.created} orders created of ${counts[platform]} (${JSON.stringify(progress)})`,
      );
  }

  ctx.log('checking: orders per channel, duplicates, allocation, reserved units, invariants');
  for (const run of runs) {
    const count = counts[run.platform];
    const [row] = await sql<{ orders: string; distinct_ids: string; allocated: string; lines: string }>(
      database.url,
      `select count(*) as orders, count(distinct external_id) as distinct_ids,
              count(*) filter (where status = 'ALLOCATED') as allocated,
              (select coalesce(sum(l.quantity), 0) from order_line l join "order" o2 on o2.id = l.order_id where o2.channel_id = $1) as lines
         from "order" where channel_id = $1`,
      [run.channelId],
    );
    const [cursor] = await sql<{ sync_cursor: Date | null }>(
      database.url,
      'select sync_cursor from channel where id = $1',
      [run.channelId],
    );
    if (Number(row!.orders) !== count)
      problems.push(`${run.platform}: ${row!.orders} orders in the database, not ${count}`);
    if (row!.distinct_ids !== row!.orders)
      problems.push(`${run.platform}: ${Number(row!.orders) - Number(row!.distinct_ids)} duplicate external ids`);
    if (Number(row!.allocated) !== count)
      problems.push(`${run.platform}: ${row!.allocated} of ${count} orders ALLOCATED`);
    if (Number(row!.lines) !== run.units)
      problems.push(`${run.platform}: ${row!.lines} units on order lines, not ${run.units}`);
    if (!cursor?.sync_cursor) problems.push(`${run.platform}: the channel's cursor was not advanced`);
  }
  const [reserved] = await sql<{ reserved: string }>(
    database.url,
    'select coalesce(sum(reserved), 0) as reserved from stock_level where location_id = $1',
    [location],
  );
  const wanted = runs.reduce((n, r) => n + r.units, 0);
  if (Number(reserved!.reserved) !== wanted)
    problems.push(`${reserved!.reserved} units reserved at the location, not the ${wanted} ordered`);
  const violations = await checkInvariants(orm.em.fork());
  if (violations.length) problems.push(`invariants: ${JSON.stringify(violations).slice(0, 500)}`);

  const shopify = runs.find((r) => r.platform === 'shopify');
  const results = runs.map((r) => ({
    ...r,
    ratioToShopify:
      shopify && shopify.orders > 0 ? r3(r.orders / r.seconds / (shopify.orders / shopify.seconds)) : null,
  }));
  for (const r of results) ctx.log(`${r.platform}: ${r.ordersPerSecond} orders/s, ×${r.ratioToShopify} Shopify's`);
  return {
    description: `Backfill of ${count} orders per platform (Shopify ${counts.shopify}) from its simulator (in this process) through pullChannelOrders with the real connector at the platform's real page size and the real ingestion (stored, stock reserved, allocated), the cursor advanced; Shopify, Amazon, eBay one after another on the same database and catalogue`,
    setup: {
      orders: `${count} per platform (Shopify ${counts.shopify}), 1–3 lines of 1 unit each from ${SKUS} SKUs stocked at one location serving all three channels; built from the official examples (test/fixtures)`,
      pageSizes: PAGE_SIZES,
      amazonBudget: `searchOrders given ${AMAZON_BENCH_PLAN.rate}/s, burst ${AMAZON_BENCH_PLAN.burst}, NOT Amazon's real ~20 calls/hour: with it, ${Math.ceil(count / PAGE_SIZES.amazon)} pages are 20 at once then one per ~179 s (≈ ${r3((Math.max(0, Math.ceil(count / PAGE_SIZES.amazon) - 20) * 179) / 3600)} h)`,
      orm: 'one ORM in this process, pool of 8',
      ingestion: 'ingestChannelOrders, hold policy: none, batch create on (the default)',
    },
    results,
    problems,
    warnings: [],
  };
}
