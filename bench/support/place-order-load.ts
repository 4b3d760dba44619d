import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import { createTemplateDatabase, createTestDatabase } from '../../test/support/database.js';
import { startPostgres } from '../../test/support/postgres-server.js';
import { startTestServices } from '../../test/support/services.js';
import type { BenchContext } from './benchmark.js';
import { dataOf, graphqlHeaders, postGraphQL } from './graphql-request.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { seedOrdersWithCli } from './seed-orders-cli.js';
import type { VariedLoadSpec } from './varied-load.js';

/**
 * What place-order and memory share: a durable PostgreSQL with ORDERS seeded orders and 10,000
 * SKUs in stock at one location (made through the GraphQL API), an integration key, the api
 * process, and the placeOrder load itself (3 random SKUs per order, a new idempotency key each).
 */
export const SKUS = 10_000;
/** receiveStock's maximum; a 10-minute run at a few thousand orders/s takes a few thousand units per SKU. */
export const STOCK_PER_SKU = 10_000_000;
/** The reference order's unit price (order-3lines-2k.json), in cents. */
export const UNIT_PRICE = 4115;
export const LOCATION_CODE = 'BENCH';
const VARIANTS_PER_PRODUCT = 250; // createProduct's maximum
const RECEIPTS_PER_REQUEST = 10; // aliased receiveStock calls per document (GRAPHQL_MAX_ALIASES is 15)
const SETUP_CONCURRENCY = 8;

export const PLACE_ORDER =
  'mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id number status } }';

/** A whole number ≥ 0 from the environment (0: seed no orders), else the default. */
export function countFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, 0 or more (got "${raw}")`);
  return n;
}

export interface PlaceOrderHub {
  /** The PostgreSQL server (its `postgres` database), for more databases on it. */
  serverUrl: string;
  databaseUrl: string;
  /** Redis the api process uses, for a worker beside it. */
  redisUrl: string;
  /** The api process that is measured: started after setup, so setup is not in its memory. */
  hub: HubProcess;
  /** The integration key the load uses. */
  token: string;
  /** For the report: what was set up and how long it took (never secrets). */
  setup: Record<string, unknown>;
}

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
const address = { name: 'Some One', line1: '1 Bench Street', city: 'London', postalCode: 'N1 1AA', countryCode: 'GB' };

/** One location, SKU-1…SKU-10000 priced 41.15 USD, STOCK_PER_SKU of each received there: all through the API. */
async function seedCatalog(hub: HubProcess, log: (m: string) => void): Promise<{ locationId: string }> {
  const ask = (what: string, query: string, variables?: Record<string, unknown>) =>
    postGraphQL(hub.graphqlUrl, query, { token: hub.adminKey, ...(variables ? { variables } : {}) }).then((r) =>
      dataOf(what, r),
    );
  const location = (
    await ask(
      'createLocation',
      'mutation($input: CreateLocationInput!) { createLocation(input: $input) { id code } }',
      {
        input: { code: LOCATION_CODE, name: 'Bench warehouse', address },
      },
    )
  ).createLocation as { id: string };

  const batches = Array.from({ length: Math.ceil(SKUS / VARIANTS_PER_PRODUCT) }, (_, b) => b);
  await inParallel(batches, SETUP_CONCURRENCY, async (b) => {
    const variants = Array.from({ length: Math.min(VARIANTS_PER_PRODUCT, SKUS - b * VARIANTS_PER_PRODUCT) }, (_, i) => {
      const n = b * VARIANTS_PER_PRODUCT + i + 1;
      return { sku: `SKU-${n}`, title: `Widget ${n}`, priceAmount: UNIT_PRICE, currency: 'USD' };
    });
    await ask('createProduct', 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { title: `Bench widgets ${b + 1}`, variants },
    });
  });
  log(`created ${SKUS.toLocaleString('en')} SKUs; receiving stock`);

  const receipts = Array.from({ length: Math.ceil(SKUS / RECEIPTS_PER_REQUEST) }, (_, r) => r);
  await inParallel(receipts, SETUP_CONCURRENCY, async (r) => {
    const skus = Array.from(
      { length: Math.min(RECEIPTS_PER_REQUEST, SKUS - r * RECEIPTS_PER_REQUEST) },
      (_, i) => `SKU-${r * RECEIPTS_PER_REQUEST + i + 1}`,
    );
    const fields = skus.map(
      (sku, i) =>
        `r${i}: receiveStock(sku: "${sku}", locationId: "${location.id}", quantity: ${STOCK_PER_SKU}, reason: "bench stock") { onHand }`,
    );
    const data = await ask('receiveStock', `mutation { ${fields.join(' ')} }`);
    for (const [alias, level] of Object.entries(data)) {
      if ((level as { onHand: number }).onHand !== STOCK_PER_SKU)
        throw new Error(`receiveStock ${alias} answered ${JSON.stringify(level)}`);
    }
  });
  return { locationId: location.id };
}

/**
 * A throwaway PostgreSQL (fsync on, so commits cost what they cost in production) and Redis,
 * a migrated database with `orders` orders from `switchyard seed-orders`, the catalog and stock
 * made through GraphQL by a first api process, and then the api process to measure.
 */
export async function preparePlaceOrderHub(ctx: BenchContext, orders: number): Promise<PlaceOrderHub> {
  ctx.log('starting PostgreSQL (fsync on) and Redis');
  const postgres = await startPostgres({ durable: true });
  ctx.defer('PostgreSQL', () => postgres.stop());
  // startTestServices and createTestDatabase use this server; only Redis is started here.
  process.env.TEST_DATABASE_URL = postgres.url;
  const services = await startTestServices();
  ctx.defer('Redis', () => services.stop());
  await createTemplateDatabase(postgres.url);
  // The database is not dropped at the end: the whole server is thrown away.
  const database = await createTestDatabase();

  let seedSeconds = 0;
  if (orders > 0) {
    ctx.log(`seeding ${orders.toLocaleString('en')} orders with switchyard seed-orders`);
    const started = Date.now();
    await seedOrdersWithCli(database.url, orders, ctx.log);
    seedSeconds = seconds(started);
  }

  ctx.log(`creating a location and ${SKUS.toLocaleString('en')} SKUs with stock through GraphQL`);
  const catalogStarted = Date.now();
  const setupHub = await startHubProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
  ctx.defer('setup api process', () => setupHub.stop());
  const { locationId } = await seedCatalog(setupHub, ctx.log);
  const key = dataOf(
    'createApiKey',
    await postGraphQL(
      setupHub.graphqlUrl,
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { prefix } } }',
      {
        token: setupHub.adminKey,
        variables: { input: { name: 'benchmark placeOrder', role: 'INTEGRATION', channelId: 'direct' } },
      },
    ),
  ).createApiKey as { key: string; apiKey: { prefix: string } };
  await setupHub.stop();
  const catalogSeconds = seconds(catalogStarted);
  await vacuumAnalyze(database.url);

  ctx.log('starting the api process to measure');
  const hub = await startHubProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
  ctx.defer('api process', () => hub.stop());
  // What the api process runs with: its environment through the same config loader it uses.
  const config = loadConfig({
    ...hub.settings,
    DATABASE_URL: database.url,
    REDIS_URL: services.redisUrl,
    SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const poolMax = config.database.kind === 'postgres' ? config.database.poolMax : undefined;
  return {
    serverUrl: postgres.url,
    databaseUrl: database.url,
    redisUrl: services.redisUrl,
    hub,
    token: key.key,
    setup: {
      postgres: 'throwaway PostgreSQL on loopback, fsync on (test/support/postgres-server.ts, durable)',
      seededOrders: orders,
      seedSeconds,
      catalog: {
        skus: SKUS,
        stockPerSku: STOCK_PER_SKU,
        unitPrice: `${UNIT_PRICE} USD cents`,
        location: LOCATION_CODE,
        locationId,
        how: 'createLocation, createProduct (250 variants each) and receiveStock (10 aliased per request) over GraphQL, on a separate api process stopped before measuring',
        seconds: catalogSeconds,
      },
      hub: {
        command: 'node dist/src/main.js api',
        ...hub.settings,
        DB_POOL_MAX: poolMax,
        otherSettings: 'defaults (DB_POOL_MAX not set, so the default above; no worker or outbox relay: api only)',
        apiKey: { role: 'INTEGRATION', channelId: 'direct', prefix: key.apiKey.prefix },
      },
    },
  };
}

async function vacuumAnalyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}

/** Three different SKUs of SKU-1…SKU-10000, at random. */
function threeSkus(): string[] {
  const skus = new Set<string>();
  while (skus.size < 3) skus.add(`SKU-${1 + Math.floor(Math.random() * SKUS)}`);
  return [...skus];
}

/** A placeOrder body per call: the reference order's customer and address, 3 random SKUs, a new idempotency key. */
export function placeOrderBodies(): () => string {
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  return () =>
    JSON.stringify({
      query: PLACE_ORDER,
      variables: {
        input: {
          idempotencyKey: `bench-${run}-${++seq}`,
          currency: 'USD',
          customer: { email: 'someone@example.com', name: 'Some One' },
          shippingAddress: address,
          lines: threeSkus().map((sku) => ({ sku, quantity: 1 })),
        },
      },
    });
}

/** undefined for a 2xx answer without errors whose order is ALLOCATED; else why not. */
export function checkPlaceOrderAnswer(status: number, body: string): string | undefined {
  type Answer = {
    data?: { placeOrder?: { status?: string } | null } | null;
    errors?: { extensions?: { code?: string } }[];
  } | null;
  let json: Answer;
  try {
    json = JSON.parse(body) as Answer;
  } catch {
    return `HTTP ${status}, not JSON`;
  }
  const code = json?.errors?.[0]?.extensions?.code;
  if (status < 200 || status >= 300) return `HTTP ${status} ${code ?? ''}`.trim();
  if (json?.errors?.length) return `GraphQL error ${code ?? '(no code)'}`;
  const order = json?.data?.placeOrder;
  if (!order) return 'no placeOrder in data';
  return order.status === 'ALLOCATED' ? undefined : `order ${order.status}`;
}

/** The placeOrder load on the api process, with the integration key. */
export function placeOrderLoad(target: PlaceOrderHub, connections: number, durationS: number): VariedLoadSpec {
  return {
    url: target.hub.graphqlUrl,
    headers: graphqlHeaders(target.token),
    makeBody: placeOrderBodies(),
    check: checkPlaceOrderAnswer,
    connections,
    durationS,
  };
}

/** Places one order by hand and fails loudly unless it is ALLOCATED: no point loading a broken path. */
export async function placeOneOrder(target: PlaceOrderHub): Promise<string> {
  const res = await fetch(target.hub.graphqlUrl, {
    method: 'POST',
    headers: graphqlHeaders(target.token),
    body: placeOrderBodies()(),
  });
  const text = await res.text();
  const wrong = checkPlaceOrderAnswer(res.status, text);
  if (wrong) throw new Error(`placeOrder answered wrongly (${wrong}): ${text.slice(0, 500)}`);
  return text;
}

/**
 * Waits until no client session works in the database (every connection idle) for 1 s, or 30 s
 * have passed. When autocannon stops, the requests it leaves in flight still commit: without
 * this they would spill into the next measurement, or change counts while they are checked.
 */
export async function waitForQuiet(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 30_000;
    let quietSince: number | undefined;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid() and state <> 'idle'",
        [database],
      );
      if (Number(rows[0]!.n) > 0) quietSince = undefined;
      else if (quietSince === undefined) quietSince = Date.now();
      else if (Date.now() - quietSince >= 1_000) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

export interface HubStockCheck {
  stockLevels: number;
  /** reserved > on hand, reserved < 0 or on hand < 0: oversold or corrupt. */
  oversoldLevels: number;
  /** Levels whose reserved differs from the sum of their active reservations. */
  levelsNotMatchingReservations: number;
  reservedUnits: number;
  /** The lines of the orders the benchmark placed: units ordered, units allocated, lines whose allocation differs from their active reservations. */
  benchLines: {
    lines: number;
    units: number;
    allocatedUnits: number;
    activeReservedUnits: number;
    linesNotMatchingReservations: number;
  };
  /** Orders the benchmark placed (every order not numbered SEED-n), by status. */
  benchOrdersByStatus: Record<string, number>;
}

/** After the load: no level oversold, reserved equal to the active reservations, the placed orders by status. */
export async function checkHubStock(databaseUrl: string): Promise<HubStockCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // One snapshot for every figure, so they agree with each other.
  const ask = async <R extends pg.QueryResultRow>(text: string) => (await client.query<R>(text)).rows;
  let levels: { levels: string; oversold: string; reserved: string | null } | undefined;
  let mismatch: { n: string } | undefined;
  let byStatus: { status: string; n: string }[];
  let lines: { lines: string; units: string; allocated: string; reserved: string; mismatched: string } | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    [levels] = await ask<NonNullable<typeof levels>>(
      `select count(*) as levels, count(*) filter (where reserved > on_hand or reserved < 0 or on_hand < 0) as oversold,
              sum(reserved) as reserved from stock_level`,
    );
    [mismatch] = await ask<{ n: string }>(
      `select count(*) as n from stock_level s
         left join (select variant_id, location_id, sum(quantity) as q from reservation where status = 'active' group by variant_id, location_id) r
                on r.variant_id = s.variant_id and r.location_id = s.location_id
        where s.reserved <> coalesce(r.q, 0)`,
    );
    byStatus = await ask<{ status: string; n: string }>(
      `select status, count(*) as n from "order" where number not like 'SEED-%' group by status order by status`,
    );
    [lines] = await ask<NonNullable<typeof lines>>(
      `select count(*) as lines, coalesce(sum(l.quantity), 0) as units, coalesce(sum(l.quantity_allocated), 0) as allocated,
              coalesce(sum(r.q), 0) as reserved, count(*) filter (where l.quantity_allocated <> coalesce(r.q, 0)) as mismatched
         from order_line l
         join "order" o on o.id = l.order_id
         left join (select order_line_id, sum(quantity) as q from reservation where status = 'active' group by order_line_id) r on r.order_line_id = l.id
        where o.number not like 'SEED-%'`,
    );
    await client.query('commit');
  } finally {
    await client.end();
  }
  return {
    stockLevels: Number(levels!.levels),
    oversoldLevels: Number(levels!.oversold),
    levelsNotMatchingReservations: Number(mismatch!.n),
    reservedUnits: Number(levels!.reserved ?? 0),
    benchLines: {
      lines: Number(lines!.lines),
      units: Number(lines!.units),
      allocatedUnits: Number(lines!.allocated),
      activeReservedUnits: Number(lines!.reserved),
      linesNotMatchingReservations: Number(lines!.mismatched),
    },
    benchOrdersByStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
  };
}

/** Problems a stock check shows: any oversold level, any level out of step with its reservations, any placed order not ALLOCATED. */
export function hubStockProblems(check: HubStockCheck): string[] {
  const problems: string[] = [];
  if (check.oversoldLevels > 0)
    problems.push(`${check.oversoldLevels} stock levels oversold (reserved > on hand) or negative`);
  if (check.levelsNotMatchingReservations > 0) {
    problems.push(
      `${check.levelsNotMatchingReservations} stock levels whose reserved differs from their active reservations`,
    );
  }
  const { benchLines: l } = check;
  if (l.linesNotMatchingReservations > 0)
    problems.push(
      `${l.linesNotMatchingReservations} placed order lines whose allocated quantity differs from their active reservations`,
    );
  if (l.allocatedUnits !== l.units) problems.push(`placed orders hold ${l.units} units, ${l.allocatedUnits} allocated`);
  if (l.activeReservedUnits !== check.reservedUnits) {
    problems.push(
      `stock levels hold ${check.reservedUnits} reserved units, the placed orders' active reservations ${l.activeReservedUnits}`,
    );
  }
  const notAllocated = Object.entries(check.benchOrdersByStatus).filter(([status]) => status !== 'ALLOCATED');
  if (notAllocated.length > 0) {
    problems.push(`placed orders not ALLOCATED: ${notAllocated.map(([status, n]) => `${n} ${status}`).join(', ')}`);
  }
  return problems;
}

/**
 * Samples how many server connections a database has (the api's pool in use) until `stop()`,
 * which resolves to the most seen; shows the pool size at work rather than as configured.
 */
export async function startConnectionSampler(
  serverUrl: string,
  database: string,
  intervalMs: number,
): Promise<{ stop(): Promise<number> }> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  let max = 0;
  let stopped = false;
  let pending: Promise<unknown> = Promise.resolve();
  const take = () => {
    if (stopped) return;
    pending = client
      .query<{ n: string }>(
        'select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      )
      .then((r) => (max = Math.max(max, Number(r.rows[0]!.n))))
      .catch(() => undefined);
  };
  take();
  const timer = setInterval(() => void pending.then(take), intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pending;
      await client.end();
      return max;
    },
  };
}

/** The database name in a postgres:// URL. */
export function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}
