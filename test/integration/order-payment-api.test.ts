import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { invariantViolationsAt } from '../support/order-lifecycle.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * `Order.payment` over HTTP: the payment summary derived from the timeline follows placement
 * (AUTHORIZED), a line cancelled (PARTIALLY_VOIDED), the whole order cancelled (VOIDED), a hold at
 * placement (NONE) and its release (AUTHORIZED), and a return (PARTIALLY_REFUNDED). Orders above
 * 1000.00 USD are held (ORDER_HOLD_TOTAL_ABOVE).
 */
let t: TestHub;
let location: string;
const suffix = randomBytes(3).toString('hex');
const SKU_A = `PAY-A-${suffix}`;
const SKU_B = `PAY-B-${suffix}`;
const ADDRESS = { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', countryCode: 'US' };

type Money = { amount: number; currency: string };
type Payment = {
  provider: string | null;
  reference: string | null;
  status: string;
  authorized: Money;
  voided: Money;
  refunded: Money;
  open: Money;
};
type OrderView = {
  id: string;
  status: string;
  totals: { total: Money };
  lines: { id: string; sku: string }[];
  payment: Payment;
};
const ORDER = `id status totals { total { amount currency } } lines { id sku }
  payment { provider reference status authorized { amount currency } voided { amount currency } refunded { amount currency } open { amount currency } }`;

async function ok<T>(query: string, variables: Record<string, unknown> = {}, key = t.adminKey): Promise<T> {
  const res = await gql<T>(t.base, query, { key, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

async function placeOrder(lines: { sku: string; quantity: number }[]): Promise<OrderView> {
  const data = await ok<{ placeOrder: OrderView }>(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER} } }`,
    {
      input: { currency: 'USD', shippingAddress: ADDRESS, lines },
    },
  );
  return data.placeOrder;
}

async function orderOf(id: string, key = t.adminKey): Promise<OrderView> {
  return (await ok<{ order: OrderView }>(`query($id: ID!) { order(id: $id) { ${ORDER} } }`, { id }, key)).order;
}

const usd = (amount: number): Money => ({ amount, currency: 'USD' });
const CANCEL = `mutation($id: ID!, $input: CancelOrderInput!) { cancelOrder(orderId: $id, input: $input) { ${ORDER} } }`;

beforeAll(async () => {
  t = await startTestHub('api', { ORDER_HOLD_TOTAL_ABOVE: '100000' });
  location = (
    await ok<{ createLocation: { id: string } }>(
      'mutation($code: String!) { createLocation(input: { code: $code, name: $code, address: { line1: "1 Main St", city: "Austin", countryCode: "US" } }) { id } }',
      { code: `PAY${suffix}` },
    )
  ).createLocation.id;
  for (const [sku, price] of [
    [SKU_A, 2500],
    [SKU_B, 990],
  ] as const) {
    await ok(
      'mutation($sku: String!, $price: SafeInt!) { createProduct(input: { title: $sku, variants: [{ sku: $sku, priceAmount: $price, currency: "USD" }] }) { id } }',
      { sku, price },
    );
    await ok(
      'mutation($sku: String!, $loc: ID!) { receiveStock(sku: $sku, locationId: $loc, quantity: 100) { onHand } }',
      { sku, loc: location },
    );
  }
});
afterAll(async () => {
  try {
    expect(await invariantViolationsAt(t.db.url)).toEqual([]);
  } finally {
    await t.stop();
  }
});

describe('Order.payment over HTTP', () => {
  it('is AUTHORIZED for the total at placement, PARTIALLY_VOIDED after a line is cancelled, VOIDED after the order is', async () => {
    const order = await placeOrder([
      { sku: SKU_A, quantity: 2 },
      { sku: SKU_B, quantity: 3 },
    ]);
    expect(order.status).toBe('ALLOCATED');
    expect(order.totals.total).toEqual(usd(7970));
    expect(order.payment).toEqual({
      provider: 'manual',
      reference: expect.any(String),
      status: 'AUTHORIZED',
      authorized: usd(7970),
      voided: usd(0),
      refunded: usd(0),
      open: usd(7970),
    });
    const reference = order.payment.reference;

    const lineB = order.lines.find((l) => l.sku === SKU_B)!;
    const partial = (
      await ok<{ cancelOrder: OrderView }>(CANCEL, {
        id: order.id,
        input: { reason: 'one fewer', lines: [{ lineId: lineB.id, quantity: 1 }] },
      })
    ).cancelOrder;
    expect(partial.totals.total).toEqual(usd(6980));
    expect(partial.payment).toEqual({
      provider: 'manual',
      reference,
      status: 'PARTIALLY_VOIDED',
      authorized: usd(7970),
      voided: usd(990),
      refunded: usd(0),
      open: usd(6980),
    });
    expect(await orderOf(order.id)).toEqual(partial);

    const whole = (await ok<{ cancelOrder: OrderView }>(CANCEL, { id: order.id, input: { reason: 'customer left' } }))
      .cancelOrder;
    expect(whole.status).toBe('CANCELLED');
    expect(whole.payment).toMatchObject({
      status: 'VOIDED',
      authorized: usd(7970),
      voided: usd(7970),
      refunded: usd(0),
      open: usd(0),
    });
  });

  it('is NONE for an order held at placement, AUTHORIZED once the hold is released', async () => {
    const held = await placeOrder([{ sku: SKU_A, quantity: 50 }]);
    expect(held.status).toBe('ON_HOLD');
    expect(held.payment).toEqual({
      provider: null,
      reference: null,
      status: 'NONE',
      authorized: usd(0),
      voided: usd(0),
      refunded: usd(0),
      open: usd(0),
    });

    const released = (
      await ok<{ releaseOrderHold: OrderView }>(
        `mutation($id: ID!) { releaseOrderHold(orderId: $id, reason: "checked") { ${ORDER} } }`,
        { id: held.id },
      )
    ).releaseOrderHold;
    expect(released.status).toBe('ALLOCATED');
    expect(released.payment).toMatchObject({
      provider: 'manual',
      reference: expect.any(String),
      status: 'AUTHORIZED',
      authorized: usd(125_000),
      open: usd(125_000),
    });
  });

  it('is PARTIALLY_REFUNDED after a return, and visible to any key that can read the order', async () => {
    const order = await placeOrder([{ sku: SKU_A, quantity: 2 }]);
    const shipment = (
      await ok<{ createShipment: { shipments: { id: string }[] } }>(
        'mutation($id: ID!) { createShipment(orderId: $id) { shipments { id } } }',
        { id: order.id },
      )
    ).createShipment.shipments[0]!;
    await ok(
      'mutation($id: ID!) { markShipmentShipped(shipmentId: $id, input: { carrier: "UPS", trackingNumber: "1ZPAY" }) { shipment { status } } }',
      { id: shipment.id },
    );
    await ok('mutation($id: ID!) { markShipmentDelivered(shipmentId: $id) { shipment { status } } }', {
      id: shipment.id,
    });
    const requested = await ok<{ requestReturn: { return: { id: string } } }>(
      'mutation($id: ID!, $input: RequestReturnInput!) { requestReturn(orderId: $id, input: $input) { return { id } } }',
      { id: order.id, input: { reason: 'does not fit', lines: [{ lineId: order.lines[0]!.id, quantity: 1 }] } },
    );
    const returnId = requested.requestReturn.return.id;
    await ok('mutation($id: ID!) { approveReturn(returnId: $id) { return { status } } }', { id: returnId });
    const received = await ok<{ receiveReturn: { order: OrderView } }>(
      `mutation($id: ID!, $input: ReceiveReturnInput!) { receiveReturn(returnId: $id, input: $input) { order { ${ORDER} } } }`,
      { id: returnId, input: { lines: [{ lineId: order.lines[0]!.id, quantity: 1, restock: true }] } },
    );
    expect(received.receiveReturn.order.payment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      authorized: usd(5000),
      voided: usd(0),
      refunded: usd(2500),
      open: usd(2500),
    });

    const readOnly = (
      await ok<{ createApiKey: { key: string } }>(
        'mutation { createApiKey(input: { name: "payment reader", role: READ_ONLY }) { key } }',
      )
    ).createApiKey.key;
    expect((await orderOf(order.id, readOnly)).payment).toEqual(received.receiveReturn.order.payment);
  });
});
