import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { randomBytes } from 'node:crypto';
import { createOrm } from '../../src/platform/database.js';
import { startChildHub, type ChildHub } from '../support/child-hub.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { gql } from '../support/hub.js';
import { subscribe, wsClient, type LiveSubscription } from '../support/subscriptions.js';

/**
 * Live subscriptions across processes: two `api` processes and one `worker` (whose outbox relay
 * publishes) on one PostgreSQL database and one Redis. An order placed on the first API process
 * reaches a graphql-ws subscriber on the second, every status change in order; a channel-scoped
 * key on the second receives nothing of another channel.
 */
let db: TestDatabase;
const adminKey = randomBytes(24).toString('hex');
const hubs: (ChildHub & { base: string })[] = [];
const clients: Client[] = [];
let api1: string;
let api2: string;
let scopedKey: string;
const SKU = 'E2E-SUB-1';

interface StatusChange {
  eventId: string;
  orderId: string;
  number: string;
  channelId: string;
  from: string;
  to: string;
  at: string;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    SWITCHYARD_ADMIN_KEY: adminKey,
    QUEUE_PREFIX: `{e2e-subs-${randomBytes(4).toString('hex')}}`,
    DB_POOL_MAX: '4',
  };
  // Stock to sell and a second channel, written straight to the shared database.
  const orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 2 });
  try {
    const location = (await createLocations(contextFor(orm.em), [{ code: 'E2E' }])).E2E!;
    await createSku(contextFor(orm.em), SKU);
    await stock(contextFor(orm.em), SKU, location, 1_000);
  } finally {
    await orm.close(true);
  }
  await sql(db.url, "insert into channel (id, kind, name) values ('shop-b', 'shopify', 'Shop B')");
  const started = await Promise.all([
    startChildHub(['api'], env),
    startChildHub(['api'], env),
    startChildHub(['worker'], env),
  ]);
  hubs.push(...started);
  [api1, api2] = [started[0].base, started[1].base];
  const key = await gql<{ createApiKey: { key: string } }>(
    api1,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: adminKey,
      variables: { input: { name: 'shop-b integration', role: 'INTEGRATION', channelId: 'shop-b' } },
    },
  );
  scopedKey = key.body.data!.createApiKey.key;
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const hub of hubs) hub.kill('SIGKILL');
  await Promise.all(hubs.map((h) => h.exited));
  await db.drop();
});

let orders = 0;
/** Places an order through the GraphQL API of the given process, as a client would. */
async function placeOrder(base: string, channelId: 'direct' | 'shop-b'): Promise<{ id: string; status: string }> {
  orders++;
  const res = await gql<{ placeOrder: { id: string; status: string } }>(
    base,
    'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
    {
      key: adminKey,
      variables: {
        input: {
          channelId,
          externalId: channelId === 'direct' ? null : `B-${orders}`,
          currency: 'USD',
          customer: { email: `buyer${orders}@example.com` },
          shippingAddress: ADDRESS,
          lines: [{ sku: SKU, quantity: 1 }],
        },
      },
    },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.placeOrder;
}

const QUERY = 'subscription { orderStatusChanged { eventId orderId number channelId from to at } }';
const transitionsOf = (events: StatusChange[], orderId: string) =>
  events.filter((e) => e.orderId === orderId).map((e) => `${e.from}>${e.to}`);

/**
 * A subscription on `base`, proven live: the server subscribes to Redis asynchronously, so
 * warm-up orders of `channelId` are placed until one reaches it.
 */
async function liveSubscription(
  base: string,
  key: string,
  channelId: 'direct' | 'shop-b',
): Promise<LiveSubscription<StatusChange>> {
  const client = wsClient(base, key);
  clients.push(client);
  const s = subscribe<StatusChange>(client, QUERY);
  const deadline = Date.now() + 30_000;
  while (s.events.length === 0 && s.errors.length === 0 && Date.now() < deadline) {
    await placeOrder(api1, channelId);
    await new Promise((r) => setTimeout(r, 300));
  }
  expect(s.errors).toEqual([]);
  return s;
}

describe('subscriptions across two api processes and a worker', () => {
  it('delivers every status change of an order placed on the first api process to a subscriber on the second, in order', async () => {
    const onSecond = await liveSubscription(api2, adminKey, 'direct');
    const onFirst = await liveSubscription(api1, adminKey, 'direct');
    const placed = await placeOrder(api1, 'direct');
    expect(placed.status).toBe('ALLOCATED');
    await onSecond.waitFor((events) => transitionsOf(events, placed.id).length >= 3);
    await onFirst.waitFor((events) => transitionsOf(events, placed.id).length >= 3);

    const expected = ['PENDING>CONFIRMED', 'CONFIRMED>PAYMENT_AUTHORIZED', 'PAYMENT_AUTHORIZED>ALLOCATED'];
    expect(transitionsOf(onSecond.events, placed.id)).toEqual(expected);
    expect(transitionsOf(onFirst.events, placed.id)).toEqual(expected);
    // The same as the order's own timeline in the database.
    const timeline = await sql<{ from_status: string; to_status: string }>(
      db.url,
      "select from_status, to_status from order_event where order_id = $1 and type = 'status_changed' order by id",
      [placed.id],
    );
    expect(timeline.map((r) => `${r.from_status}>${r.to_status}`)).toEqual(expected);
    // Event ids grow with the order's history; every field is a flat value.
    const mine = onSecond.events.filter((e) => e.orderId === placed.id);
    expect(mine.map((e) => Number(e.eventId))).toEqual(mine.map((e) => Number(e.eventId)).sort((a, b) => a - b));
    expect(mine[0]).toMatchObject({
      channelId: 'direct',
      number: expect.stringMatching(/^SY-/),
      at: expect.stringMatching(/Z$/),
    });
    onSecond.stop();
    onFirst.stop();
  });

  it('gives a channel-scoped key on the second api process nothing from another channel', async () => {
    const admin = await liveSubscription(api2, adminKey, 'direct');
    const scoped = await liveSubscription(api2, scopedKey, 'shop-b');
    const direct = await placeOrder(api1, 'direct');
    const own = await placeOrder(api1, 'shop-b');
    // The admin sees both orders; by then the scoped subscription has had every chance to leak.
    await admin.waitFor(
      (events) => transitionsOf(events, direct.id).length >= 3 && transitionsOf(events, own.id).length >= 3,
    );
    await scoped.waitFor((events) => transitionsOf(events, own.id).length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    const leaked = scoped.events.filter((e) => e.channelId !== 'shop-b');
    process.stdout.write(
      `subscriptions e2e: ${JSON.stringify({ adminEvents: admin.events.length, scopedEvents: scoped.events.length, leaked: leaked.length })}\n`,
    );
    expect(leaked).toEqual([]);
    expect(transitionsOf(scoped.events, direct.id)).toEqual([]);
    expect(transitionsOf(scoped.events, own.id)).toEqual([
      'PENDING>CONFIRMED',
      'CONFIRMED>PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED>ALLOCATED',
    ]);
    admin.stop();
    scoped.stop();
  });

  it('publishes and marks every outbox row (the relay runs in the worker process only)', async () => {
    const deadline = Date.now() + 10_000;
    let left = -1;
    while (left !== 0 && Date.now() < deadline) {
      left = Number(
        (await sql<{ n: string }>(db.url, 'select count(*) as n from outbox_event where published_at is null'))[0]!.n,
      );
      if (left !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);
    const worker = hubs[2]!;
    const metrics = await (await fetch(`${worker.base}/metrics`)).text();
    expect(Number(/^switchyard_outbox_published_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^switchyard_outbox_lag_seconds \d/m);
    const api = await (await fetch(`${api1}/metrics`)).text();
    expect(/^switchyard_outbox_published_total (\d+)/m.exec(api)?.[1]).toBe('0');
  });
});
