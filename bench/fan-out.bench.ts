import { Redis } from 'ioredis';
import pg from 'pg';
import { eventChannel } from '../src/jobs/outbox-relay.js';
import { createOrm } from '../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../test/support/commerce.js';
import { contextFor } from '../test/support/context.js';
import { startBenchServices } from './support/bench-services.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import {
  startSubscriberProcess,
  type EventDeliveries,
  type ExpectedEvent,
  type SubscriberProcess,
  type SubscriberReport,
  type SubscriberSpec,
} from './support/fan-out-protocol.js';
import { dataOf, postGraphQL } from './support/graphql-request.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { cpuMeter, machineCpuMeter } from './support/process-cpu.js';
import { startWorkerProcess } from './support/worker-process.js';

const TARGET_P99_MS = 100;
const SKU = 'FANOUT-1';
/** QUEUE_PREFIX is left at its default by startHubProcess, so events travel on this channel. */
const STATUS_CHANNEL = eventChannel('{switchyard}', 'order.status_changed');
/** Every subscriber matches this filter: every benchmark order is on the direct channel. */
const SUBSCRIPTION =
  'subscription($filter: OrderStatusChangedFilter) { orderStatusChanged(filter: $filter) { eventId orderId number channelId from to at } }';
const SUBSCRIPTION_VARIABLES = { filter: { channelId: 'direct' } };
const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';
const CANCEL_ORDER =
  'mutation($id: ID!, $input: CancelOrderInput!) { cancelOrder(orderId: $id, input: $input) { id status } }';
const CREATE_KEY =
  'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id prefix role } } }';
/** After the last mutation answered, how long deliveries may take before the missing ones count as lost. */
const DRAIN_TIMEOUT_MS = 15_000;
/** Above this share of a core the subscriber process's own queueing shows in the delivery times. */
const SUBSCRIBER_BUSY_PERCENT = 80;
const OTHER_WORK_LIMIT = 20;

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, integer = true): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'whole ' : ''}number (got "${raw}")`);
  }
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const round = (n: number) => Math.round(n * 10) / 10;

interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p99: round(at(99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    min: round(sorted[0] ?? Number.NaN),
    mean: round(mean),
  };
}

type Op = { kind: 'place'; order: number } | { kind: 'cancel'; order: number };

interface OpRecord {
  kind: Op['kind'];
  order: number;
  orderId: string | undefined;
  /** Wall clock (Date.now()) when the request was handed to fetch, and when its answer had arrived. */
  sentMs: number;
  responseMs: number;
  status: string | undefined;
  error: string | undefined;
}

/**
 * Place orders and cancel each one after the next has been placed (place 0, place 1, cancel 0,
 * place 2, cancel 1, …): every order gets status changes from two transactions, so order per
 * order is checked across commits, not only within one.
 */
function opsFor(orders: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < orders; i++) {
    ops.push({ kind: 'place', order: i });
    if (i > 0) ops.push({ kind: 'cancel', order: i - 1 });
  }
  if (orders > 0) ops.push({ kind: 'cancel', order: orders - 1 });
  return ops;
}

/**
 * Sends `ops` at a steady pace (open loop: the k-th is sent at start + k/rate whether or not
 * earlier ones have answered), to the api processes in turn. A cancel waits for its order's
 * placement to have answered (it needs the id).
 */
async function drive(ops: Op[], rate: number, hubs: HubProcess[], token: string, label: string): Promise<OpRecord[]> {
  const interval = 1000 / rate;
  const placed = new Map<number, Promise<string | undefined>>();
  const records: Promise<OpRecord>[] = [];
  const start = performance.now() + 20;
  for (let k = 0; k < ops.length; k++) {
    await sleep(start + k * interval - performance.now());
    const op = ops[k]!;
    const hub = hubs[k % hubs.length]!;
    const run = async (): Promise<OpRecord> => {
      let orderId: string | undefined;
      let query: string;
      let variables: Record<string, unknown>;
      if (op.kind === 'place') {
        query = PLACE_ORDER;
        variables = {
          input: {
            channelId: 'direct',
            idempotencyKey: `${label}-${op.order}`,
            currency: 'USD',
            customer: { email: `fanout-${label}-${op.order}@example.com` },
            shippingAddress: ADDRESS,
            lines: [{ sku: SKU, quantity: 1 }],
          },
        };
      } else {
        orderId = await placed.get(op.order);
        if (orderId === undefined)
          return { ...op, orderId, sentMs: Date.now(), responseMs: Date.now(), status: undefined, error: 'not placed' };
        query = CANCEL_ORDER;
        variables = { id: orderId, input: { reason: 'fan-out benchmark' } };
      }
      const sentMs = Date.now();
      try {
        const res = await postGraphQL(hub.graphqlUrl, query, { token, variables });
        const responseMs = Date.now();
        const data = res.json?.data?.[op.kind === 'place' ? 'placeOrder' : 'cancelOrder'] as
          { id: string; status: string } | undefined;
        const error =
          res.status !== 200 || !data || res.json?.errors?.length
            ? `HTTP ${res.status} ${res.text.slice(0, 300)}`
            : undefined;
        return { ...op, orderId: data?.id ?? orderId, sentMs, responseMs, status: data?.status, error };
      } catch (e) {
        return { ...op, orderId, sentMs, responseMs: Date.now(), status: undefined, error: (e as Error).message };
      }
    };
    const record = run();
    if (op.kind === 'place')
      placed.set(
        op.order,
        record.then((r) => (r.error ? undefined : r.orderId)),
      );
    records.push(record);
  }
  return Promise.all(records);
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The event loop lag p99 and max an api process's /metrics reports since the previous scrape (prom-client resets it). */
async function eventLoopLag(hub: HubProcess): Promise<{ p99Ms: number; maxMs: number } | undefined> {
  try {
    const text = await (await fetch(`${hub.baseUrl}/metrics`)).text();
    const read = (name: string) =>
      Number(new RegExp(`^switchyard_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm').exec(text)?.[1]);
    return { p99Ms: round(read('p99') * 1000), maxMs: round(read('max') * 1000) };
  } catch {
    return undefined;
  }
}

/** Sums the reports of several subscriber processes: per event, the earliest first and the latest last delivery. */
function merge(reports: SubscriberReport[]) {
  const events = new Map<number, EventDeliveries>();
  for (const r of reports) {
    for (const e of r.events) {
      const m = events.get(e.id);
      if (!m) events.set(e.id, { ...e });
      else {
        m.subscribers += e.subscribers;
        m.duplicates += e.duplicates;
        m.firstMs = Math.min(m.firstMs, e.firstMs);
        m.lastMs = Math.max(m.lastMs, e.lastMs);
      }
    }
  }
  const sum = (f: (r: SubscriberReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  return {
    events,
    missingDeliveries: sum((r) => r.missingDeliveries),
    subscribersMissingEvents: sum((r) => r.subscribersMissingEvents),
    duplicateDeliveries: sum((r) => r.duplicateDeliveries),
    outOfOrderDeliveries: sum((r) => r.outOfOrderDeliveries),
    subscribersOutOfOrder: sum((r) => r.subscribersOutOfOrder),
    inconsistentPayloads: sum((r) => r.inconsistentPayloads),
    unexpectedEvents: sum((r) => r.unexpectedEvents),
    errors: sum((r) => r.errors),
    ended: sum((r) => r.ended),
    examples: reports.flatMap((r) => r.examples).slice(0, 10),
    eventLoopDelayMs: reports.map((r) => r.eventLoopDelayMs),
  };
}

/**
 * Subscription fan-out: BENCH_SUBSCRIBERS graphql-ws subscribers of orderStatusChanged, spread
 * over BENCH_API_PROCESSES `switchyard api` processes, with a `switchyard worker` running the
 * outbox relay, while orders are placed and cancelled through GraphQL at a steady pace; for
 * each committed status change, the time until the last subscriber had it.
 */
export async function fanOutBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const env = process.env;
  const subscriberCount = envNumber(env, 'BENCH_SUBSCRIBERS', 1000);
  const orders = envNumber(env, 'BENCH_FANOUT_ORDERS', 200);
  const rate = envNumber(env, 'BENCH_FANOUT_RATE', 5, false);
  const apiCount = envNumber(env, 'BENCH_API_PROCESSES', 2);
  const subscriberProcessCount = Math.min(envNumber(env, 'BENCH_SUBSCRIBER_PROCESSES', 1), subscriberCount);

  const { services, database } = await startBenchServices(ctx);

  // Stock to sell, written straight to the database as the e2e subscription test does.
  const orm = await createOrm({ kind: 'postgres', url: database.url, poolMax: 2 });
  try {
    const location = (await createLocations(contextFor(orm.em), [{ code: 'FANOUT' }])).FANOUT!;
    await createSku(contextFor(orm.em), SKU);
    await stock(contextFor(orm.em), SKU, location, 10_000_000);
  } finally {
    await orm.close(true);
  }

  ctx.log(`starting ${apiCount} api process(es) and a worker (the outbox relay runs in the worker role)`);
  const worker = await startWorkerProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
  ctx.defer('worker process', () => worker.stop());
  const hubs: HubProcess[] = [];
  for (let i = 0; i < apiCount; i++) {
    const hub = await startHubProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
    ctx.defer(`api process ${i + 1}`, () => hub.stop());
    hubs.push(hub);
  }
  const admin = hubs[0]!;

  ctx.log(`creating 1 ops key and ${subscriberCount} read_only keys`);
  const createKey = async (name: string, role: string) => {
    const res = await postGraphQL(admin.graphqlUrl, CREATE_KEY, {
      token: admin.adminKey,
      variables: { input: { name, role } },
    });
    return (dataOf('createApiKey', res).createApiKey as { key: string }).key;
  };
  const driverKey = await createKey('fan-out driver', 'OPS');
  const subscriberKeys: string[] = new Array<string>(subscriberCount);
  let nextKey = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nextKey < subscriberCount) {
        const i = nextKey++;
        subscriberKeys[i] = await createKey(`fan-out subscriber ${i}`, 'READ_ONLY');
      }
    }),
  );

  // Every publish of the relay as a Redis subscriber sees it: the moment fan-out starts.
  const tap = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  ctx.defer('redis tap', () => tap.quit().catch(() => tap.disconnect()));
  await tap.connect();
  const published = new Map<number, number>();
  let republished = 0;
  tap.on('message', (_channel: string, text: string) => {
    const now = Date.now();
    const id = Number((JSON.parse(text) as { id: unknown }).id);
    if (published.has(id)) republished++;
    else published.set(id, now);
  });
  await tap.subscribe(STATUS_CHANNEL);

  ctx.log(`connecting ${subscriberCount} graphql-ws subscribers in ${subscriberProcessCount} process(es)`);
  const specs: SubscriberSpec[] = subscriberKeys.map((key, i) => ({
    url: `${hubs[i % apiCount]!.baseUrl.replace('http', 'ws')}/graphql`,
    key,
  }));
  const children: SubscriberProcess[] = [];
  for (let p = 0; p < subscriberProcessCount; p++) {
    const child = startSubscriberProcess();
    ctx.defer(`subscriber process ${p + 1}`, () => child.stop());
    children.push(child);
  }
  const connected = await Promise.all(
    children.map((child, p) =>
      child.request({
        type: 'connect',
        subscribers: specs.filter((_s, i) => i % subscriberProcessCount === p),
        query: SUBSCRIPTION,
        variables: SUBSCRIPTION_VARIABLES,
        concurrency: 25,
      }),
    ),
  );
  const failures = connected.flatMap((c) => c.failures);
  if (failures.length) throw new Error(`subscribers could not connect:\n  ${failures.join('\n  ')}`);
  const progress = async () => {
    const all = await Promise.all(children.map((c) => c.request({ type: 'progress' })));
    return all.reduce((a, p) => ({
      subscribers: a.subscribers + p.subscribers,
      live: a.live + p.live,
      deliveries: a.deliveries + p.deliveries,
      errors: a.errors + p.errors,
      ended: a.ended + p.ended,
    }));
  };

  // An api process subscribes to Redis asynchronously: place orders until every subscriber has had an event.
  ctx.log('warm-up: placing orders until every subscriber has received an event');
  const liveDeadline = Date.now() + 60_000;
  let warmups = 0;
  for (;;) {
    const p = await progress();
    if (p.errors || p.ended) throw new Error(`subscriptions failed during warm-up: ${JSON.stringify(p)}`);
    if (p.live === subscriberCount) break;
    if (Date.now() > liveDeadline)
      throw new Error(`only ${p.live} of ${subscriberCount} subscribers received an event within 60 s`);
    const [record] = await drive([{ kind: 'place', order: warmups++ }], 1, hubs, driverKey, 'live');
    if (record?.error) throw new Error(`warm-up placeOrder failed: ${record.error}`);
    await sleep(250);
  }
  const warmupOrders = Math.max(1, Math.round((ctx.settings.warmupS * rate) / 2));
  ctx.log(`warm-up: ${warmupOrders} order(s) placed and cancelled at ${rate} mutations/s, not recorded`);
  const warm = await drive(opsFor(warmupOrders), rate, hubs, driverKey, 'warmup');
  const warmError = warm.find((r) => r.error);
  if (warmError) throw new Error(`warm-up mutation failed: ${warmError.error}`);
  // Let the warm-up's events drain before the clocks start.
  let before = -1;
  for (let i = 0; i < 40; i++) {
    await sleep(250);
    const p = await progress();
    if (p.deliveries === before) break;
    before = p.deliveries;
  }

  const ops = opsFor(orders);
  ctx.log(`measuring: ${orders} orders placed and cancelled (${ops.length} mutations) at ${rate} mutations/s`);
  await Promise.all(hubs.map(eventLoopLag));
  await Promise.all(children.map((c) => c.request({ type: 'startMeasure' })));
  const meters = {
    api: hubs.map((h) => cpuMeter(h.pid)),
    worker: cpuMeter(worker.pid),
    subscribers: children.map((c) => cpuMeter(c.pid)),
    benchmark: cpuMeter(process.pid),
    machine: machineCpuMeter(),
  };
  const measureStart = Date.now();
  const records = await drive(ops, rate, hubs, driverKey, 'run');
  const lastResponse = Math.max(...records.map((r) => r.responseMs));

  const orderIds = [...new Set(records.map((r) => r.orderId).filter((id): id is string => id !== undefined))];
  const eventsInDb = () =>
    query<{ id: string; order_id: string; to_status: string; at: string; claimed_ms: number | null }>(
      database.url,
      `select id, aggregate_id as order_id, payload->>'to' as to_status, payload->>'at' as at,
              (extract(epoch from published_at) * 1000)::float8 as claimed_ms
         from outbox_event where topic = 'order.status_changed' and aggregate_id = any($1::text[]) order by id`,
      [orderIds],
    );
  let dbEvents = await eventsInDb();
  const expected: ExpectedEvent[] = dbEvents.map((e) => ({ id: Number(e.id), orderId: e.order_id }));

  ctx.log(`waiting for ${expected.length} events to reach ${subscriberCount} subscribers`);
  let merged = merge(await Promise.all(children.map((c) => c.request({ type: 'report', expected }))));
  while (merged.missingDeliveries > 0 && Date.now() < lastResponse + DRAIN_TIMEOUT_MS) {
    await sleep(250);
    merged = merge(await Promise.all(children.map((c) => c.request({ type: 'report', expected }))));
  }
  // Read again once delivered, for published_at (the relay marks rows in the transaction that publishes them).
  dbEvents = await eventsInDb();
  const lastDelivery = Math.max(...[...merged.events.values()].map((e) => e.lastMs), lastResponse);
  const cpuPercent = {
    apiProcesses: meters.api.map((m) => m()),
    worker: meters.worker(),
    subscriberProcesses: meters.subscribers.map((m) => m()),
    benchmarkProcess: meters.benchmark(),
    wholeMachine: meters.machine(),
  };
  const windowS = (Date.now() - measureStart) / 1000;
  const apiEventLoopLagMs = await Promise.all(hubs.map(eventLoopLag));

  // Which mutation committed each event: a placement, or the later cancellation (its CANCELLED change).
  const opOf = (orderId: string, to: string) =>
    records.find((r) => r.orderId === orderId && r.kind === (to === 'CANCELLED' ? 'cancel' : 'place'));
  // The best server timestamp of a commit is the `at` of the last status change its transaction made:
  // the commit follows it by the transaction's last flush and COMMIT only.
  const commitStamp = new Map<string, number>();
  for (const e of dbEvents) {
    const key = `${e.order_id}:${e.to_status === 'CANCELLED' ? 'cancel' : 'place'}`;
    commitStamp.set(key, Math.max(commitStamp.get(key) ?? 0, Date.parse(e.at)));
  }

  const problems: string[] = [];
  const warnings: string[] = [];
  const series = {
    lastFromCommitStamp: [] as number[],
    lastFromResponse: [] as number[],
    lastFromRequestSent: [] as number[],
    lastFromRedisPublish: [] as number[],
    firstFromCommitStamp: [] as number[],
    firstFromResponse: [] as number[],
    firstFromRedisPublish: [] as number[],
    commitStampToRedisPublish: [] as number[],
    lastFromRelayClaim: [] as number[],
    commitStampToRelayClaim: [] as number[],
    deliverySpread: [] as number[],
  };
  let payloadMismatches = 0;
  let neverDelivered = 0;
  let notSeenOnRedis = 0;
  for (const e of dbEvents) {
    const id = Number(e.id);
    const d = merged.events.get(id);
    if (!d) {
      neverDelivered++;
      continue;
    }
    if (d.orderId !== e.order_id || d.to !== e.to_status || d.at !== e.at) payloadMismatches++;
    const op = opOf(e.order_id, e.to_status);
    const stamp = commitStamp.get(`${e.order_id}:${e.to_status === 'CANCELLED' ? 'cancel' : 'place'}`)!;
    const pub = published.get(id);
    series.lastFromCommitStamp.push(d.lastMs - stamp);
    series.firstFromCommitStamp.push(d.firstMs - stamp);
    series.deliverySpread.push(d.lastMs - d.firstMs);
    if (op) {
      series.lastFromResponse.push(d.lastMs - op.responseMs);
      series.lastFromRequestSent.push(d.lastMs - op.sentMs);
      series.firstFromResponse.push(d.firstMs - op.responseMs);
    }
    if (e.claimed_ms !== null) {
      series.lastFromRelayClaim.push(d.lastMs - e.claimed_ms);
      series.commitStampToRelayClaim.push(e.claimed_ms - stamp);
    }
    if (pub === undefined) notSeenOnRedis++;
    else {
      series.lastFromRedisPublish.push(d.lastMs - pub);
      series.firstFromRedisPublish.push(d.firstMs - pub);
      series.commitStampToRedisPublish.push(pub - stamp);
    }
  }

  const failed = records.filter((r) => r.error);
  if (failed.length)
    problems.push(
      `${failed.length} of ${records.length} mutations failed, e.g. ${failed[0]!.kind} order ${failed[0]!.order}: ${failed[0]!.error}`,
    );
  const notCancelled = records.filter((r) => r.kind === 'cancel' && !r.error && r.status !== 'CANCELLED').length;
  if (notCancelled) problems.push(`${notCancelled} cancelOrder answers were not CANCELLED`);
  if (expected.length === 0) problems.push('the database lists no status changes for the measured orders');
  const expectedDeliveries = expected.length * subscriberCount;
  if (merged.missingDeliveries)
    problems.push(
      `lost: ${merged.missingDeliveries} of ${expectedDeliveries} deliveries never arrived within ${DRAIN_TIMEOUT_MS / 1000} s of the last mutation (${merged.subscribersMissingEvents} subscribers affected; ${neverDelivered} events reached nobody)`,
    );
  if (merged.duplicateDeliveries)
    problems.push(`duplicates: ${merged.duplicateDeliveries} deliveries of an event a subscriber already had`);
  if (merged.outOfOrderDeliveries)
    problems.push(
      `out of order: ${merged.outOfOrderDeliveries} deliveries (${merged.subscribersOutOfOrder} subscribers) arrived after a later event of the same order`,
    );
  if (merged.inconsistentPayloads)
    problems.push(`${merged.inconsistentPayloads} deliveries differed from another copy of the same event`);
  if (payloadMismatches)
    problems.push(`${payloadMismatches} events arrived with an orderId, to or at other than the outbox row's`);
  if (merged.unexpectedEvents)
    problems.push(`${merged.unexpectedEvents} events of the measured orders are not in the outbox`);
  if (merged.errors || merged.ended)
    problems.push(`${merged.errors} subscription errors, ${merged.ended} subscriptions ended by the server`);
  if (problems.length && merged.examples.length) problems.push(`examples: ${merged.examples.join(' | ')}`);

  for (const [i, c] of cpuPercent.subscriberProcesses.entries()) {
    if (c !== undefined && c >= SUBSCRIBER_BUSY_PERCENT)
      warnings.push(
        `subscriber process ${i + 1} used ${c}% of a core: its own queueing is part of the last-delivery times; try BENCH_SUBSCRIBER_PROCESSES=2`,
      );
  }
  const known = [
    ...cpuPercent.apiProcesses,
    cpuPercent.worker,
    ...cpuPercent.subscriberProcesses,
    cpuPercent.benchmarkProcess,
  ];
  if (known.every((c) => c !== undefined)) {
    const other = cpuPercent.wholeMachine - known.reduce((a: number, c) => a + c!, 0);
    if (other > OTHER_WORK_LIMIT)
      warnings.push(
        `processes other than the hub's, the subscribers' and the benchmark's used about ${other}% of a core (PostgreSQL and Redis count here)`,
      );
  }
  if (subscriberCount < 1000)
    warnings.push(`only ${subscriberCount} subscribers: the target is stated for 1,000, so it counts as not met`);
  const tapLate = series.firstFromRedisPublish.filter((ms) => ms < 0).length;
  if (tapLate)
    warnings.push(
      `for ${tapLate} events a subscriber had the event before the benchmark process's Redis tap noticed the publish (its event loop was held up): the "from Redis publish" figures understate those events`,
    );
  if (notSeenOnRedis)
    warnings.push(`${notSeenOnRedis} events were not seen on the Redis tap; their fan-out-only figures are missing`);

  const lastFromStamp = distribution(series.lastFromCommitStamp);
  const required = TARGET_P99_MS;
  const received = expectedDeliveries - merged.missingDeliveries;
  return {
    description: `${subscriberCount} graphql-ws subscribers of orderStatusChanged on ${apiCount} api process(es), outbox relay in a worker process; ${orders} orders placed and cancelled through GraphQL at ${rate} mutations/s; per committed status change, the time until the last (and the first) subscriber had it.`,
    setup: {
      processes: {
        api: {
          count: apiCount,
          command: 'node dist/src/main.js api',
          ...admin.settings,
          otherSettings: 'defaults (DB_POOL_MAX 10, QUEUE_PREFIX {switchyard})',
        },
        worker: {
          command: 'node dist/src/main.js worker',
          note: 'runs the outbox relay (OutboxRelay defaults: batch 500, 50 ms after a publishing pass, backing off to 500 ms when idle)',
          ...worker.settings,
        },
        subscribers: {
          processes: subscriberProcessCount,
          client: 'graphql-ws 6 createClient over ws, one socket and one subscription each',
        },
      },
      subscribers: subscriberCount,
      subscribersPerApiProcess: hubs.map((_h, i) => specs.filter((_s, j) => j % apiCount === i).length),
      apiKeys: `one read_only key per subscriber (connection_init authorization), one ops key for the mutations`,
      subscription: { query: SUBSCRIPTION, variables: SUBSCRIPTION_VARIABLES },
      load: {
        orders,
        mutations: ops.length,
        mutationsPerSecond: rate,
        pattern:
          'place 0, place 1, cancel 0, place 2, cancel 1, …: open loop, one every 1/rate s, to the api processes in turn',
        placeOrder: '1 line, SKU with ample stock: PENDING→CONFIRMED→PAYMENT_AUTHORIZED→ALLOCATED in one transaction',
        cancelOrder: 'ALLOCATED→CANCELLED in its own transaction',
      },
      warmup: { ordersUntilEverySubscriberWasLive: warmups, ordersAtPace: warmupOrders },
      timing: {
        clock:
          'Date.now() everywhere (1 ms resolution); hub, PostgreSQL, subscribers and benchmark share one machine clock',
        commitStamp:
          'the payload `at` (server time in the api process, taken when the transition is made) of the LAST status change of the same transaction; the transaction commits after it (final flush + COMMIT), so figures "from commit stamp" slightly overstate commit→delivery',
        fromResponse:
          'from the moment the mutation answer arrived: the commit happened before it, so these understate commit→delivery',
        fromRequestSent: 'from the moment the mutation was sent: an upper bound',
        fromRelayClaim:
          "from the outbox row's published_at (now() of the relay transaction that claimed, published and marked it; PostgreSQL's clock, the same machine's): the relay's polling delay is before it",
        fromRedisPublish:
          'from the moment a Redis subscriber in the benchmark process saw the relay publish it: the hub fan-out alone (late when the benchmark process is held up)',
      },
      services: 'throwaway PostgreSQL (fsync off) and redis-server on loopback, from test/support/services.ts',
    },
    results: [
      {
        subscribers: subscriberCount,
        events: expected.length,
        mutations: records.length,
        windowS: round(windowS),
        lastDeliveryMs: {
          fromCommitStamp: lastFromStamp,
          fromResponse: distribution(series.lastFromResponse),
          fromRequestSent: distribution(series.lastFromRequestSent),
          fromRelayClaim: distribution(series.lastFromRelayClaim),
          fromRedisPublish: distribution(series.lastFromRedisPublish),
        },
        firstDeliveryMs: {
          fromCommitStamp: distribution(series.firstFromCommitStamp),
          fromResponse: distribution(series.firstFromResponse),
          fromRedisPublish: distribution(series.firstFromRedisPublish),
        },
        relay: {
          commitStampToRelayClaimMs: distribution(series.commitStampToRelayClaim),
          commitStampToRedisPublishMs: distribution(series.commitStampToRedisPublish),
        },
        firstToLastDeliveryMs: distribution(series.deliverySpread),
        mutationLatencyMs: distribution(records.filter((r) => !r.error).map((r) => r.responseMs - r.sentMs)),
        deliveries: {
          expected: expectedDeliveries,
          received,
          missing: merged.missingDeliveries,
          duplicates: merged.duplicateDeliveries,
          outOfOrder: merged.outOfOrderDeliveries,
          redisRepublished: republished,
        },
        lastDeliveryAfterLastResponseMs: lastDelivery - lastResponse,
        cpuPercent,
        eventLoopDelayMs: { apiProcesses: apiEventLoopLagMs, subscriberProcesses: merged.eventLoopDelayMs },
      },
    ],
    target: {
      description: `p99 over events of commit → last subscriber's delivery ≤ ${TARGET_P99_MS} ms with ${subscriberCount} subscribers, commit taken as the payload's \`at\` stamp (ratio = target ÷ p99; ≥ 1 meets it)`,
      ratio: Math.round((required / lastFromStamp.p99) * 1000) / 1000,
      required: 1,
      met: lastFromStamp.p99 <= TARGET_P99_MS && subscriberCount >= 1000,
    },
    problems,
    warnings,
  };
}
