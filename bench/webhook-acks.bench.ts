import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { startBenchServices } from './support/bench-services.js';
import { dataOf, postGraphQL } from './support/graphql-request.js';
import { startHubProcess } from './support/hub-process.js';
import { checkFloorAnswer, startIngestFloorProcess } from './support/ingest-floor-process.js';
import { loadWarning } from './support/load.js';
import { referenceDir } from './support/pgbench.js';
import { measureVariedLoad, variedLoadProblem, type VariedLoadFigures } from './support/varied-load.js';
import { measureWrkLoad, wrkVersion } from './support/wrk-load.js';

const CONNECTIONS = 50;
const REQUIRED_FLOOR_RATIO = 1.0; // hub acks/s ÷ floor orders/s at 50 senders
const TARGET_P99_MS = 50; // hub ack p99 at 50 senders
const FLOOR_DATABASE = 'ingest_floor';
const CHANNEL_ID = 'bench-shop';
/** The official orders/create payload kept in test/fixtures (from dist/bench/). */
const FIXTURE =
  process.env.BENCH_SHOPIFY_FIXTURE ??
  new URL('../../test/fixtures/shopify/orders-create.json', import.meta.url).pathname;

interface Row extends VariedLoadFigures {
  server: 'hub webhook inbox' | 'ingest-floor';
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function checkAck(status: number, body: string): string | undefined {
  if (status !== 200) return `HTTP ${status}`;
  try {
    const json = JSON.parse(body) as { status?: string };
    return json.status === 'accepted' ? undefined : `status ${json.status}`;
  } catch {
    return 'not JSON';
  }
}

async function count(url: string, statement: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(statement)).rows[0]!.n);
  } finally {
    await client.end();
  }
}

/**
 * Signed Shopify `orders/create` deliveries (the fixture's order, signed as Shopify signs: base64
 * HMAC-SHA256 of the raw body under the channel's webhook secret; a new X-Shopify-Event-Id per
 * request, so each is a new delivery) to `POST /webhooks/<channel>` of the api process, against
 * the Node ingest floor (node:http + pg: order + 3 lines + 1 reservation) on the same PostgreSQL
 * server, both at 50 concurrent senders, floor first. The api runs alone (no worker): an ack is
 * verify + store + enqueue, which is what the platform waits for; processing is a job.
 */
export async function webhookAcksBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const refs = referenceDir();
  if (!refs) throw new Error('../shared/bench-reference (http-ingest.mjs) not found: the floor of this benchmark');
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { response?: unknown };
  const rawBody = JSON.stringify(fixture.response ?? fixture);
  const { services, database } = await startBenchServices(ctx);
  ctx.log('starting the api process');
  const hub = await startHubProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
  ctx.defer('api process', () => hub.stop());
  const webhookSecret = randomBytes(24).toString('hex');
  dataOf(
    'connectChannel',
    await postGraphQL(
      hub.graphqlUrl,
      `mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }`,
      {
        token: hub.adminKey,
        variables: {
          input: {
            id: CHANNEL_ID,
            kind: 'SHOPIFY',
            name: 'Bench shop',
            credentials: { shopDomain: 'bench-shop.myshopify.com', accessToken: 'shpat_bench', webhookSecret },
          },
        },
      },
    ),
  );
  const hmac = createHmac('sha256', webhookSecret).update(rawBody).digest('base64');
  let sequence = 0;
  const runId = randomBytes(4).toString('hex');
  const headers = () => ({
    'content-type': 'application/json',
    'x-shopify-topic': 'orders/create',
    'x-shopify-hmac-sha256': hmac,
    'x-shopify-shop-domain': 'bench-shop.myshopify.com',
    'x-shopify-api-version': '2026-04',
    'x-shopify-webhook-id': `wh-${runId}-${sequence}`,
    'x-shopify-event-id': `ev-${runId}-${sequence++}`,
    'x-shopify-triggered-at': new Date().toISOString(),
  });
  const webhookUrl = `${hub.baseUrl}/webhooks/${CHANNEL_ID}`;
  const first = await fetch(webhookUrl, { method: 'POST', headers: headers(), body: rawBody });
  const firstBody = await first.text();
  if (checkAck(first.status, firstBody)) throw new Error(`first delivery: HTTP ${first.status} ${firstBody}`);

  ctx.log('starting the ingest floor');
  const floor = await startIngestFloorProcess(refs, services.databaseUrl, FLOOR_DATABASE);
  ctx.defer('ingest floor process', () => floor.stop());

  const { durationS, warmupS } = ctx.settings;
  // wrk where installed (a few per cent of a core), else autocannon (about a quarter): the same
  // generator for both rows of a run.
  const wrk = process.env.BENCH_LOAD_GENERATOR === 'autocannon' ? undefined : wrkVersion();
  const generator = wrk ? `${wrk}, 1 thread` : 'autocannon (in the bench process)';
  const results: Row[] = [];
  ctx.log(`ingest floor: ${CONNECTIONS} connections, ${warmupS} s warm-up + ${durationS} s, ${generator}`);
  results.push({
    server: 'ingest-floor',
    ...(wrk
      ? await measureWrkLoad(
          {
            url: floor.ordersUrl,
            headers: { 'content-type': 'application/json' },
            body: floor.body,
            expectStatus: 201,
            expectText: '"reserved":true',
            deliveryIdPrefix: null,
            connections: CONNECTIONS,
            durationS,
          },
          warmupS,
          floor.pid,
        )
      : await measureVariedLoad(
          {
            url: floor.ordersUrl,
            headers: { 'content-type': 'application/json' },
            makeBody: () => floor.body,
            check: checkFloorAnswer,
            connections: CONNECTIONS,
            durationS,
          },
          warmupS,
          floor.pid,
        )),
  });
  ctx.log(`hub webhook inbox: ${CONNECTIONS} connections, ${warmupS} s warm-up + ${durationS} s, ${generator}`);
  const before = sequence;
  let answered: number;
  if (wrk) {
    const figures = await measureWrkLoad(
      {
        url: webhookUrl,
        headers: headers(),
        body: rawBody,
        expectStatus: 200,
        expectText: '"accepted"',
        deliveryIdPrefix: `${runId}-`,
        connections: CONNECTIONS,
        durationS,
      },
      warmupS,
      hub.pid,
    );
    answered = figures.answeredWithWarmup;
    results.push({ server: 'hub webhook inbox', ...figures });
  } else {
    results.push({
      server: 'hub webhook inbox',
      ...(await measureVariedLoad(
        {
          url: webhookUrl,
          headers: headers(),
          makeBody: () => rawBody,
          makeHeaders: headers,
          check: checkAck,
          connections: CONNECTIONS,
          durationS,
        },
        warmupS,
        hub.pid,
      )),
    });
    answered = sequence - before;
  }

  const problems: string[] = [];
  const warnings: string[] = [];
  for (const row of results) {
    const problem = variedLoadProblem(row.server, row);
    if (problem) problems.push(problem);
    const warning = loadWarning(row.server, row);
    if (warning) warnings.push(`${warning} (PostgreSQL's and Redis's own CPU count as "other" here)`);
  }
  // Every acknowledged delivery must be stored, once (+ 1: the first, sent before the runs). A
  // request still in flight when a run stopped may be stored unanswered: at most CONNECTIONS a run.
  const stored = await count(
    database.url,
    `select count(*) as n from webhook_delivery where channel_id = '${CHANNEL_ID}'`,
  );
  const acked = answered + 1;
  if (stored < acked - (wrk ? 0 : CONNECTIONS) || stored > acked + 2 * CONNECTIONS)
    problems.push(
      `stored ${stored} deliveries for ${acked} answered (at most ${CONNECTIONS} in flight at each run's end)`,
    );

  const hubRow = results.find((r) => r.server === 'hub webhook inbox')!;
  const floorRow = results.find((r) => r.server === 'ingest-floor')!;
  const ratio = r3(hubRow.requestsPerSecond / floorRow.requestsPerSecond);
  const p99 = hubRow.latencyMs.p99;
  const met = ratio >= REQUIRED_FLOOR_RATIO && p99 <= TARGET_P99_MS;
  return {
    description: `Webhook acks/s of POST /webhooks/<channel> (signed Shopify orders/create, verify + store + enqueue) at ${CONNECTIONS} senders, against the Node ingest floor at ${CONNECTIONS} clients`,
    setup: {
      hub: { ...hub.settings, role: 'api (no worker: processing is not measured)' },
      floor: floor.settings,
      body: `${FIXTURE} "response" (${Buffer.byteLength(rawBody)} bytes), signed once; a new X-Shopify-Event-Id per request`,
      storedDeliveries: stored,
      loadGenerator: generator,
    },
    results: [...results, { hubOverFloor: ratio, hubAckP99Ms: p99 }],
    target: {
      description: `hub acks/s ÷ floor orders/s at ${CONNECTIONS} senders ≥ ${REQUIRED_FLOOR_RATIO} and ack p99 ≤ ${TARGET_P99_MS} ms (p99 ${p99} ms)`,
      ratio,
      required: REQUIRED_FLOOR_RATIO,
      met,
    },
    problems,
    warnings,
  };
}
