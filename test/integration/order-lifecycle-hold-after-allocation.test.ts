import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError, type ErrorCode } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { cancelOrder } from '../../src/domain/orders/lifecycle/cancel-order.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { editOrder } from '../../src/domain/orders/lifecycle/edit-order.js';
import { holdOrder } from '../../src/domain/orders/lifecycle/hold-order.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { releaseOrderHold } from '../../src/domain/orders/lifecycle/release-order-hold.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { orderState, recordingPayments, stockOf, timelineOf } from '../support/order-lifecycle.js';

/**
 * Holds after allocation (issue 9): a merchant stops any order before it has fully shipped; the
 * hold keeps reservations and payment, blocks shipping, and the release returns the order to the
 * status it was held from.
 */
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
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

async function sku(price: number, onHand: number): Promise<string> {
  const code = `HA-${++n}`;
  await createSku(ctx(), code, price);
  await stock(ctx(), code, loc.AUS!, onHand);
  return code;
}

const place = (lines: { sku: string; quantity: number }[]): Promise<Order> =>
  placeOrder(
    ctx(),
    { payments, policy: { holdTotalAbove: null } },
    { currency: 'USD', shippingAddress: ADDRESS, lines },
  );

const linesOf = (orderId: string) =>
  sql<{ id: string; quantity_allocated: number; quantity_shipped: number }>(
    db.url,
    'select id, quantity_allocated, quantity_shipped from order_line where order_id = $1 order by position',
    [orderId],
  );

const heldFromOf = async (orderId: string) =>
  (
    await sql<{ held_from_status: string | null }>(db.url, 'select held_from_status from "order" where id = $1', [
      orderId,
    ])
  )[0]!.held_from_status;

/** The order's moves as `order.status_changed` messages (what the orderStatusChanged subscription carries). */
const statusMessages = async (orderId: string) =>
  (
    await sql<{ payload: { from: string; to: string } }>(
      db.url,
      "select payload from outbox_event where aggregate_id = $1 and topic = 'order.status_changed' order by id",
      [orderId],
    )
  ).map((r) => `${r.payload.from}→${r.payload.to}`);

async function refusedUnchanged(
  orderId: string,
  change: () => Promise<unknown>,
  code: ErrorCode,
): Promise<DomainError> {
  const before = await orderState(db.url, orderId);
  let error: unknown;
  try {
    await change();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  expect(await orderState(db.url, orderId)).toEqual(before);
  return error as DomainError;
}

describe('holding an order after its stock is allocated', () => {
  it('holds an ALLOCATED order (not ILLEGAL_TRANSITION), keeping its reservations and payment, and releases it back to ALLOCATED', async () => {
    const code = await sku(1000, 5);
    const order = await place([{ sku: code, quantity: 2 }]);
    expect(order.status).toBe('ALLOCATED');
    const calls = payments.calls.length;

    const held = await holdOrder(ctx(), order.id, { reason: 'fraud signal after payment' });
    expect(held).toMatchObject({
      status: 'ON_HOLD',
      holdReason: 'fraud signal after payment',
      heldFromStatus: 'ALLOCATED',
    });
    expect(await heldFromOf(order.id)).toBe('ALLOCATED');
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 5, reserved: 2 });

    const released = await releaseOrderHold(ctx(), deps, order.id, { reason: 'cleared by the fraud team' });
    expect(released).toMatchObject({ status: 'ALLOCATED', holdReason: null, heldFromStatus: null });
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 5, reserved: 2 });
    expect(payments.calls.slice(calls)).toEqual([]);
    expect((await statusMessages(order.id)).slice(-2)).toEqual(['ALLOCATED→ON_HOLD', 'ON_HOLD→ALLOCATED']);
    const release = (await timelineOf(db.url, order.id)).at(-1)!;
    expect(release).toMatchObject({
      from_status: 'ON_HOLD',
      to_status: 'ALLOCATED',
      reason: 'cleared by the fraud team',
      data: { holdReason: 'fraud signal after payment' },
    });
  });

  it('refuses createShipment and markShipmentShipped while held, and ships after the release', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 2 }]);
    const [line] = await linesOf(order.id);
    const { shipments } = await createShipment(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
    await holdOrder(ctx(), order.id, { reason: 'customer asks to wait' });

    const create = await refusedUnchanged(order.id, () => createShipment(ctx(), order.id), 'ILLEGAL_TRANSITION');
    expect(create.details).toMatchObject({ current: 'ON_HOLD', operation: 'createShipment' });
    const ship = await refusedUnchanged(
      order.id,
      () => markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'H1' }),
      'ILLEGAL_TRANSITION',
    );
    expect(ship.details).toMatchObject({ current: 'ON_HOLD', operation: 'markShipmentShipped' });

    await releaseOrderHold(ctx(), deps, order.id);
    const { order: after } = await markShipmentShipped(ctx(), shipments[0]!.shipment.id, {
      carrier: 'UPS',
      trackingNumber: 'H1',
    });
    expect(after.status).toBe('PARTIALLY_SHIPPED');
  });

  it('stops the remaining units of a PARTIALLY_SHIPPED order and releases it back to PARTIALLY_SHIPPED', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 2 }]);
    const [line] = await linesOf(order.id);
    const { shipments } = await createShipment(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'H2' });
    expect((await holdOrder(ctx(), order.id, { reason: 'address to check' })).heldFromStatus).toBe('PARTIALLY_SHIPPED');
    await refusedUnchanged(order.id, () => createShipment(ctx(), order.id), 'ILLEGAL_TRANSITION');
    expect((await releaseOrderHold(ctx(), deps, order.id)).status).toBe('PARTIALLY_SHIPPED');
    expect((await statusMessages(order.id)).slice(-2)).toEqual([
      'PARTIALLY_SHIPPED→ON_HOLD',
      'ON_HOLD→PARTIALLY_SHIPPED',
    ]);
  });

  it('keeps a held BACKORDERED order in line: arriving stock is reserved for it, and the release makes it ALLOCATED', async () => {
    const code = await sku(1000, 0);
    const older = await place([{ sku: code, quantity: 2 }]);
    const younger = await place([{ sku: code, quantity: 2 }]);
    expect([older.status, younger.status]).toEqual(['BACKORDERED', 'BACKORDERED']);
    await holdOrder(ctx(), older.id, { reason: 'customer asks to wait' });

    await stock(ctx(), code, loc.AUS!, 2);
    expect(await linesOf(older.id)).toEqual([expect.objectContaining({ quantity_allocated: 2 })]);
    expect(await linesOf(younger.id)).toEqual([expect.objectContaining({ quantity_allocated: 0 })]);
    const stillHeld = await sql<{ status: string }>(db.url, 'select status from "order" where id = $1', [older.id]);
    expect(stillHeld[0]!.status).toBe('ON_HOLD');
    await refusedUnchanged(older.id, () => createShipment(ctx(), older.id), 'ILLEGAL_TRANSITION');

    expect((await releaseOrderHold(ctx(), deps, older.id)).status).toBe('ALLOCATED');
    expect((await statusMessages(older.id)).slice(-3)).toEqual([
      'BACKORDERED→ON_HOLD',
      'ON_HOLD→BACKORDERED',
      'BACKORDERED→ALLOCATED',
    ]);
  });

  it('sources what an edit adds to an order held from BACKORDERED, which stays ON_HOLD', async () => {
    const short = await sku(1000, 0);
    const extra = await sku(500, 5);
    const order = await place([{ sku: short, quantity: 1 }]);
    await holdOrder(ctx(), order.id, { reason: 'customer asks to wait' });
    const edited = await editOrder(ctx(), deps, order.id, { addLines: [{ sku: extra, quantity: 2 }] });
    expect(edited.status).toBe('ON_HOLD');
    expect(await stockOf(db.url, extra, loc.AUS!)).toEqual({ onHand: 5, reserved: 2 });
    expect((await releaseOrderHold(ctx(), deps, order.id)).status).toBe('BACKORDERED');
  });

  it('releases a held PARTIALLY_SHIPPED order whose rest was cancelled while held as SHIPPED', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 2 }]);
    const [line] = await linesOf(order.id);
    const { shipments } = await createShipment(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'H4' });
    await holdOrder(ctx(), order.id, { reason: 'customer asks to wait' });
    const cancelled = await cancelOrder(ctx(), deps, order.id, {
      reason: 'rest no longer wanted',
      lines: [{ lineId: line!.id, quantity: 1 }],
    });
    expect(cancelled.status).toBe('ON_HOLD');
    expect((await releaseOrderHold(ctx(), deps, order.id)).status).toBe('SHIPPED');
    expect((await statusMessages(order.id)).slice(-2)).toEqual([
      'ON_HOLD→PARTIALLY_SHIPPED',
      'PARTIALLY_SHIPPED→SHIPPED',
    ]);
  });

  it('cancels a held ALLOCATED order: reservations released, the authorisation voided', async () => {
    const code = await sku(1500, 5);
    const order = await place([{ sku: code, quantity: 2 }]);
    await holdOrder(ctx(), order.id, { reason: 'fraud signal' });
    const calls = payments.calls.length;
    const cancelled = await cancelOrder(ctx(), deps, order.id, { reason: 'confirmed fraud' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', holdReason: null, heldFromStatus: null });
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 5, reserved: 0 });
    expect(payments.calls.slice(calls)).toEqual([expect.objectContaining({ op: 'void', amount: 3000 })]);
  });

  it('refuses to edit an order held from ALLOCATED, as it refuses to edit an ALLOCATED one', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 1 }]);
    const [line] = await linesOf(order.id);
    await holdOrder(ctx(), order.id, { reason: 'address to check' });
    const error = await refusedUnchanged(
      order.id,
      () => editOrder(ctx(), deps, order.id, { lines: [{ lineId: line!.id, quantity: 2 }] }),
      'ILLEGAL_TRANSITION',
    );
    expect(error.details).toMatchObject({ current: 'ON_HOLD', heldFrom: 'ALLOCATED', operation: 'editOrder' });
  });

  it('refuses to hold a SHIPPED order: nothing is left to stop', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 1 }]);
    const { shipments } = await createShipment(ctx(), order.id);
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'H3' });
    const error = await refusedUnchanged(
      order.id,
      () => holdOrder(ctx(), order.id, { reason: 'too late' }),
      'ILLEGAL_TRANSITION',
    );
    expect(error.details).toMatchObject({ current: 'SHIPPED', requested: 'ON_HOLD' });
  });
});
