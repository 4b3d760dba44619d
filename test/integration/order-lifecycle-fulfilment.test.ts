import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError, type ErrorCode } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { completeOrder } from '../../src/domain/orders/lifecycle/complete-order.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { approveReturn, rejectReturn } from '../../src/domain/orders/lifecycle/decide-return.js';
import { markShipmentDelivered } from '../../src/domain/orders/lifecycle/mark-shipment-delivered.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { receiveReturn } from '../../src/domain/orders/lifecycle/receive-return.js';
import { requestReturn } from '../../src/domain/orders/lifecycle/request-return.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { ADMIN, contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { orderState, recordingPayments, reservationsOf, stockOf, timelineOf } from '../support/order-lifecycle.js';

let db: TestDatabase;
let orm: Orm;
let loc: Record<string, string>;
const payments = recordingPayments();
const deps = { payments };
let n = 0;
const NOWHERE = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  loc = await createLocations(contextFor(orm.em), [
    { code: 'DAL', latitude: 32.78, longitude: -96.8 },
    { code: 'NYC', latitude: 40.71, longitude: -74.0 },
  ]);
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

async function sku(price: number, stockAt: Record<string, number>): Promise<string> {
  const code = `FF-${++n}`;
  await createSku(ctx(), code, price);
  for (const [where, qty] of Object.entries(stockAt)) await stock(ctx(), code, loc[where]!, qty);
  return code;
}

const place = (lines: { sku: string; quantity: number }[]): Promise<Order> =>
  placeOrder(
    ctx(),
    { payments, policy: { holdTotalAbove: null } },
    { currency: 'USD', shippingAddress: { ...ADDRESS, latitude: 32.8, longitude: -96.8 }, lines },
  );

type LineRow = { id: string; sku: string; quantity: number; quantity_allocated: number; quantity_shipped: number };
const linesOf = (orderId: string) =>
  sql<LineRow>(db.url, 'select * from order_line where order_id = $1 order by position', [orderId]);
const statusOf = async (orderId: string) =>
  (await sql<{ status: string }>(db.url, 'select status from "order" where id = $1', [orderId]))[0]!.status;

async function refusedUnchanged(
  orderId: string,
  change: () => Promise<unknown>,
  code: ErrorCode,
): Promise<DomainError> {
  const before = await orderState(db.url, orderId);
  const error = await change().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  expect(await orderState(db.url, orderId)).toEqual(before);
  return error as DomainError;
}

/** An order shipped in full from DAL (one parcel), ready for returns. */
async function shippedOrder(lines: { price: number; quantity: number }[]) {
  const skus: string[] = [];
  for (const l of lines) skus.push(await sku(l.price, { DAL: 20 }));
  const order = await place(lines.map((l, i) => ({ sku: skus[i]!, quantity: l.quantity })));
  const { shipments } = await createShipment(ctx(), order.id);
  await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: `1Z${n}` });
  return { order, skus, lines: await linesOf(order.id), shipmentId: shipments[0]!.shipment.id };
}

describe('shipments: from ALLOCATED to COMPLETED', () => {
  it('ships an order split over two locations as one shipment per location, then delivers and completes it', async () => {
    const a = await sku(1000, { DAL: 5 });
    const b = await sku(300, { NYC: 5 });
    const order = await place([
      { sku: a, quantity: 2 },
      { sku: b, quantity: 1 },
    ]);
    expect(order.status).toBe('ALLOCATED');
    const [lineA, lineB] = await linesOf(order.id);

    const { shipments } = await createShipment(ctx(), order.id);
    expect(
      shipments.map((s) => ({ location: s.shipment.locationId, status: s.shipment.status, lines: s.lines })),
    ).toEqual(
      expect.arrayContaining([
        { location: loc.DAL, status: 'created', lines: [{ orderLineId: lineA!.id, sku: a, quantity: 2 }] },
        { location: loc.NYC, status: 'created', lines: [{ orderLineId: lineB!.id, sku: b, quantity: 1 }] },
      ]),
    );
    expect(shipments).toHaveLength(2);
    const dal = shipments.find((s) => s.shipment.locationId === loc.DAL)!.shipment.id;
    const nyc = shipments.find((s) => s.shipment.locationId === loc.NYC)!.shipment.id;
    // Creating a parcel moves no stock yet.
    expect(await stockOf(db.url, a, loc.DAL!)).toEqual({ onHand: 5, reserved: 2 });

    const first = await markShipmentShipped(ctx(), dal, {
      carrier: 'UPS',
      service: 'Ground',
      trackingNumber: '1Z999',
      trackingUrl: 'https://ups.example/1Z999',
    });
    expect(first.order.status).toBe('PARTIALLY_SHIPPED');
    expect(first.shipment.shipment).toMatchObject({ status: 'shipped', carrier: 'UPS', trackingNumber: '1Z999' });
    expect(await stockOf(db.url, a, loc.DAL!)).toEqual({ onHand: 3, reserved: 0 });
    expect(await reservationsOf(db.url, lineA!.id)).toEqual([
      { status: 'consumed', quantity: 2, location_id: loc.DAL },
    ]);
    expect((await linesOf(order.id))[0]!.quantity_shipped).toBe(2);

    expect((await markShipmentShipped(ctx(), nyc, { carrier: 'FedEx', trackingNumber: '7777' })).order.status).toBe(
      'SHIPPED',
    );
    expect((await markShipmentDelivered(ctx(), dal)).order.status).toBe('SHIPPED');
    expect((await markShipmentDelivered(ctx(), nyc)).order.status).toBe('DELIVERED');
    expect((await completeOrder(ctx(), order.id)).status).toBe('COMPLETED');

    const types = (await timelineOf(db.url, order.id)).map((e) =>
      e.type === 'status_changed' ? `→${e.to_status}` : e.type,
    );
    expect(types.slice(-10)).toEqual([
      'shipment_created',
      'shipment_created',
      'shipment_shipped',
      '→PARTIALLY_SHIPPED',
      'shipment_shipped',
      '→SHIPPED',
      'shipment_delivered',
      'shipment_delivered',
      '→DELIVERED',
      '→COMPLETED',
    ]);
    const shipped = await sql<{ kind: string; n: number }>(
      db.url,
      'select kind, sum(on_hand_delta)::int as n from stock_movement where order_id = $1 group by kind order by kind',
      [order.id],
    );
    expect(shipped).toEqual([
      { kind: 'reserved', n: 0 },
      { kind: 'shipped', n: -3 },
    ]);
  });

  it('splits one line held at two locations into one shipment per location, the larger holding first', async () => {
    const a = await sku(1000, { DAL: 2, NYC: 3 });
    const order = await place([{ sku: a, quantity: 5 }]);
    const [line] = await linesOf(order.id);
    expect(await reservationsOf(db.url, line!.id)).toEqual(
      expect.arrayContaining([
        { status: 'active', quantity: 2, location_id: loc.DAL },
        { status: 'active', quantity: 3, location_id: loc.NYC },
      ]),
    );
    // Three units fit in NYC alone: one parcel.
    const some = await createShipment(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 3 }] });
    expect(some.shipments.map((s) => [s.shipment.locationId, s.lines[0]!.quantity])).toEqual([[loc.NYC, 3]]);
    const rest = await createShipment(ctx(), order.id);
    expect(rest.shipments.map((s) => [s.shipment.locationId, s.lines[0]!.quantity])).toEqual([[loc.DAL, 2]]);
    for (const s of [...some.shipments, ...rest.shipments])
      await markShipmentShipped(ctx(), s.shipment.id, {
        carrier: 'UPS',
        trackingNumber: `X${s.shipment.id.slice(0, 6)}`,
      });
    expect(await statusOf(order.id)).toBe('SHIPPED');
    expect(await stockOf(db.url, a, loc.DAL!)).toEqual({ onHand: 0, reserved: 0 });
    expect(await stockOf(db.url, a, loc.NYC!)).toEqual({ onHand: 0, reserved: 0 });
  });

  it('hides another channel’s shipments and returns from a channel-scoped key (NOT_FOUND)', async () => {
    const { order, lines, shipmentId } = await shippedOrder([{ price: 100, quantity: 1 }]);
    const { returnRequest } = await requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 1 }] });
    const scoped = contextFor(orm.em, { ...ADMIN, channelId: 'shopify-eu' });
    await expect(markShipmentDelivered(scoped, shipmentId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { entity: 'Shipment' },
    });
    await expect(approveReturn(scoped, returnRequest.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { entity: 'Return' },
    });
    await expect(createShipment(scoped, order.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('ships part of a line from a chosen location, and the rest later', async () => {
    const a = await sku(1000, { DAL: 5 });
    const order = await place([{ sku: a, quantity: 3 }]);
    const [line] = await linesOf(order.id);
    const { shipments } = await createShipment(ctx(), order.id, {
      lines: [{ lineId: line!.id, quantity: 1 }],
      locationId: loc.DAL,
    });
    expect(shipments).toHaveLength(1);
    const over = await refusedUnchanged(
      order.id,
      () => createShipment(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 3 }] }),
      'BAD_USER_INPUT',
    );
    expect(over.details).toMatchObject({ field: 'lines[0].quantity', max: 2 });
    expect(over.message).toContain('in no shipment yet');
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'P1' });
    expect(await statusOf(order.id)).toBe('PARTIALLY_SHIPPED');
    const rest = await createShipment(ctx(), order.id);
    expect(rest.shipments[0]!.lines[0]!.quantity).toBe(2);
    await markShipmentShipped(ctx(), rest.shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'P2' });
    expect(await statusOf(order.id)).toBe('SHIPPED');
    expect((await completeOrder(ctx(), order.id)).status).toBe('COMPLETED');
  });

  it('ships what is held of a BACKORDERED order; the order becomes PARTIALLY_SHIPPED', async () => {
    const a = await sku(1000, { DAL: 1 });
    const order = await place([{ sku: a, quantity: 3 }]);
    expect(order.status).toBe('BACKORDERED');
    const { shipments } = await createShipment(ctx(), order.id);
    expect(
      (await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'B1' })).order
        .status,
    ).toBe('PARTIALLY_SHIPPED');
  });

  it('refuses shipment operations in the wrong state or with bad input, writing nothing', async () => {
    const a = await sku(1000, { DAL: 5 });
    const order = await place([{ sku: a, quantity: 1 }]);
    const { shipments } = await createShipment(ctx(), order.id);
    const id = shipments[0]!.shipment.id;
    expect(
      (await refusedUnchanged(order.id, () => createShipment(ctx(), order.id), 'BAD_USER_INPUT')).message,
    ).toContain('no allocated units');
    await refusedUnchanged(order.id, () => createShipment(ctx(), order.id, { locationId: NOWHERE }), 'NOT_FOUND');
    const early = await refusedUnchanged(order.id, () => markShipmentDelivered(ctx(), id), 'ILLEGAL_TRANSITION');
    expect(early.details).toMatchObject({
      current: 'CREATED',
      requested: 'DELIVERED',
      allowed: ['SHIPPED', 'CANCELLED'],
    });
    expect(
      (
        await refusedUnchanged(
          order.id,
          () => markShipmentShipped(ctx(), id, { carrier: '', trackingNumber: 'x' }),
          'BAD_USER_INPUT',
        )
      ).details,
    ).toMatchObject({ field: 'carrier' });
    expect(
      (
        await refusedUnchanged(
          order.id,
          () => markShipmentShipped(ctx(), id, { carrier: 'UPS', trackingNumber: 'x', trackingUrl: 'ftp://x' }),
          'BAD_USER_INPUT',
        )
      ).details,
    ).toMatchObject({ field: 'trackingUrl' });
    await refusedUnchanged(
      order.id,
      () => markShipmentShipped(ctx(), NOWHERE, { carrier: 'UPS', trackingNumber: 'x' }),
      'NOT_FOUND',
    );
    await refusedUnchanged(order.id, () => completeOrder(ctx(), order.id), 'ILLEGAL_TRANSITION');
    await markShipmentShipped(ctx(), id, { carrier: 'UPS', trackingNumber: 'S1' });
    expect(
      (
        await refusedUnchanged(
          order.id,
          () => markShipmentShipped(ctx(), id, { carrier: 'UPS', trackingNumber: 'S2' }),
          'ILLEGAL_TRANSITION',
        )
      ).details,
    ).toMatchObject({ current: 'SHIPPED' });
  });

  it('refuses to create a shipment for an order not yet allocated', async () => {
    const a = await sku(1000, { DAL: 5 });
    const order = await placeOrder(
      ctx(),
      { payments, policy: { holdTotalAbove: 0 } },
      { currency: 'USD', shippingAddress: ADDRESS, lines: [{ sku: a, quantity: 1 }] },
    );
    const error = await refusedUnchanged(order.id, () => createShipment(ctx(), order.id), 'ILLEGAL_TRANSITION');
    expect(error.details).toMatchObject({
      current: 'ON_HOLD',
      allowed: ['ALLOCATED', 'BACKORDERED', 'PARTIALLY_SHIPPED'],
    });
  });
});

describe('returns (RMA)', () => {
  it('walks a return from requested to refunded: restocks at the shipping location and refunds unit price × units received', async () => {
    const { order, skus, lines } = await shippedOrder([
      { price: 1250, quantity: 3 },
      { price: 400, quantity: 1 },
    ]);
    const calls = payments.calls.length;
    const requested = await requestReturn(ctx(), order.id, {
      reason: 'wrong size',
      lines: [
        { lineId: lines[0]!.id, quantity: 2, reason: 'too small' },
        { lineId: lines[1]!.id, quantity: 1 },
      ],
    });
    expect(requested.returnRequest).toMatchObject({
      status: 'requested',
      refundAmount: 2 * 1250 + 400,
      currency: 'USD',
    });
    const returnId = requested.returnRequest.id;
    expect((await approveReturn(ctx(), returnId, { note: 'ok' })).returnRequest.status).toBe('approved');
    const before = await stockOf(db.url, skus[0]!, loc.DAL!);
    const received = await receiveReturn(ctx(), deps, returnId, {
      lines: [
        { lineId: lines[0]!.id, quantity: 2, restock: true },
        { lineId: lines[1]!.id, quantity: 1, restock: false },
      ],
    });
    expect(received.returnRequest).toMatchObject({ status: 'refunded', refundAmount: 2900, refundedAmount: 2900 });
    expect(
      received.lines.map((l) => ({ sku: l.sku, received: l.line.receivedQuantity, restock: l.line.restock })),
    ).toEqual([
      { sku: skus[0], received: 2, restock: true },
      { sku: skus[1], received: 1, restock: false },
    ]);
    expect(await stockOf(db.url, skus[0]!, loc.DAL!)).toEqual({ onHand: before.onHand + 2, reserved: 0 });
    expect(await stockOf(db.url, skus[1]!, loc.DAL!)).toEqual({ onHand: 19, reserved: 0 });
    const returned = await sql<{ n: number }>(
      db.url,
      "select sum(on_hand_delta)::int as n from stock_movement where order_id = $1 and kind = 'returned'",
      [order.id],
    );
    expect(returned[0]!.n).toBe(2);
    expect(payments.calls.slice(calls)).toEqual([
      expect.objectContaining({ op: 'refund', amount: 2900, reference: `manual-${order.id}` }),
    ]);
    const types = (await timelineOf(db.url, order.id)).map((e) => e.type);
    expect(types.slice(-5)).toEqual([
      'return_requested',
      'return_approved',
      'return_received',
      'payment_refunded',
      'return_refunded',
    ]);
  });

  it('refunds only what arrived when fewer units come back than were requested', async () => {
    const { order, lines } = await shippedOrder([{ price: 500, quantity: 4 }]);
    const { returnRequest } = await requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 3 }] });
    await approveReturn(ctx(), returnRequest.id);
    const done = await receiveReturn(ctx(), deps, returnRequest.id, {
      lines: [{ lineId: lines[0]!.id, quantity: 1, restock: true }],
    });
    expect(done.returnRequest).toMatchObject({ refundAmount: 500, refundedAmount: 500 });
    // The two units that never came back may be requested again.
    const again = await requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 3 }] });
    expect(again.returnRequest.refundAmount).toBe(1500);
  });

  it('returns only shipped units, counting those already being returned; a rejected return frees them again', async () => {
    const { order, lines } = await shippedOrder([{ price: 1000, quantity: 2 }]);
    const over = await refusedUnchanged(
      order.id,
      () => requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 3 }] }),
      'BAD_USER_INPUT',
    );
    expect(over.details).toMatchObject({ field: 'lines[0].quantity', max: 2 });
    const first = await requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 2 }] });
    const none = await refusedUnchanged(
      order.id,
      () => requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 1 }] }),
      'BAD_USER_INPUT',
    );
    expect(none.details).toMatchObject({ max: 0 });
    expect((await rejectReturn(ctx(), first.returnRequest.id, { reason: 'worn' })).returnRequest).toMatchObject({
      status: 'rejected',
      decisionNote: 'worn',
    });
    expect(
      (await requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 1 }] })).returnRequest.status,
    ).toBe('requested');
  });

  it('refuses return steps out of order or with bad input, writing nothing', async () => {
    const { order, lines } = await shippedOrder([{ price: 1000, quantity: 2 }]);
    const { returnRequest } = await requestReturn(ctx(), order.id, { lines: [{ lineId: lines[0]!.id, quantity: 2 }] });
    const early = await refusedUnchanged(
      order.id,
      () =>
        receiveReturn(ctx(), deps, returnRequest.id, { lines: [{ lineId: lines[0]!.id, quantity: 1, restock: true }] }),
      'ILLEGAL_TRANSITION',
    );
    expect(early.details).toMatchObject({
      current: 'REQUESTED',
      requested: 'RECEIVED',
      allowed: ['APPROVED', 'REJECTED'],
    });
    await refusedUnchanged(order.id, () => rejectReturn(ctx(), returnRequest.id, { reason: ' ' }), 'BAD_USER_INPUT');
    await refusedUnchanged(order.id, () => approveReturn(ctx(), NOWHERE), 'NOT_FOUND');
    await approveReturn(ctx(), returnRequest.id);
    await refusedUnchanged(order.id, () => approveReturn(ctx(), returnRequest.id), 'ILLEGAL_TRANSITION');
    const over = await refusedUnchanged(
      order.id,
      () =>
        receiveReturn(ctx(), deps, returnRequest.id, { lines: [{ lineId: lines[0]!.id, quantity: 3, restock: true }] }),
      'BAD_USER_INPUT',
    );
    expect(over.details).toMatchObject({ field: 'lines[0].quantity', max: 2 });
    await refusedUnchanged(
      order.id,
      () => receiveReturn(ctx(), deps, returnRequest.id, { lines: [{ lineId: NOWHERE, quantity: 1, restock: true }] }),
      'NOT_FOUND',
    );
    await refusedUnchanged(
      order.id,
      () =>
        receiveReturn(ctx(), deps, returnRequest.id, { lines: [{ lineId: lines[0]!.id, quantity: 0, restock: true }] }),
      'BAD_USER_INPUT',
    );
  });

  it('refuses a return on an order with nothing shipped', async () => {
    const a = await sku(1000, { DAL: 5 });
    const order = await place([{ sku: a, quantity: 1 }]);
    const [line] = await linesOf(order.id);
    const error = await refusedUnchanged(
      order.id,
      () => requestReturn(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 1 }] }),
      'ILLEGAL_TRANSITION',
    );
    expect(error.details).toMatchObject({ current: 'ALLOCATED', operation: 'requestReturn' });
  });

  it('caps a refund at what the payment still holds (a discounted order returned in full)', async () => {
    const a = await sku(1000, { DAL: 5 });
    const order = await placeOrder(
      ctx(),
      { payments, policy: { holdTotalAbove: null } },
      { currency: 'USD', shippingAddress: ADDRESS, discountAmount: 300, lines: [{ sku: a, quantity: 1 }] },
    );
    const { shipments } = await createShipment(ctx(), order.id);
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'D1' });
    const [line] = await linesOf(order.id);
    const { returnRequest } = await requestReturn(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
    await approveReturn(ctx(), returnRequest.id);
    const done = await receiveReturn(ctx(), deps, returnRequest.id, {
      lines: [{ lineId: line!.id, quantity: 1, restock: true }],
    });
    expect(done.returnRequest).toMatchObject({ refundAmount: 1000, refundedAmount: 700 });
  });
});
