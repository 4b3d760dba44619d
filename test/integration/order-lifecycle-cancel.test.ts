import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError, type ErrorCode } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { cancelOrder } from '../../src/domain/orders/lifecycle/cancel-order.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { orderState, recordingPayments, reservationsOf, stockOf, timelineOf } from '../support/order-lifecycle.js';

let db: TestDatabase;
let orm: Orm;
let loc: Record<string, string>;
const payments = recordingPayments();
const deps = { payments };
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  loc = await createLocations(contextFor(orm.em), [{ code: 'AUS' }]);
  await sql(db.url, "insert into channel (id, kind, name) values ('shopify-c', 'shopify', 'Shopify')");
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

async function sku(price: number, onHand: number): Promise<string> {
  const code = `CX-${++n}`;
  await createSku(ctx(), code, price);
  await stock(ctx(), code, loc.AUS!, onHand);
  return code;
}

async function place(
  lines: { sku: string; quantity: number }[],
  extra: { holdTotalAbove?: number; channelId?: string; shippingAmount?: number; discountAmount?: number } = {},
): Promise<Order> {
  return placeOrder(
    ctx(),
    { payments, policy: { holdTotalAbove: extra.holdTotalAbove ?? null } },
    {
      currency: 'USD',
      shippingAddress: ADDRESS,
      lines,
      channelId: extra.channelId ?? null,
      externalId: extra.channelId ? `ext-${++n}` : null,
      shippingAmount: extra.shippingAmount ?? 0,
      discountAmount: extra.discountAmount ?? 0,
    },
  );
}

type LineRow = {
  id: string;
  quantity: number;
  quantity_allocated: number;
  quantity_cancelled: number;
  quantity_shipped: number;
  line_total_amount: string;
};
const linesOf = (orderId: string) =>
  sql<LineRow>(db.url, 'select * from order_line where order_id = $1 order by position', [orderId]);

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

describe('cancelOrder: the whole order', () => {
  it('cancels an ALLOCATED order: reservations released, lines cancelled, totals zero, authorisation voided', async () => {
    const code = await sku(1500, 10);
    const order = await place([{ sku: code, quantity: 3 }], { shippingAmount: 500 });
    const calls = payments.calls.length;
    const cancelled = await cancelOrder(ctx(), deps, order.id, { reason: 'customer changed their mind' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', subtotalAmount: 0, shippingAmount: 0, totalAmount: 0 });
    const [line] = await linesOf(order.id);
    expect(line).toMatchObject({ quantity: 3, quantity_cancelled: 3, quantity_allocated: 0, line_total_amount: '0' });
    expect(await reservationsOf(db.url, line!.id)).toEqual([{ status: 'released', quantity: 3, location_id: loc.AUS }]);
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 10, reserved: 0 });
    expect(payments.calls.slice(calls)).toEqual([
      expect.objectContaining({ op: 'void', amount: 5000, reference: `manual-${order.id}` }),
    ]);
    const types = (await timelineOf(db.url, order.id)).slice(-3).map((e) => e.type);
    expect(types).toEqual(['order_cancelled', 'status_changed', 'payment_voided']);
    const outbox = await sql<{ topic: string }>(
      db.url,
      "select topic from outbox_event where aggregate_id = $1 and topic = 'order.status_changed' and payload->>'to' = 'CANCELLED'",
      [order.id],
    );
    expect(outbox).toHaveLength(1);
  });

  it('refunds instead of voiding for a channel order (paid on the channel)', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 2 }], { channelId: 'shopify-c' });
    const calls = payments.calls.length;
    await cancelOrder(ctx(), deps, order.id, { reason: 'channel cancelled' });
    expect(payments.calls.slice(calls)).toEqual([expect.objectContaining({ op: 'refund', amount: 2000 })]);
  });

  it('cancels an order on hold (never authorised) without calling the payment port', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 2 }], { holdTotalAbove: 0 });
    const calls = payments.calls.length;
    expect((await cancelOrder(ctx(), deps, order.id, { reason: 'fraud' })).status).toBe('CANCELLED');
    expect(payments.calls.length).toBe(calls);
  });

  it('cancels a parcel still being prepared along with the order', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 2 }]);
    const { shipments } = await createShipment(ctx(), order.id);
    await cancelOrder(ctx(), deps, order.id, { reason: 'too late for the customer' });
    const rows = await sql<{ status: string }>(db.url, 'select status from shipment where id = $1', [
      shipments[0]!.shipment.id,
    ]);
    expect(rows[0]!.status).toBe('cancelled');
  });

  it('cancels what has not shipped of a PARTIALLY_SHIPPED order and voids only that', async () => {
    const a = await sku(1000, 10);
    const b = await sku(400, 10);
    const order = await place([
      { sku: a, quantity: 1 },
      { sku: b, quantity: 2 },
    ]);
    const [lineA] = await linesOf(order.id);
    const { shipments } = await createShipment(ctx(), order.id, { lines: [{ lineId: lineA!.id, quantity: 1 }] });
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: '1Z1' });
    const calls = payments.calls.length;
    const cancelled = await cancelOrder(ctx(), deps, order.id, { reason: 'rest no longer wanted' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', subtotalAmount: 1000, totalAmount: 1000 });
    expect(payments.calls.slice(calls)).toEqual([expect.objectContaining({ op: 'void', amount: 800 })]);
    expect(await stockOf(db.url, b, loc.AUS!)).toEqual({ onHand: 10, reserved: 0 });
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 9, reserved: 0 });
  });

  it('refuses to cancel a SHIPPED order, naming the statuses that allow it, writing nothing', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 1 }]);
    const { shipments } = await createShipment(ctx(), order.id);
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: '1Z2' });
    const error = await refusedUnchanged(
      order.id,
      () => cancelOrder(ctx(), deps, order.id, { reason: 'too late' }),
      'ILLEGAL_TRANSITION',
    );
    expect(error.details).toMatchObject({ current: 'SHIPPED' });
    expect(error.details.allowed).toContain('PARTIALLY_SHIPPED');
    expect(error.details.allowed).not.toContain('SHIPPED');
  });
});

describe('stock freed by a cancellation', () => {
  it('goes to the oldest order waiting for it, in the same transaction', async () => {
    const code = await sku(1000, 2);
    const first = await place([{ sku: code, quantity: 2 }]);
    const waiting = await place([{ sku: code, quantity: 1 }]);
    expect(waiting.status).toBe('BACKORDERED');
    await cancelOrder(ctx(), deps, first.id, { reason: 'customer left' });
    const rows = await sql<{ status: string }>(db.url, 'select status from "order" where id = $1', [waiting.id]);
    expect(rows[0]!.status).toBe('ALLOCATED');
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 2, reserved: 1 });
  });
});

describe('cancelOrder: some lines', () => {
  it('cancels one unit of an allocated line: one unit released, totals and payment shrink by its price', async () => {
    const code = await sku(1200, 10);
    const order = await place([{ sku: code, quantity: 3 }]);
    const [line] = await linesOf(order.id);
    const calls = payments.calls.length;
    const after = await cancelOrder(ctx(), deps, order.id, {
      reason: 'one broken in the store',
      lines: [{ lineId: line!.id, quantity: 1 }],
    });
    expect(after).toMatchObject({ status: 'ALLOCATED', subtotalAmount: 2400, totalAmount: 2400 });
    expect((await linesOf(order.id))[0]).toMatchObject({
      quantity: 3,
      quantity_cancelled: 1,
      quantity_allocated: 2,
      line_total_amount: '2400',
    });
    expect(await reservationsOf(db.url, line!.id)).toEqual([
      { status: 'active', quantity: 2, location_id: loc.AUS },
      { status: 'released', quantity: 1, location_id: loc.AUS },
    ]);
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 10, reserved: 2 });
    expect(payments.calls.slice(calls)).toEqual([expect.objectContaining({ op: 'void', amount: 1200 })]);
    expect((await timelineOf(db.url, order.id)).at(-2)).toMatchObject({
      type: 'lines_cancelled',
      data: { lines: [{ lineId: line!.id, quantity: 1 }] },
    });
  });

  it('cancels backordered units before held ones, and the order becomes ALLOCATED', async () => {
    const code = await sku(100, 3);
    const order = await place([{ sku: code, quantity: 5 }]);
    expect(order.status).toBe('BACKORDERED');
    const [line] = await linesOf(order.id);
    const after = await cancelOrder(ctx(), deps, order.id, {
      reason: 'only 3 wanted',
      lines: [{ lineId: line!.id, quantity: 2 }],
    });
    expect(after.status).toBe('ALLOCATED');
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 3, reserved: 3 });
  });

  it('cancelling every open unit cancels the order', async () => {
    const order = await place([{ sku: await sku(100, 3), quantity: 2 }]);
    const [line] = await linesOf(order.id);
    expect(
      (await cancelOrder(ctx(), deps, order.id, { reason: 'all gone', lines: [{ lineId: line!.id, quantity: 2 }] }))
        .status,
    ).toBe('CANCELLED');
  });

  it('never lets the total go negative: the discount shrinks with the subtotal', async () => {
    const order = await place(
      [
        { sku: await sku(1000, 10), quantity: 1 },
        { sku: await sku(100, 10), quantity: 1 },
      ],
      { discountAmount: 500 },
    );
    const [line] = await linesOf(order.id);
    const after = await cancelOrder(ctx(), deps, order.id, { reason: 'x', lines: [{ lineId: line!.id, quantity: 1 }] });
    expect(after).toMatchObject({ subtotalAmount: 100, discountAmount: 100, totalAmount: 0 });
  });

  it('refuses bad cancellations with the field and the limit, writing nothing', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 2 }]);
    const [line] = await linesOf(order.id);
    const cancel = (input: Parameters<typeof cancelOrder>[3]) => () => cancelOrder(ctx(), deps, order.id, input);
    const over = await refusedUnchanged(
      order.id,
      cancel({ reason: 'x', lines: [{ lineId: line!.id, quantity: 3 }] }),
      'BAD_USER_INPUT',
    );
    expect(over.details).toMatchObject({ field: 'lines[0].quantity', max: 2 });
    expect(over.message).toContain('from 1 to 2');
    await refusedUnchanged(
      order.id,
      cancel({ reason: 'x', lines: [{ lineId: '00000000-0000-4000-8000-000000000000', quantity: 1 }] }),
      'NOT_FOUND',
    );
    expect(
      (await refusedUnchanged(order.id, cancel({ reason: 'x', lines: [] }), 'BAD_USER_INPUT')).details,
    ).toMatchObject({ field: 'lines' });
    expect((await refusedUnchanged(order.id, cancel({ reason: '' }), 'BAD_USER_INPUT')).details).toMatchObject({
      field: 'reason',
    });
    const twice = await refusedUnchanged(
      order.id,
      cancel({
        reason: 'x',
        lines: [
          { lineId: line!.id, quantity: 1 },
          { lineId: line!.id, quantity: 1 },
        ],
      }),
      'BAD_USER_INPUT',
    );
    expect(twice.details).toMatchObject({ field: 'lines[1].lineId' });
    await refusedUnchanged(
      order.id,
      () => cancelOrder(ctx(), deps, '00000000-0000-4000-8000-000000000000', { reason: 'x' }),
      'NOT_FOUND',
    );
  });

  it('releases held units that are in a prepared parcel by cancelling that parcel, keeping the rest allocated', async () => {
    const code = await sku(100, 10);
    const order = await place([{ sku: code, quantity: 4 }]);
    const [line] = await linesOf(order.id);
    await createShipment(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 3 }] });
    // 1 unit is free, 3 are in the parcel: cancelling 2 must cancel the parcel.
    await cancelOrder(ctx(), deps, order.id, { reason: 'two fewer', lines: [{ lineId: line!.id, quantity: 2 }] });
    const shipments = await sql<{ status: string }>(db.url, 'select status from shipment where order_id = $1', [
      order.id,
    ]);
    expect(shipments).toEqual([{ status: 'cancelled' }]);
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 10, reserved: 2 });
    // The two units left can go in a new parcel.
    const { shipments: again } = await createShipment(ctx(), order.id);
    expect(again[0]!.lines).toEqual([{ orderLineId: line!.id, sku: code, quantity: 2 }]);
  });
});
