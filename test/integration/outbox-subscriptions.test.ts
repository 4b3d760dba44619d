import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { adjustStock, receiveStock, setStockThreshold } from '../../src/domain/orders/stock-change.service.js';
import type { EntityManager } from '@mikro-orm/core';
import { recordOrderEvent, transitionOrder } from '../../src/domain/orders/order-transitions.js';
import { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { eventChannel } from '../../src/jobs/outbox-relay.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { ADMIN, contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';
import { subscribe, wsClient, type LiveSubscription } from '../support/subscriptions.js';

/**
 * Subscriptions on one hub (api + relay in one process) over graphql-ws: committed events
 * arrive in order, filters and channel scope are applied on the server, duplicates are
 * dropped, and each subscription checks its arguments and the caller's role first.
 */
let t: TestHub;
let orm: Orm;
let location: string;
const keys: Record<string, string> = {};
const clients: Client[] = [];

interface StatusChange {
  eventId: string;
  orderId: string;
  channelId: string;
  from: string;
  to: string;
}

const STATUS_CHANGE = 'eventId orderId channelId from to';

async function createKey(role: string, channelId: string | null = null): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: t.adminKey,
      variables: { input: { name: `subs ${role} ${channelId ?? ''}`, role, channelId } },
    },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createApiKey.key;
}

function client(key: string): Client {
  const c = wsClient(t.base, key);
  clients.push(c);
  return c;
}

let orderCount = 0;
async function order(channelId = 'direct', sku = 'SUB-1') {
  orderCount++;
  return placeOrder(contextFor(orm.em), orderDeps, {
    channelId,
    externalId: channelId === 'direct' ? null : `EXT-${orderCount}`,
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku, quantity: 1 }],
  });
}

const transitionsOf = (events: StatusChange[], orderId: string) =>
  events.filter((e) => e.orderId === orderId).map((e) => `${e.from}>${e.to}`);

/** Subscribes, then places orders until the subscription demonstrably receives (the server subscribed to Redis asynchronously). */
async function live<T extends { channelId?: string }>(
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
  channelId = 'direct',
): Promise<LiveSubscription<T>> {
  const s = subscribe<T>(client(key), query, variables);
  const deadline = Date.now() + 15_000;
  while (s.events.length === 0 && s.errors.length === 0 && Date.now() < deadline) {
    await order(channelId);
    await new Promise((r) => setTimeout(r, 200));
  }
  return s;
}

beforeAll(async () => {
  t = await startTestHub('all');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 5 });
  await sql(t.db.url, "insert into channel (id, kind, name) values ('shop-b', 'shopify', 'Shop B')");
  location = (await createLocations(contextFor(orm.em), [{ code: 'SUB' }])).SUB!;
  await createSku(contextFor(orm.em), 'SUB-1');
  await stock(contextFor(orm.em), 'SUB-1', location, 1_000);
  keys.admin = t.adminKey;
  keys.shopB = await createKey('INTEGRATION', 'shop-b');
  keys.readOnly = await createKey('READ_ONLY');
  keys.ops = await createKey('OPS');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await orm.close(true);
  await t.stop();
});

describe('orderStatusChanged', () => {
  it('delivers every committed status change of an order, in order', async () => {
    const s = await live<StatusChange>(keys.admin!, `subscription { orderStatusChanged { ${STATUS_CHANGE} } }`);
    const placed = await order();
    await s.waitFor((events) => transitionsOf(events, placed.id).length === 3);
    expect(transitionsOf(s.events, placed.id)).toEqual([
      'PENDING>CONFIRMED',
      'CONFIRMED>PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED>ALLOCATED',
    ]);
    const ids = s.events.filter((e) => e.orderId === placed.id).map((e) => Number(e.eventId));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    s.stop();
  });

  it('applies the filter on the server: one order, into some statuses', async () => {
    const first = await order();
    const s = subscribe<StatusChange>(
      client(keys.admin!),
      `subscription($f: OrderStatusChangedFilter) { orderStatusChanged(filter: $f) { ${STATUS_CHANGE} } }`,
      {
        f: { statuses: ['ALLOCATED'] },
      },
    );
    const one = subscribe<StatusChange>(
      client(keys.admin!),
      `subscription($f: OrderStatusChangedFilter) { orderStatusChanged(filter: $f) { ${STATUS_CHANGE} } }`,
      {
        f: { orderId: first.id },
      },
    );
    // Keep placing orders until the filtered subscription has seen two allocations.
    const deadline = Date.now() + 15_000;
    while (s.events.length < 2 && Date.now() < deadline) {
      await order();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s.events.length).toBeGreaterThanOrEqual(2);
    expect(s.events.every((e) => e.to === 'ALLOCATED')).toBe(true);
    // Only the one order (its changes may still arrive: they were committed just before).
    expect(one.events.filter((e) => e.orderId !== first.id)).toEqual([]);
    expect(one.errors).toEqual([]);
    s.stop();
    one.stop();
  });

  it('gives a channel-scoped key its own channel only, never another channel’s orders', async () => {
    const admin = await live<StatusChange>(keys.admin!, `subscription { orderStatusChanged { ${STATUS_CHANGE} } }`);
    const scoped = await live<StatusChange>(
      keys.shopB!,
      `subscription { orderStatusChanged { ${STATUS_CHANGE} } }`,
      {},
      'shop-b',
    );
    const direct = await order('direct');
    const other = await order('shop-b');
    await admin.waitFor(
      (events) => transitionsOf(events, direct.id).length === 3 && transitionsOf(events, other.id).length === 3,
    );
    await scoped.waitFor((events) => transitionsOf(events, other.id).length === 3);
    expect(scoped.events.filter((e) => e.channelId !== 'shop-b')).toEqual([]);
    expect(transitionsOf(scoped.events, direct.id)).toEqual([]);
    scoped.stop();
    admin.stop();
  });

  it('refuses a channel-scoped key asking for another channel (FORBIDDEN) or another channel’s order (NOT_FOUND)', async () => {
    const direct = await order('direct');
    const byChannel = subscribe(
      client(keys.shopB!),
      'subscription { orderStatusChanged(filter: { channelId: "direct" }) { eventId } }',
    );
    const byOrder = subscribe(
      client(keys.shopB!),
      'subscription($id: ID!) { orderStatusChanged(filter: { orderId: $id }) { eventId } }',
      { id: direct.id },
    );
    const events = subscribe(client(keys.shopB!), 'subscription($id: ID!) { orderEvents(orderId: $id) { eventId } }', {
      id: direct.id,
    });
    for (const s of [byChannel, byOrder, events]) await s.waitForEnd();
    expect(byChannel.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(byOrder.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(events.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(events.errors[0]!.message).not.toContain('shop-b');
  });

  it('drops a redelivered event id (the relay publishes at least once)', async () => {
    const s = await live<StatusChange>(keys.admin!, `subscription { orderStatusChanged { ${STATUS_CHANGE} } }`);
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    try {
      const message = {
        id: 9_000_000_001,
        topic: 'order.status_changed',
        aggregateId: 'replayed',
        payload: {
          orderId: 'replayed',
          number: 'SY-X',
          channelId: 'direct',
          from: 'ALLOCATED',
          to: 'CANCELLED',
          reason: 'test',
          at: new Date().toISOString(),
        },
        createdAt: new Date().toISOString(),
      };
      for (let i = 0; i < 3; i++)
        await redis.publish(eventChannel(t.queuePrefix, 'order.status_changed'), JSON.stringify(message));
      await redis.publish(eventChannel(t.queuePrefix, 'order.status_changed'), 'not json');
      await s.waitFor((events) => events.some((e) => e.orderId === 'replayed'));
      await new Promise((r) => setTimeout(r, 300));
      expect(s.events.filter((e) => e.orderId === 'replayed')).toHaveLength(1);
    } finally {
      redis.disconnect();
      s.stop();
    }
  });
});

describe('orderEvents', () => {
  it('delivers one order’s timeline entries in order, and no other order’s', async () => {
    // Held for review (total above 0), so it reserves nothing and may simply be cancelled.
    const held = await placeOrder(
      contextFor(orm.em),
      { ...orderDeps, policy: { holdTotalAbove: 0 } },
      {
        currency: 'USD',
        shippingAddress: ADDRESS,
        lines: [{ sku: 'SUB-1', quantity: 1 }],
      },
    );
    expect(held.status).toBe('ON_HOLD');
    const s = subscribe<{ orderId: string; type: string; toStatus: string | null; reason: string | null }>(
      client(keys.admin!),
      'subscription($id: ID!) { orderEvents(orderId: $id) { eventId orderId type toStatus reason actorKind at } }',
      { id: held.id },
    );
    const change = (work: (tx: EntityManager, o: Order) => void) =>
      orm.em.fork().transactional(async (tx) => {
        const o = await tx.findOneOrFail(Order, { id: held.id }, { populate: ['channel'] });
        work(tx, o);
      });
    // Notes until the subscription is demonstrably live, then the change under test.
    const deadline = Date.now() + 15_000;
    while (s.events.length === 0 && Date.now() < deadline) {
      await change((tx, o) => recordOrderEvent(tx, o, ADMIN, 'note_added', 'warming up'));
      await order();
      await new Promise((r) => setTimeout(r, 200));
    }
    const before = s.events.length;
    await change((tx, o) => {
      transitionOrder(tx, o, 'CANCELLED', ADMIN, 'customer changed their mind');
      recordOrderEvent(tx, o, ADMIN, 'note_added', 'refund not needed');
    });
    await s.waitFor((events) => events.length === before + 2);
    expect(s.events.slice(before).map((e) => [e.type, e.toStatus, e.reason])).toEqual([
      ['status_changed', 'CANCELLED', 'customer changed their mind'],
      ['note_added', null, 'refund not needed'],
    ]);
    expect(s.events.every((e) => e.orderId === held.id)).toBe(true);
    s.stop();
  });
});

describe('stock subscriptions', () => {
  it('stockLevelChanged delivers the changes of one SKU with its SKU and location', async () => {
    await createSku(contextFor(orm.em), 'SUB-STOCK');
    const s = subscribe<{ sku: string; onHand: number; available: number; locationId: string }>(
      client(keys.readOnly!),
      'subscription { stockLevelChanged(sku: "SUB-STOCK") { eventId sku locationId onHand reserved available at } }',
    );
    const deadline = Date.now() + 15_000;
    while (s.events.length === 0 && Date.now() < deadline) {
      await receiveStock(contextFor(orm.em), { sku: 'SUB-STOCK', locationId: location, quantity: 1 });
      await new Promise((r) => setTimeout(r, 200));
    }
    const before = s.events.length;
    await receiveStock(contextFor(orm.em), { sku: 'SUB-1', locationId: location, quantity: 1 });
    await receiveStock(contextFor(orm.em), { sku: 'SUB-STOCK', locationId: location, quantity: 5 });
    await s.waitFor((events) => events.length === before + 1);
    const last = s.events.at(-1)!;
    expect(last).toMatchObject({ sku: 'SUB-STOCK', locationId: location, onHand: before + 5, available: before + 5 });
    expect(s.events.every((e) => e.sku === 'SUB-STOCK')).toBe(true);
    s.stop();
  });

  it('lowStockAlerts: ops receives the crossing below the reorder point; read_only is FORBIDDEN', async () => {
    const refused = subscribe(client(keys.readOnly!), 'subscription { lowStockAlerts { eventId } }');
    await refused.waitForEnd();
    expect(refused.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    const s = subscribe<{ sku: string; available: number; reorderPoint: number }>(
      client(keys.ops!),
      'subscription($loc: ID) { lowStockAlerts(locationId: $loc) { eventId sku locationId onHand available reorderPoint at } }',
      { loc: location },
    );
    await createSku(contextFor(orm.em), 'SUB-LOW');
    await receiveStock(contextFor(orm.em), { sku: 'SUB-LOW', locationId: location, quantity: 1_000 });
    await setStockThreshold(contextFor(orm.em), {
      sku: 'SUB-LOW',
      locationId: location,
      field: 'reorderPoint',
      value: 500,
    });
    await new Promise((r) => setTimeout(r, 300));
    // Each round crosses the reorder point once (down), then goes back above it.
    const deadline = Date.now() + 15_000;
    while (s.events.length === 0 && Date.now() < deadline) {
      await adjustStock(contextFor(orm.em), { sku: 'SUB-LOW', locationId: location, delta: -600, reason: 'count' });
      await new Promise((r) => setTimeout(r, 200));
      if (s.events.length === 0)
        await adjustStock(contextFor(orm.em), { sku: 'SUB-LOW', locationId: location, delta: 600, reason: 'found' });
    }
    expect(s.events[0]).toMatchObject({ sku: 'SUB-LOW', available: 400, reorderPoint: 500 });
    s.stop();
  });
});

describe('over HTTP', () => {
  it('answers a subscription POSTed over HTTP with BAD_USER_INPUT naming graphql-ws', async () => {
    const res = await gql(t.base, 'subscription { orderStatusChanged { eventId } }', { key: keys.admin! });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toContain('graphql-ws');
  });
});
