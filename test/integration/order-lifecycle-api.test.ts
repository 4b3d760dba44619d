import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { sql } from '../support/database.js';
import { invariantViolationsAt } from '../support/order-lifecycle.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';

/**
 * The lifecycle over HTTP, as a client drives it: place → ship from two locations → deliver →
 * complete, then a return from request to refund; a cancellation; the roles at the door.
 */
let t: TestHub;
let dal: string;
let nyc: string;
const suffix = randomBytes(3).toString('hex');
const SKU_A = `API-A-${suffix}`;
const SKU_B = `API-B-${suffix}`;

const ADDRESS = { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', countryCode: 'US' };

async function ok<T>(query: string, variables: Record<string, unknown> = {}, key = t.adminKey): Promise<T> {
  const res = await gql<T>(t.base, query, { key, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

async function keyFor(role: string): Promise<string> {
  const data = await ok<{ createApiKey: { key: string } }>(
    'mutation($role: Role!) { createApiKey(input: { name: "lifecycle", role: $role }) { key } }',
    { role },
  );
  return data.createApiKey.key;
}

beforeAll(async () => {
  t = await startTestHub();
  const location =
    'mutation($code: String!) { createLocation(input: { code: $code, name: $code, address: { line1: "1 Main St", city: "Austin", countryCode: "US" } }) { id } }';
  dal = (await ok<{ createLocation: { id: string } }>(location, { code: `DAL${suffix}` })).createLocation.id;
  nyc = (await ok<{ createLocation: { id: string } }>(location, { code: `NYC${suffix}` })).createLocation.id;
  for (const [sku, price] of [
    [SKU_A, 2500],
    [SKU_B, 990],
  ] as const) {
    await ok(
      'mutation($sku: String!, $price: SafeInt!) { createProduct(input: { title: $sku, variants: [{ sku: $sku, priceAmount: $price, currency: "USD" }] }) { id } }',
      {
        sku,
        price,
      },
    );
  }
  await ok(
    'mutation($sku: String!, $loc: ID!) { receiveStock(sku: $sku, locationId: $loc, quantity: 10) { onHand } }',
    { sku: SKU_A, loc: dal },
  );
  await ok(
    'mutation($sku: String!, $loc: ID!) { receiveStock(sku: $sku, locationId: $loc, quantity: 10) { onHand } }',
    { sku: SKU_B, loc: nyc },
  );
});
afterAll(async () => {
  try {
    expect(await invariantViolationsAt(t.db.url)).toEqual([]);
  } finally {
    await t.stop();
  }
});

type OrderView = {
  id: string;
  status: string;
  totals: { total: { amount: number } };
  lines: { id: string; sku: string; quantityShipped: number }[];
};
const ORDER = 'id status totals { total { amount } } lines { id sku quantityShipped }';

async function placeOrder(lines: { sku: string; quantity: number }[]): Promise<OrderView> {
  const data = await ok<{ placeOrder: OrderView }>(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER} } }`,
    {
      input: { currency: 'USD', shippingAddress: ADDRESS, lines },
    },
  );
  return data.placeOrder;
}

describe('an order from placement to COMPLETED, and a return to REFUNDED, over HTTP', () => {
  it('walks the whole lifecycle', async () => {
    const order = await placeOrder([
      { sku: SKU_A, quantity: 2 },
      { sku: SKU_B, quantity: 3 },
    ]);
    expect(order.status).toBe('ALLOCATED');
    const [lineA, lineB] = order.lines;

    type Created = {
      createShipment: {
        order: { status: string };
        shipments: {
          id: string;
          locationId: string;
          status: string;
          lines: { orderLineId: string; quantity: number }[];
        }[];
      };
    };
    const created = await ok<Created>(
      'mutation($id: ID!) { createShipment(orderId: $id) { order { status } shipments { id locationId status lines { orderLineId quantity } } } }',
      { id: order.id },
    );
    const shipments = created.createShipment.shipments;
    expect(shipments).toHaveLength(2);
    const fromDal = shipments.find((s) => s.locationId === dal)!;
    const fromNyc = shipments.find((s) => s.locationId === nyc)!;
    expect(fromDal.lines).toEqual([{ orderLineId: lineA!.id, quantity: 2 }]);
    expect(fromNyc.lines).toEqual([{ orderLineId: lineB!.id, quantity: 3 }]);

    const ship =
      'mutation($id: ID!, $input: MarkShipmentShippedInput!) { markShipmentShipped(shipmentId: $id, input: $input) { order { status } shipment { status trackingNumber shippedAt } } }';
    type Shipped = {
      markShipmentShipped: { order: { status: string }; shipment: { status: string; trackingNumber: string } };
    };
    const first = await ok<Shipped>(ship, {
      id: fromDal.id,
      input: { carrier: 'UPS', trackingNumber: '1ZDAL', trackingUrl: 'https://ups.example/1ZDAL' },
    });
    expect(first.markShipmentShipped).toMatchObject({
      order: { status: 'PARTIALLY_SHIPPED' },
      shipment: { status: 'SHIPPED', trackingNumber: '1ZDAL' },
    });
    expect(
      (await ok<Shipped>(ship, { id: fromNyc.id, input: { carrier: 'USPS', trackingNumber: '94NYC' } }))
        .markShipmentShipped.order.status,
    ).toBe('SHIPPED');

    const deliver =
      'mutation($id: ID!) { markShipmentDelivered(shipmentId: $id) { order { status } shipment { status deliveredAt } } }';
    type Delivered = { markShipmentDelivered: { order: { status: string }; shipment: { status: string } } };
    expect((await ok<Delivered>(deliver, { id: fromDal.id })).markShipmentDelivered.order.status).toBe('SHIPPED');
    expect((await ok<Delivered>(deliver, { id: fromNyc.id })).markShipmentDelivered).toMatchObject({
      order: { status: 'DELIVERED' },
      shipment: { status: 'DELIVERED' },
    });
    const completed = await ok<{ completeOrder: OrderView }>(
      `mutation($id: ID!) { completeOrder(orderId: $id) { ${ORDER} } }`,
      { id: order.id },
    );
    expect(completed.completeOrder.status).toBe('COMPLETED');
    expect(completed.completeOrder.lines.map((l) => l.quantityShipped)).toEqual([2, 3]);

    // The return: support requests, finance approves and receives; the refund goes through the payment port.
    const support = await keyFor('SUPPORT');
    const finance = await keyFor('FINANCE');
    type ReturnView = {
      return: {
        id: string;
        status: string;
        refundAmount: { amount: number };
        refundedAmount: { amount: number } | null;
        lines: { sku: string; receivedQuantity: number | null; restock: boolean | null }[];
      };
    };
    const RETURN =
      'return { id status refundAmount { amount } refundedAmount { amount } lines { sku receivedQuantity restock } }';
    const requested = await ok<{ requestReturn: ReturnView }>(
      `mutation($id: ID!, $input: RequestReturnInput!) { requestReturn(orderId: $id, input: $input) { ${RETURN} } }`,
      {
        id: order.id,
        input: {
          reason: 'does not fit',
          lines: [
            { lineId: lineA!.id, quantity: 1, reason: 'too small' },
            { lineId: lineB!.id, quantity: 2 },
          ],
        },
      },
      support,
    );
    expect(requested.requestReturn.return).toMatchObject({
      status: 'REQUESTED',
      refundAmount: { amount: 2500 + 2 * 990 },
      refundedAmount: null,
    });
    const returnId = requested.requestReturn.return.id;

    const approveAsSupport = await gql(
      t.base,
      'mutation($id: ID!) { approveReturn(returnId: $id) { return { id } } }',
      { key: support, variables: { id: returnId } },
    );
    expect(codesOf(approveAsSupport)).toEqual(['FORBIDDEN']);
    const approved = await ok<{ approveReturn: ReturnView }>(
      `mutation($id: ID!) { approveReturn(returnId: $id, note: "ok") { ${RETURN} } }`,
      { id: returnId },
      finance,
    );
    expect(approved.approveReturn.return.status).toBe('APPROVED');

    const received = await ok<{ receiveReturn: ReturnView & { order: { status: string } } }>(
      `mutation($id: ID!, $input: ReceiveReturnInput!) { receiveReturn(returnId: $id, input: $input) { order { status } ${RETURN} } }`,
      {
        id: returnId,
        input: {
          lines: [
            { lineId: lineA!.id, quantity: 1, restock: true },
            { lineId: lineB!.id, quantity: 2, restock: false },
          ],
        },
      },
      finance,
    );
    expect(received.receiveReturn.return).toEqual({
      id: returnId,
      status: 'REFUNDED',
      refundAmount: { amount: 4480 },
      refundedAmount: { amount: 4480 },
      lines: [
        { sku: SKU_A, receivedQuantity: 1, restock: true },
        { sku: SKU_B, receivedQuantity: 2, restock: false },
      ],
    });
    expect(received.receiveReturn.order.status).toBe('COMPLETED');

    const levels = await sql<{ sku: string; on_hand: number }>(
      t.db.url,
      'select v.sku, s.on_hand from stock_level s join variant v on v.id = s.variant_id where v.sku in ($1, $2) order by v.sku',
      [SKU_A, SKU_B],
    );
    expect(levels).toEqual([
      { sku: SKU_A, on_hand: 10 - 2 + 1 },
      { sku: SKU_B, on_hand: 10 - 3 },
    ]);

    type Timeline = { order: { events: { type: string; toStatus: string | null }[] } };
    const timeline = await ok<Timeline>('query($id: ID!) { order(id: $id) { events { type toStatus } } }', {
      id: order.id,
    });
    const steps = timeline.order.events.map((e) => (e.type === 'status_changed' ? e.toStatus : e.type));
    expect(steps).toEqual(
      expect.arrayContaining([
        'ALLOCATED',
        'shipment_created',
        'shipment_shipped',
        'PARTIALLY_SHIPPED',
        'SHIPPED',
        'DELIVERED',
        'COMPLETED',
        'return_requested',
        'return_approved',
        'return_received',
        'payment_refunded',
        'return_refunded',
      ]),
    );
  });

  it('cancels some units, then the rest, over HTTP; refuses an illegal step with ILLEGAL_TRANSITION', async () => {
    const order = await placeOrder([{ sku: SKU_A, quantity: 3 }]);
    const cancel = `mutation($id: ID!, $input: CancelOrderInput!) { cancelOrder(orderId: $id, input: $input) { ${ORDER} } }`;
    const partial = await ok<{ cancelOrder: OrderView }>(cancel, {
      id: order.id,
      input: { reason: 'one fewer', lines: [{ lineId: order.lines[0]!.id, quantity: 1 }] },
    });
    expect(partial.cancelOrder).toMatchObject({ status: 'ALLOCATED', totals: { total: { amount: 5000 } } });

    const over = await gql(t.base, cancel, {
      key: t.adminKey,
      variables: { id: order.id, input: { reason: 'x', lines: [{ lineId: order.lines[0]!.id, quantity: 5 }] } },
    });
    expect(codesOf(over)).toEqual(['BAD_USER_INPUT']);
    expect(over.body.errors![0]!.extensions).toMatchObject({ field: 'lines[0].quantity', max: 2 });

    const whole = await ok<{ cancelOrder: OrderView }>(cancel, { id: order.id, input: { reason: 'customer left' } });
    expect(whole.cancelOrder).toMatchObject({ status: 'CANCELLED', totals: { total: { amount: 0 } } });

    const again: GraphQLResponse = await gql(
      t.base,
      'mutation($id: ID!) { holdOrder(orderId: $id, reason: "late") { status } }',
      { key: t.adminKey, variables: { id: order.id } },
    );
    expect(codesOf(again)).toEqual(['ILLEGAL_TRANSITION']);
    expect(again.body.errors![0]!.extensions).toMatchObject({
      current: 'CANCELLED',
      requested: 'ON_HOLD',
      allowed: [],
    });
    expect(again.body.errors![0]!.message).toContain('none (final state)');
  });

  it('holds an ALLOCATED order over HTTP (not ILLEGAL_TRANSITION), refuses to ship it, and releases it back to ALLOCATED', async () => {
    const order = await placeOrder([{ sku: SKU_A, quantity: 1 }]);
    const hold = await ok<{ holdOrder: { status: string; holdReason: string; heldFromStatus: string } }>(
      'mutation($id: ID!) { holdOrder(orderId: $id, reason: "fraud signal after payment") { status holdReason heldFromStatus } }',
      { id: order.id },
    );
    expect(hold.holdOrder).toEqual({
      status: 'ON_HOLD',
      holdReason: 'fraud signal after payment',
      heldFromStatus: 'ALLOCATED',
    });
    const ship = await gql(t.base, 'mutation($id: ID!) { createShipment(orderId: $id) { shipments { id } } }', {
      key: t.adminKey,
      variables: { id: order.id },
    });
    expect(codesOf(ship)).toEqual(['ILLEGAL_TRANSITION']);
    const release = await ok<{ releaseOrderHold: { status: string; heldFromStatus: string | null } }>(
      'mutation($id: ID!) { releaseOrderHold(orderId: $id) { status heldFromStatus } }',
      { id: order.id },
    );
    expect(release.releaseOrderHold).toEqual({ status: 'ALLOCATED', heldFromStatus: null });
  });

  it('answers CONFLICT for an edit prepared from an old version, ILLEGAL_TRANSITION for an order past editing', async () => {
    const order = await placeOrder([{ sku: SKU_A, quantity: 1 }]);
    const edit = 'mutation($id: ID!, $input: EditOrderInput!) { editOrder(orderId: $id, input: $input) { status } }';
    // Placement itself moved the version past 1.
    const stale = await gql(t.base, edit, {
      key: t.adminKey,
      variables: { id: order.id, input: { lines: [{ lineId: order.lines[0]!.id, quantity: 2 }], expectedVersion: 1 } },
    });
    expect(codesOf(stale)).toEqual(['CONFLICT']);
    expect(stale.body.errors![0]!.extensions).toMatchObject({ expectedVersion: 1 });
    const late = await gql(t.base, edit, {
      key: t.adminKey,
      variables: { id: order.id, input: { lines: [{ lineId: order.lines[0]!.id, quantity: 2 }] } },
    });
    expect(codesOf(late)).toEqual(['ILLEGAL_TRANSITION']);
    expect(late.body.errors![0]!.extensions).toMatchObject({
      current: 'ALLOCATED',
      allowed: ['PENDING', 'CONFIRMED', 'ON_HOLD', 'PAYMENT_AUTHORIZED', 'BACKORDERED'],
    });
  });
});
