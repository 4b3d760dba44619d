import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { ShopifySimulator } from '../../src/connectors/shopify/simulator/shopify-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { receiveStock } from '../../src/domain/orders/stock-change.service.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createRedis } from '../../src/platform/redis.js';
import { waitFor } from '../support/channel-jobs.js';
import { createLocations, createSku } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Fulfilment and cancellation pushes end to end: a hub (API + workers) with a Shopify channel
 * connected through GraphQL to the simulator; orders placed on the store, pulled by syncChannel,
 * allocated by ingestion, shipped and cancelled through the GraphQL API.
 */

const SHOP_LOCATION = 'gid://shopify/Location/80001';
let th: TestHub;
let sim: ShopifySimulator;
let orm: Orm;
let redis: Redis;
let queues: QueueRegistry;
let channelId: string;

async function api<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(th.base, query, { key: th.adminKey, variables });
  if (res.body.errors?.length) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!;
}

async function hubOrder(externalId: string) {
  const [row] = await sql<{ id: string; status: string }>(
    th.db.url,
    'select id, status from "order" where channel_id = $1 and external_id = $2',
    [channelId, externalId],
  );
  return row;
}

async function sync(): Promise<void> {
  await api(`mutation($id: ID!) { syncChannel(id: $id) { jobId } }`, { id: channelId });
}

const drained = async () => {
  const [{ unpublished }] = (await sql<{ unpublished: number }>(
    th.db.url,
    'select count(*)::int as unpublished from outbox_event where published_at is null',
  )) as [{ unpublished: number }];
  const counts = await Promise.all(
    (['fulfilment-push', 'cancellation-push'] as const).map((q) =>
      queues[q].getJobCounts('waiting', 'delayed', 'active', 'prioritized'),
    ),
  );
  return unpublished === 0 && counts.every((c) => Object.values(c).every((n) => n === 0));
};

beforeAll(async () => {
  sim = new ShopifySimulator({ seed: 5 });
  await sim.start();
  th = await startTestHub('all');
  orm = await createOrm({ kind: 'postgres', url: th.db.url, poolMax: 3 });
  redis = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  queues = createQueueRegistry(redis, th.queuePrefix);
  const ctx = contextFor(orm.em);
  const { W1 } = await createLocations(ctx, [{ code: 'W1' }]);
  for (const sku of ['FP-1', 'FP-2']) {
    await createSku(ctx, sku, 500);
    await receiveStock(contextFor(orm.em.fork()), { sku, locationId: W1!, quantity: 50 });
    sim.setStock(sku, SHOP_LOCATION, 50);
  }
  const connected = await api<{ connectChannel: { id: string } }>(
    `mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }`,
    {
      input: {
        kind: 'SHOPIFY',
        name: 'Push e2e store',
        endpoint: sim.url,
        credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: sim.webhookSecret },
      },
    },
  );
  channelId = connected.connectChannel.id;
}, 120_000);

afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await closeQueueRegistry(queues);
  redis.disconnect();
  await orm.close(true);
  await th.stop();
  await sim.stop();
});

describe('Shopify pushes end to end (hub + simulator)', () => {
  const spec = (n: number) => ({
    email: `buyer${n}@example.com`,
    lines: [
      { sku: 'FP-1', quantity: 2, price: '5.00' },
      { sku: 'FP-2', quantity: 1, price: '7.50' },
    ],
  });

  it('ships an ingested order with tracking: one fulfillment on the right fulfillment order lines, once even when retried', async () => {
    const placed = sim.createOrder(spec(1));
    await sync();
    await waitFor(async () => (await hubOrder(placed.admin_graphql_api_id))?.status === 'ALLOCATED', 30_000, 'ingest');
    const order = (await hubOrder(placed.admin_graphql_api_id))!;
    // Ingestion kept the platform's line GIDs, which the push names.
    const lines = await sql<{ sku: string; external_line_id: string }>(
      th.db.url,
      'select sku, external_line_id from order_line where order_id = $1 order by position',
      [order.id],
    );
    expect(lines).toEqual(placed.line_items.map((li) => ({ sku: li.sku, external_line_id: li.admin_graphql_api_id })));
    // Listings were matched by SKU on that sync, with the store's location.
    const listings = await sql(
      th.db.url,
      'select sku, external_location_id from channel_listing where channel_id = $1',
      [channelId],
    );
    expect(listings).toHaveLength(2);
    expect(listings.every((l) => l.external_location_id === SHOP_LOCATION)).toBe(true);

    const created = await api<{ createShipment: { shipments: { id: string }[] } }>(
      `mutation($id: ID!) { createShipment(orderId: $id) { shipments { id } } }`,
      { id: order.id },
    );
    const [shipment] = created.createShipment.shipments;
    await api(
      `mutation($id: ID!, $input: MarkShipmentShippedInput!) { markShipmentShipped(shipmentId: $id, input: $input) { __typename } }`,
      {
        id: shipment!.id,
        input: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', trackingUrl: 'https://ups.example/t' },
      },
    );
    await waitFor(
      async () => sim.state.fulfillmentsOf(placed.admin_graphql_api_id).length > 0,
      30_000,
      'the fulfillment',
    );
    await waitFor(drained, 30_000, 'the push to finish');

    const [fulfillment] = sim.state.fulfillmentsOf(placed.admin_graphql_api_id);
    expect(fulfillment!.trackingInfo).toEqual([
      { number: '1Z999AA10123456784', company: 'UPS', url: 'https://ups.example/t' },
    ]);
    const [fo] = sim.state.fulfillmentOrdersOf(placed.admin_graphql_api_id);
    const shippedByLine = Object.fromEntries(
      fulfillment!.lines.map((l) => [
        fo!.lines.find((x) => x.id === l.fulfillmentOrderLineItemId)!.lineItemId,
        l.quantity,
      ]),
    );
    expect(shippedByLine).toEqual(
      Object.fromEntries(placed.line_items.map((li) => [li.admin_graphql_api_id, li.quantity])),
    );
    expect(fo!.lines.every((l) => l.remainingQuantity === 0)).toBe(true);

    // A retried job: redelivered (push record present) and after a crash between Shopify's answer
    // and our record (record gone): still one fulfillment, one fulfillmentCreate.
    await queues['fulfilment-push'].add('push', { shipmentId: shipment!.id }, { jobId: `again-${shipment!.id}` });
    await waitFor(drained, 30_000, 'the redelivered job');
    await sql(th.db.url, `delete from channel_push_record where kind = 'fulfilment' and subject_id = $1`, [
      shipment!.id,
    ]);
    await queues['fulfilment-push'].add('push', { shipmentId: shipment!.id }, { jobId: `crash-${shipment!.id}` });
    await waitFor(drained, 30_000, 'the job after a crash');
    const creates = sim.calls.filter((c) => c.op === 'fulfillmentCreate' && c.status === 200 && !c.throttled);
    process.stdout.write(
      `fulfilment push: ${sim.state.fulfillmentsOf(placed.admin_graphql_api_id).length} fulfillment, ` +
        `${creates.length} fulfillmentCreate after 3 runs of the job; lines ${JSON.stringify(shippedByLine)}\n`,
    );
    expect(sim.state.fulfillmentsOf(placed.admin_graphql_api_id)).toHaveLength(1);
    expect(creates).toHaveLength(1);
    const [record] = await sql(th.db.url, `select external_id from channel_push_record where subject_id = $1`, [
      shipment!.id,
    ]);
    expect(record!.external_id).toBe(fulfillment!.id);
  }, 120_000);

  it('cancels on Shopify once an order cancelled in the hub, and never echoes a cancellation that came from Shopify', async () => {
    const ours = sim.createOrder(spec(2));
    const theirs = sim.createOrder(spec(3));
    await sync();
    await waitFor(
      async () =>
        (await hubOrder(ours.admin_graphql_api_id))?.status === 'ALLOCATED' &&
        (await hubOrder(theirs.admin_graphql_api_id))?.status === 'ALLOCATED',
      30_000,
      'ingest',
    );
    const cancelCalls = () => sim.calls.filter((c) => c.op === 'orderCancel' && c.status === 200 && !c.throttled);

    const hubSide = (await hubOrder(ours.admin_graphql_api_id))!;
    await api(`mutation($id: ID!) { cancelOrder(orderId: $id, input: { reason: "customer called" }) { status } }`, {
      id: hubSide.id,
    });
    await waitFor(async () => Boolean(sim.getOrder(ours.admin_graphql_api_id)!.cancelled_at), 30_000, 'the cancel');
    await waitFor(drained, 30_000, 'the push to finish');
    expect(cancelCalls()).toHaveLength(1);

    // Cancelled on Shopify: pulled, cancelled in the hub by the system actor, not pushed back.
    sim.cancelOrder(theirs.admin_graphql_api_id);
    await sync();
    await waitFor(async () => (await hubOrder(theirs.admin_graphql_api_id))?.status === 'CANCELLED', 30_000, 'pulled');
    await waitFor(drained, 30_000, 'the dispatcher and any push');
    const theirsId = (await hubOrder(theirs.admin_graphql_api_id))!.id;
    const job = await queues['cancellation-push'].getJob(`cancellation-push.${theirsId}`);
    process.stdout.write(
      `cancellation push: ${cancelCalls().length} orderCancel for 1 hub cancellation + 1 Shopify cancellation ` +
        `(the latter's job returned ${String(job?.returnvalue)})\n`,
    );
    expect(cancelCalls()).toHaveLength(1);
    expect(cancelCalls()[0]!.variables?.orderId).toBe(ours.admin_graphql_api_id);
  }, 120_000);
});
