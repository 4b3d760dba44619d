import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ShopifySimulator } from '../src/connectors/shopify/simulator/shopify-simulator.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { startBenchServices } from './support/bench-services.js';
import { dataOf, postGraphQL } from './support/graphql-request.js';
import { latencyOf } from './support/load.js';
import { countFromEnv } from './support/place-order-load.js';
import { startHubProcess } from './support/hub-process.js';
import { startWorkerProcess } from './support/worker-process.js';

const SKUS = 1_000;
const RATE_PER_S = 100;
const TARGET_P99_MS = 2_000;
const REQUIRED_PUSH_RATIO = 1.01; // pushes ÷ batching optimum
const BATCH_LIMIT = 250; // Shopify: quantities per inventorySetQuantities
const SLICE_MS = 1_000; // CHANNEL_STOCK_PUSH_INTERVAL_MS default
const CHANNEL_ID = 'bench-stock';
const SIM_LOCATION = 'gid://shopify/Location/1';
const IN_FLIGHT = 16;
const SETTLE_MS = 8_000;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

interface Change {
  sku: string;
  /** When the mutation's answer arrived: the change is committed. */
  committedAt: number;
  /** The SKU's available figure after it (the hub's, buffer 0): what the platform must come to hold. */
  value: number;
}

/**
 * Stock propagation from the hub to a (simulated) Shopify store: `receiveStock` of 1 unit at
 * RATE_PER_S changes a second over 1,000 listed SKUs through the api process; one worker runs the
 * outbox relay, the dispatcher and the stock push to the simulator (in this process, whose every
 * level write is recorded with its time). Figures per SKU only rise, so a change has reached the
 * platform at the first recorded write of that SKU at or above its value after its commit.
 */
export async function stockPropagationBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const changesWanted = countFromEnv('BENCH_STOCK_CHANGES', 3_000);
  const { services, database } = await startBenchServices(ctx);
  const encryptionKey = randomBytes(32).toString('base64');
  const urls = { databaseUrl: database.url, redisUrl: services.redisUrl, encryptionKey };

  const sim = new ShopifySimulator({ bucketSize: 1_000, restoreRate: 50 });
  await sim.start();
  ctx.defer('Shopify simulator', () => sim.stop());
  const writes: { at: number; item: string; value: number }[] = [];
  const setLevel = sim.state.setLevel.bind(sim.state);
  let recording = false;
  sim.state.setLevel = (item, location, available) => {
    if (recording) writes.push({ at: Date.now(), item, value: available });
    setLevel(item, location, available);
  };

  ctx.log('starting the api process; catalogue of 1,000 SKUs at one location');
  const hub = await startHubProcess(urls);
  ctx.defer('api process', () => hub.stop());
  const ask = async (what: string, query: string, variables?: Record<string, unknown>) =>
    dataOf(what, await postGraphQL(hub.graphqlUrl, query, { token: hub.adminKey, variables }));
  const location = (
    await ask('createLocation', 'mutation($input: CreateLocationInput!) { createLocation(input: $input) { id } }', {
      input: {
        code: 'STK',
        name: 'Bench stock',
        address: { name: 'Bench', line1: '1 Bench Street', city: 'London', postalCode: 'N1 1AA', countryCode: 'GB' },
      },
    })
  ).createLocation as { id: string };
  const skus = Array.from({ length: SKUS }, (_, i) => `STK-${i + 1}`);
  for (let b = 0; b < SKUS / 250; b++)
    await ask('createProduct', 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: {
        title: `Stock widgets ${b + 1}`,
        variants: skus
          .slice(b * 250, b * 250 + 250)
          .map((sku) => ({ sku, title: sku, priceAmount: 1000, currency: 'USD' })),
      },
    });
  await ask('connectChannel', 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }', {
    input: {
      id: CHANNEL_ID,
      kind: 'SHOPIFY',
      name: 'Bench stock',
      credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: sim.webhookSecret },
    },
  });
  // Listings as a sync would have matched them: each SKU's variant and inventory item on the simulator, at 0.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // The api refuses a plain-http endpoint in production (as it must); the simulator speaks http
    // on loopback, so the bench points the channel at it directly in the row.
    await client.query('update channel set endpoint = $1 where id = $2', [sim.url, CHANNEL_ID]);
    const rows = skus.map((sku) => ({ sku, ...sim.setStock(sku, SIM_LOCATION, 0) }));
    await client.query(
      `insert into channel_listing (channel_id, sku, external_variant_id, external_inventory_item_id, external_location_id, mapped_by, last_pushed_quantity, updated_at)
       select $1, r->>'sku', r->>'variantId', r->>'inventoryItemId', $2, 'auto', 0, now() from jsonb_array_elements($3::jsonb) r`,
      [CHANNEL_ID, SIM_LOCATION, JSON.stringify(rows)],
    );
  } finally {
    await client.end();
  }
  const itemOf = new Map(skus.map((sku) => [sku, sim.state.addVariant(sku).inventoryItemId]));

  ctx.log('starting the worker (outbox relay, dispatcher, stock push)');
  const worker = await startWorkerProcess(urls);
  ctx.defer('worker process', () => worker.stop());

  // The worker's first scheduled pull and reconciliation (which pushes every listed SKU once) run
  // at its start: let them pass, and count only the calls after.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const callsBefore = sim.calls.length;
  ctx.log(`${changesWanted} receiveStock changes at ${RATE_PER_S}/s over ${SKUS} SKUs`);
  recording = true;
  const changes: Change[] = [];
  const failures: string[] = [];
  const started = Date.now();
  let sent = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(changesWanted, Math.floor(((Date.now() - started) * RATE_PER_S) / 1000) + 1);
      while (sent < due && inFlight < IN_FLIGHT) {
        const sku = skus[Math.floor(Math.random() * SKUS)]!;
        sent++;
        inFlight++;
        void postGraphQL(
          hub.graphqlUrl,
          'mutation($sku: String!, $loc: ID!) { receiveStock(sku: $sku, locationId: $loc, quantity: 1, reason: "bench") { available } }',
          { token: hub.adminKey, variables: { sku, loc: location.id } },
        )
          .then((res) => {
            const available = (res.json?.data?.receiveStock as { available?: number } | undefined)?.available;
            if (typeof available === 'number') changes.push({ sku, committedAt: Date.now(), value: available });
            else if (failures.length < 5) failures.push(res.text.slice(0, 200));
          })
          .catch((error: Error) => failures.push(error.message))
          .finally(() => {
            inFlight--;
          });
      }
      if (sent >= changesWanted && inFlight === 0) return resolve();
      setTimeout(tick, 5);
    };
    tick();
  });
  const sendSeconds = (Date.now() - started) / 1000;

  ctx.log('waiting for the simulator to hold every last value (at most 60 s)');
  const finalOf = new Map<string, number>();
  for (const c of changes) finalOf.set(c.sku, Math.max(finalOf.get(c.sku) ?? 0, c.value));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ([...finalOf].every(([sku, v]) => (sim.available(itemOf.get(sku)!, SIM_LOCATION) ?? -1) >= v)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  recording = false;

  const writesOf = new Map<string, { at: number; value: number }[]>();
  for (const w of writes) {
    const list = writesOf.get(w.item) ?? [];
    list.push(w);
    writesOf.set(w.item, list);
  }
  const delays: number[] = [];
  let unseen = 0;
  for (const c of changes) {
    const seen = (writesOf.get(itemOf.get(c.sku)!) ?? []).find((w) => w.at >= c.committedAt && w.value >= c.value);
    if (seen) delays.push(seen.at - c.committedAt);
    else unseen++;
  }
  const latency = latencyOf(delays);
  const pushes = sim.calls
    .slice(callsBefore)
    .filter((c) => c.op.includes('inventorySetQuantities') && !c.throttled && c.status === 200);
  // The optimum: one call per slice for the distinct SKUs changed in it, 250 to a call.
  const perSlice = new Map<number, Set<string>>();
  for (const c of changes) {
    const slice = Math.floor(c.committedAt / SLICE_MS);
    const set = perSlice.get(slice) ?? new Set<string>();
    set.add(c.sku);
    perSlice.set(slice, set);
  }
  const optimum = [...perSlice.values()].reduce((n, set) => n + Math.ceil(set.size / BATCH_LIMIT), 0);
  const per10k = (n: number) => Math.round((n * 10_000) / Math.max(1, changes.length));
  const pushRatio = r3(pushes.length / optimum);
  const mismatched = [...finalOf].filter(([sku, v]) => sim.available(itemOf.get(sku)!, SIM_LOCATION) !== v).length;

  const problems: string[] = [];
  if (failures.length) problems.push(`receiveStock failed: ${failures.join(' | ')}`);
  if (unseen) problems.push(`${unseen} changes never reached the simulator within 60 s`);
  if (mismatched) problems.push(`${mismatched} SKUs end with another figure on the simulator than in the hub`);
  const bucketNegative = sim.calls.filter((c) => (c.bucketAfter ?? 0) < 0).length;
  if (bucketNegative) problems.push(`${bucketNegative} calls left the cost bucket below 0`);
  const met = latency.p99 <= TARGET_P99_MS && pushRatio <= REQUIRED_PUSH_RATIO;
  return {
    description: `Stock propagation: receiveStock at ${RATE_PER_S}/s over ${SKUS} listed SKUs through the api, pushed by one worker to the Shopify simulator; commit → simulator holds the value, and inventorySetQuantities calls against the batching optimum`,
    setup: {
      hub: hub.settings,
      worker: worker.settings,
      simulator: 'in the benchmark process, bucket 1,000, restore 50/s, no faults',
      settle: `${SETTLE_MS} ms after the worker started (its first pull and reconciliation) before the first change; calls counted from then`,
      changes: `${changes.length} of ${changesWanted} sent over ${r3(sendSeconds)} s (${IN_FLIGHT} in flight at most)`,
      sliceMs: SLICE_MS,
    },
    results: [
      {
        changes: changes.length,
        propagationMs: latency,
        pushes: pushes.length,
        optimum,
        pushesPer10kChanges: per10k(pushes.length),
        optimumPer10kChanges: per10k(optimum),
        pushesOverOptimum: pushRatio,
        throttledCalls: sim.calls.filter((c) => c.throttled).length,
      },
    ],
    target: {
      description: `propagation p99 ≤ ${TARGET_P99_MS} ms (p99 ${latency.p99} ms) and pushes ÷ batching optimum ≤ ${REQUIRED_PUSH_RATIO} (the ratio)`,
      ratio: pushRatio,
      required: REQUIRED_PUSH_RATIO,
      met,
    },
    problems,
    warnings: [],
  };
}
