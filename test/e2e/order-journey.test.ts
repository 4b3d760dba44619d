import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { randomBytes } from 'node:crypto';
import { startChildHub, type ChildHub } from '../support/child-hub.js';
import { ADDRESS } from '../support/commerce.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { codesOf, gql } from '../support/hub.js';
import { subscribe, wsClient, type LiveSubscription } from '../support/subscriptions.js';

/**
 * The order journey end to end, across processes: two `api` processes and one `worker` on one
 * PostgreSQL database and one Redis. A graphql-ws client subscribes on the SECOND api process
 * (filtered by channel, before the order exists); everything else goes over HTTP to the FIRST:
 * catalog, location, stock, placement, shipment, delivery, completion, then a return to its
 * refund. The subscriber must see every status change of the order, in order, exactly as the
 * order's timeline in the database records them; the order query shows shipments, returns and
 * the version that `expectedVersion` round-trips.
 */
let db: TestDatabase;
const adminKey = randomBytes(24).toString('hex');
const hubs: (ChildHub & { base: string })[] = [];
const clients: Client[] = [];
let api1: string;
let api2: string;
const SKU = `JOURNEY-${randomBytes(3).toString('hex')}`;

interface StatusChange {
  eventId: string;
  orderId: string;
  channelId: string;
  from: string;
  to: string;
}

async function ok<T>(base: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(base, query, { key: adminKey, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    SWITCHYARD_ADMIN_KEY: adminKey,
    QUEUE_PREFIX: `{e2e-journey-${randomBytes(4).toString('hex')}}`,
    DB_POOL_MAX: '4',
  };
  const started = await Promise.all([
    startChildHub(['api'], env),
    startChildHub(['api'], env),
    startChildHub(['worker'], env),
  ]);
  hubs.push(...started);
  [api1, api2] = [started[0].base, started[1].base];
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const hub of hubs) hub.kill('SIGKILL');
  await Promise.all(hubs.map((h) => h.exited));
  await db.drop();
});

type OrderView = { id: string; status: string; version: number; lines: { id: string; quantity: number }[] };
const ORDER = 'id status version lines { id quantity }';

async function placeOrder(quantity: number): Promise<OrderView> {
  const data = await ok<{ placeOrder: OrderView }>(
    api1,
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER} } }`,
    {
      input: {
        channelId: 'direct',
        currency: 'USD',
        customer: { email: 'journey@example.com' },
        shippingAddress: ADDRESS,
        lines: [{ sku: SKU, quantity }],
      },
    },
  );
  return data.placeOrder;
}

const transitionsOf = (events: StatusChange[], orderId: string) =>
  events.filter((e) => e.orderId === orderId).map((e) => `${e.from}>${e.to}`);

describe('an order journey across two api processes and a worker', () => {
  it('streams every status change to a subscriber on the second api process while the first drives the order to a refunded return', async () => {
    // Catalog, location and stock, over HTTP on the first api process.
    const location = await ok<{ createLocation: { id: string } }>(
      api1,
      'mutation { createLocation(input: { code: "JRN", name: "Journey DC", address: { line1: "1 Main St", city: "Austin", countryCode: "US" } }) { id } }',
    );
    const locationId = location.createLocation.id;
    await ok(
      api1,
      'mutation($sku: String!) { createProduct(input: { title: "Journey tee", variants: [{ sku: $sku, priceAmount: 2500, currency: "USD" }] }) { id } }',
      { sku: SKU },
    );
    const received = await ok<{ receiveStock: { onHand: number } }>(
      api1,
      'mutation($sku: String!, $loc: ID!) { receiveStock(sku: $sku, locationId: $loc, quantity: 50) { onHand } }',
      { sku: SKU, loc: locationId },
    );
    expect(received.receiveStock.onHand).toBe(50);

    // A subscriber on the second api process, filtered to the channel before the order exists.
    // The server subscribes to Redis asynchronously: warm-up orders prove it live.
    const client = wsClient(api2, adminKey);
    clients.push(client);
    const live: LiveSubscription<StatusChange> = subscribe<StatusChange>(
      client,
      'subscription($filter: OrderStatusChangedFilter) { orderStatusChanged(filter: $filter) { eventId orderId channelId from to } }',
      { filter: { channelId: 'direct' } },
    );
    const warmUps: string[] = [];
    const deadline = Date.now() + 30_000;
    while (live.events.length === 0 && live.errors.length === 0 && Date.now() < deadline) {
      warmUps.push((await placeOrder(1)).id);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(live.errors).toEqual([]);
    expect(live.events.length).toBeGreaterThan(0);

    // Every version a mutation answers with: each change moves it on.
    const versions: number[] = [];
    const placed = await placeOrder(3);
    expect(placed.status).toBe('ALLOCATED');
    versions.push(placed.version);
    const orderId = placed.id;
    const lineId = placed.lines[0]!.id;

    type ShipmentView = {
      id: string;
      status: string;
      locationId: string;
      lines: { orderLineId: string; quantity: number }[];
    };
    const created = await ok<{ createShipment: { order: OrderView; shipments: ShipmentView[] } }>(
      api1,
      `mutation($id: ID!) { createShipment(orderId: $id) { order { ${ORDER} } shipments { id status locationId lines { orderLineId quantity } } } }`,
      { id: orderId },
    );
    expect(created.createShipment.shipments).toEqual([
      { id: expect.any(String), status: 'CREATED', locationId, lines: [{ orderLineId: lineId, quantity: 3 }] },
    ]);
    versions.push(created.createShipment.order.version);
    const shipmentId = created.createShipment.shipments[0]!.id;

    const shipped = await ok<{ markShipmentShipped: { order: OrderView } }>(
      api1,
      `mutation($id: ID!) { markShipmentShipped(shipmentId: $id, input: { carrier: "UPS", trackingNumber: "1ZJOURNEY" }) { order { ${ORDER} } } }`,
      { id: shipmentId },
    );
    expect(shipped.markShipmentShipped.order.status).toBe('SHIPPED');
    versions.push(shipped.markShipmentShipped.order.version);

    const delivered = await ok<{ markShipmentDelivered: { order: OrderView } }>(
      api1,
      `mutation($id: ID!) { markShipmentDelivered(shipmentId: $id) { order { ${ORDER} } } }`,
      { id: shipmentId },
    );
    expect(delivered.markShipmentDelivered.order.status).toBe('DELIVERED');
    const deliveredVersion = delivered.markShipmentDelivered.order.version;
    versions.push(deliveredVersion);

    // expectedVersion round-trips: the version the order query shows is the one a change must name.
    const seen = await ok<{ order: { version: number } }>(api1, 'query($id: ID!) { order(id: $id) { version } }', {
      id: orderId,
    });
    expect(seen.order.version).toBe(deliveredVersion);
    const complete = `mutation($id: ID!, $v: Int) { completeOrder(orderId: $id, expectedVersion: $v) { ${ORDER} } }`;
    const stale = await gql(api1, complete, { key: adminKey, variables: { id: orderId, v: deliveredVersion - 1 } });
    expect(codesOf(stale)).toEqual(['CONFLICT']);
    expect(stale.body.errors![0]!.extensions).toMatchObject({
      expectedVersion: deliveredVersion - 1,
      currentVersion: deliveredVersion,
    });
    const completed = await ok<{ completeOrder: OrderView }>(api1, complete, { id: orderId, v: seen.order.version });
    expect(completed.completeOrder.status).toBe('COMPLETED');
    versions.push(completed.completeOrder.version);

    // The return, from request to refund (receiveReturn settles: APPROVED → RECEIVED → REFUNDED).
    type ReturnResult = { order: OrderView; return: { id: string; status: string } };
    const requested = await ok<{ requestReturn: ReturnResult }>(
      api1,
      `mutation($id: ID!, $input: RequestReturnInput!) { requestReturn(orderId: $id, input: $input) { order { ${ORDER} } return { id status } } }`,
      { id: orderId, input: { reason: 'too small', lines: [{ lineId, quantity: 2 }] } },
    );
    expect(requested.requestReturn.return.status).toBe('REQUESTED');
    versions.push(requested.requestReturn.order.version);
    const returnId = requested.requestReturn.return.id;
    const approved = await ok<{ approveReturn: ReturnResult }>(
      api1,
      `mutation($id: ID!) { approveReturn(returnId: $id, note: "ok") { order { ${ORDER} } return { id status } } }`,
      { id: returnId },
    );
    expect(approved.approveReturn.return.status).toBe('APPROVED');
    versions.push(approved.approveReturn.order.version);
    const refunded = await ok<{ receiveReturn: ReturnResult }>(
      api1,
      `mutation($id: ID!, $input: ReceiveReturnInput!) { receiveReturn(returnId: $id, input: $input) { order { ${ORDER} } return { id status } } }`,
      { id: returnId, input: { lines: [{ lineId, quantity: 2, restock: true }] } },
    );
    expect(refunded.receiveReturn.return.status).toBe('REFUNDED');
    expect(refunded.receiveReturn.order.status).toBe('COMPLETED');
    versions.push(refunded.receiveReturn.order.version);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);

    // The subscriber on the second process saw every status change, in order, as the timeline records them.
    const expected = [
      'PENDING>CONFIRMED',
      'CONFIRMED>PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED>ALLOCATED',
      'ALLOCATED>SHIPPED',
      'SHIPPED>DELIVERED',
      'DELIVERED>COMPLETED',
    ];
    await live.waitFor((events) => transitionsOf(events, orderId).length >= expected.length, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // nothing more (no duplicate, no late extra) arrives
    expect(live.errors).toEqual([]);
    const timeline = await sql<{ from_status: string; to_status: string }>(
      db.url,
      "select from_status, to_status from order_event where order_id = $1 and type = 'status_changed' order by id",
      [orderId],
    );
    expect(timeline.map((r) => `${r.from_status}>${r.to_status}`)).toEqual(expected);
    const mine = live.events.filter((e) => e.orderId === orderId);
    expect(mine.map((e) => `${e.from}>${e.to}`)).toEqual(expected);
    // Event ids grow with the order's history (they are the published events' ids, not the timeline's).
    const ids = mine.map((e) => Number(e.eventId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(live.events.every((e) => e.channelId === 'direct')).toBe(true);
    live.stop();

    // The order query (on either process) shows the shipment, the return and the version.
    type Full = {
      order: {
        status: string;
        version: number;
        shipments: {
          id: string;
          status: string;
          trackingNumber: string;
          lines: { orderLineId: string; quantity: number }[];
        }[];
        returns: {
          id: string;
          status: string;
          refundedAmount: { amount: number };
          lines: { orderLineId: string; quantity: number; receivedQuantity: number; restock: boolean }[];
        }[];
      };
    };
    const FULL = `query($id: ID!) { order(id: $id) { status version
      shipments { id status trackingNumber lines { orderLineId quantity } }
      returns { id status refundedAmount { amount } lines { orderLineId quantity receivedQuantity restock } } } }`;
    for (const base of [api1, api2]) {
      const full = await ok<Full>(base, FULL, { id: orderId });
      expect(full.order).toEqual({
        status: 'COMPLETED',
        version: versions.at(-1),
        shipments: [
          {
            id: shipmentId,
            status: 'DELIVERED',
            trackingNumber: '1ZJOURNEY',
            lines: [{ orderLineId: lineId, quantity: 3 }],
          },
        ],
        returns: [
          {
            id: returnId,
            status: 'REFUNDED',
            refundedAmount: { amount: 2 * 2500 },
            lines: [{ orderLineId: lineId, quantity: 2, receivedQuantity: 2, restock: true }],
          },
        ],
      });
    }
    const [row] = await sql<{ version: number }>(db.url, 'select version from "order" where id = $1', [orderId]);
    expect(row!.version).toBe(versions.at(-1));

    // Restocked: 50 received, 3 shipped, 2 back on hand; warm-up orders still hold theirs.
    const [level] = await sql<{ on_hand: number; reserved: number }>(
      db.url,
      'select s.on_hand, s.reserved from stock_level s join variant v on v.id = s.variant_id where v.sku = $1 and s.location_id = $2',
      [SKU, locationId],
    );
    expect(level).toEqual({ on_hand: 50 - 3 + 2, reserved: warmUps.length });
  }, 120_000);
});
