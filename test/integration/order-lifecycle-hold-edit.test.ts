import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ErrorCode } from '../../src/domain/errors.js';
import { DomainError } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { confirmOrder } from '../../src/domain/orders/lifecycle/confirm-order.js';
import { editOrder } from '../../src/domain/orders/lifecycle/edit-order.js';
import { holdOrder } from '../../src/domain/orders/lifecycle/hold-order.js';
import { releaseOrderHold } from '../../src/domain/orders/lifecycle/release-order-hold.js';
import { transitionOrder } from '../../src/domain/orders/order-transitions.js';
import { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { inTransaction } from '../../src/domain/transaction.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { ADMIN, contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { orderState, recordingPayments, reservationsOf, stockOf, timelineOf } from '../support/order-lifecycle.js';
import pg from 'pg';

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

/** A fresh SKU priced `price`, with `onHand` units at AUS. */
async function sku(price: number, onHand: number): Promise<string> {
  const code = `HE-${++n}`;
  await createSku(ctx(), code, price);
  await stock(ctx(), code, loc.AUS!, onHand);
  return code;
}

async function place(lines: { sku: string; quantity: number }[], holdTotalAbove: number | null = null): Promise<Order> {
  return placeOrder(
    ctx(),
    { payments, policy: { holdTotalAbove } },
    { currency: 'USD', shippingAddress: ADDRESS, lines },
  );
}

type LineRow = {
  id: string;
  sku: string;
  quantity: number;
  quantity_allocated: number;
  quantity_cancelled: number;
  line_total_amount: string;
};
const linesOf = (orderId: string) =>
  sql<LineRow>(
    db.url,
    'select id, sku, quantity, quantity_allocated, quantity_cancelled, line_total_amount from order_line where order_id = $1 order by position',
    [orderId],
  );
const orderRow = async (orderId: string) =>
  (
    await sql<{
      status: string;
      version: number;
      subtotal_amount: string;
      total_amount: string;
      hold_reason: string | null;
      shipping_address: { city: string };
    }>(db.url, 'select * from "order" where id = $1', [orderId])
  )[0]!;

/** The change must be refused with `code`, and leave every row it could touch as it was. */
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

/** An order with nothing allocated or paid, put back to PENDING as a channel import would leave it. */
async function pendingOrder(lines: { sku: string; quantity: number }[]): Promise<Order> {
  const order = await place(lines, 0);
  await sql(db.url, `update "order" set status = 'PENDING', hold_reason = null where id = $1`, [order.id]);
  return order;
}

describe('confirmOrder, holdOrder, releaseOrderHold', () => {
  it('confirms a PENDING order and records who and why on the timeline', async () => {
    const order = await pendingOrder([{ sku: await sku(1000, 5), quantity: 1 }]);
    const confirmed = await confirmOrder(ctx(), order.id, { reason: 'checked by phone' });
    expect(confirmed.status).toBe('CONFIRMED');
    const last = (await timelineOf(db.url, order.id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'status_changed',
      from_status: 'PENDING',
      to_status: 'CONFIRMED',
      reason: 'checked by phone',
    });
  });

  it('refuses to confirm an ALLOCATED order with ILLEGAL_TRANSITION naming the allowed states', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 1 }]);
    const error = await refusedUnchanged(order.id, () => confirmOrder(ctx(), order.id), 'ILLEGAL_TRANSITION');
    expect(error.details).toMatchObject({
      current: 'ALLOCATED',
      requested: 'CONFIRMED',
      allowed: ['PARTIALLY_SHIPPED', 'SHIPPED', 'BACKORDERED', 'ON_HOLD', 'CANCELLED'],
    });
  });

  it('answers NOT_FOUND for an unknown or malformed order id', async () => {
    await expect(confirmOrder(ctx(), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(holdOrder(ctx(), 'not-a-uuid', { reason: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hides another channel’s order from a channel-scoped key (NOT_FOUND)', async () => {
    const order = await pendingOrder([{ sku: await sku(1000, 5), quantity: 1 }]);
    const scoped = contextFor(orm.em, { ...ADMIN, channelId: 'shopify-eu' });
    await expect(confirmOrder(scoped, order.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('holds a CONFIRMED order with its reason, and requires one', async () => {
    const order = await pendingOrder([{ sku: await sku(1000, 5), quantity: 1 }]);
    await confirmOrder(ctx(), order.id);
    const error = await refusedUnchanged(
      order.id,
      () => holdOrder(ctx(), order.id, { reason: '  ' }),
      'BAD_USER_INPUT',
    );
    expect(error.details).toMatchObject({ field: 'reason', max: 500 });
    const held = await holdOrder(ctx(), order.id, { reason: 'address looks odd' });
    expect(held.status).toBe('ON_HOLD');
    expect((await orderRow(order.id)).hold_reason).toBe('address looks odd');
  });

  it('releases a hold: CONFIRMED → PAYMENT_AUTHORIZED (authorising the total) → ALLOCATED with stock reserved', async () => {
    const code = await sku(2500, 5);
    const order = await place([{ sku: code, quantity: 2 }], 0);
    expect(order.status).toBe('ON_HOLD');
    const calls = payments.calls.length;
    const released = await releaseOrderHold(ctx(), deps, order.id, { reason: 'reviewed' });
    expect(released.status).toBe('ALLOCATED');
    expect(released.holdReason).toBeNull();
    expect(payments.calls.slice(calls)).toEqual([
      expect.objectContaining({ op: 'authorize', orderId: order.id, amount: 5000 }),
    ]);
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 5, reserved: 2 });
    const moves = (await timelineOf(db.url, order.id))
      .filter((e) => e.type === 'status_changed')
      .map((e) => `${e.from_status}→${e.to_status}`);
    expect(moves.slice(-3)).toEqual([
      'ON_HOLD→CONFIRMED',
      'CONFIRMED→PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED→ALLOCATED',
    ]);
  });

  it('reuses an authorisation taken before the hold instead of authorising twice', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 1 }], 0);
    await inTransaction(orm.em, async (tx) => {
      const o = await tx.findOneOrFail(Order, { id: order.id });
      transitionOrder(tx, o, 'PAYMENT_AUTHORIZED', ADMIN, 'test', {
        provider: 'manual',
        reference: 'manual-before',
        amount: o.totalAmount,
      });
      transitionOrder(tx, o, 'ON_HOLD', ADMIN, 'second look');
    });
    const calls = payments.calls.length;
    expect((await releaseOrderHold(ctx(), deps, order.id)).status).toBe('ALLOCATED');
    expect(payments.calls.slice(calls)).toEqual([]);
    const auth = (await timelineOf(db.url, order.id)).filter((e) => e.to_status === 'PAYMENT_AUTHORIZED').at(-1)!;
    expect(auth.data).toEqual({ reusedAuthorization: 'manual-before' });
  });

  it('refuses to release an order that is not on hold', async () => {
    const order = await place([{ sku: await sku(1000, 5), quantity: 1 }]);
    const error = await refusedUnchanged(order.id, () => releaseOrderHold(ctx(), deps, order.id), 'ILLEGAL_TRANSITION');
    expect(error.details).toMatchObject({ current: 'ALLOCATED', allowed: ['ON_HOLD'] });
  });

  it('keeps the order on hold, with nothing written, when the reject policy finds stock short', async () => {
    await sql(
      db.url,
      "insert into channel (id, kind, name, backorder_policy) values ('strict-he', 'direct', 'Strict', 'reject')",
    );
    const code = await sku(1000, 0);
    const order = await placeOrder(
      ctx(),
      { payments, policy: { holdTotalAbove: 0 } },
      { channelId: 'strict-he', currency: 'USD', shippingAddress: ADDRESS, lines: [{ sku: code, quantity: 1 }] },
    );
    await refusedUnchanged(order.id, () => releaseOrderHold(ctx(), deps, order.id), 'INSUFFICIENT_STOCK');
  });
});

describe('editOrder', () => {
  it('removes a backordered line: totals shrink, the payment difference is voided, the order becomes ALLOCATED', async () => {
    const inStock = await sku(1000, 10);
    const none = await sku(300, 0);
    const order = await place([
      { sku: inStock, quantity: 2 },
      { sku: none, quantity: 3 },
    ]);
    expect(order.status).toBe('BACKORDERED');
    const [, short] = await linesOf(order.id);
    const calls = payments.calls.length;
    const edited = await editOrder(ctx(), deps, order.id, {
      removeLineIds: [short!.id],
      reason: 'customer drops the backordered item',
    });
    expect(edited.status).toBe('ALLOCATED');
    expect(edited.subtotalAmount).toBe(2000);
    expect(edited.totalAmount).toBe(2000);
    expect(payments.calls.slice(calls)).toEqual([
      expect.objectContaining({ op: 'void', amount: 900, reference: `manual-${order.id}` }),
    ]);
    const lines = await linesOf(order.id);
    expect(lines[1]).toMatchObject({ quantity: 3, quantity_cancelled: 3, line_total_amount: '0' });
    const edit = (await timelineOf(db.url, order.id)).find((e) => e.type === 'edited')!;
    expect(edit.reason).toBe('customer drops the backordered item');
    expect(edit.data).toMatchObject({
      before: {
        lines: [
          { sku: inStock, quantity: 2 },
          { sku: none, quantity: 3 },
        ],
        totals: { total: 2900 },
      },
      after: { lines: [{ sku: inStock, quantity: 2 }], totals: { total: 2000 } },
    });
  });

  it('reduces an allocated line in a BACKORDERED order: the surplus reservation is released and the ledger says so', async () => {
    const code = await sku(1000, 10);
    const none = await sku(500, 0);
    const order = await place([
      { sku: code, quantity: 4 },
      { sku: none, quantity: 1 },
    ]);
    const [line] = await linesOf(order.id);
    await editOrder(ctx(), deps, order.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 10, reserved: 1 });
    expect(await reservationsOf(db.url, line!.id)).toEqual([
      { status: 'active', quantity: 1, location_id: loc.AUS },
      { status: 'released', quantity: 3, location_id: loc.AUS },
    ]);
    expect((await linesOf(order.id))[0]).toMatchObject({
      quantity: 1,
      quantity_allocated: 1,
      line_total_amount: '1000',
    });
    const released = await sql<{ n: number }>(
      db.url,
      "select sum(reserved_delta)::int as n from stock_movement where order_id = $1 and kind = 'released'",
      [order.id],
    );
    expect(released[0]!.n).toBe(-3);
  });

  it('adds a line and raises a quantity of a BACKORDERED order: new units are allocated, the extra amount authorised', async () => {
    const code = await sku(1000, 10);
    const later = await sku(700, 0);
    const extra = await sku(200, 10);
    const order = await place([
      { sku: code, quantity: 1 },
      { sku: later, quantity: 1 },
    ]);
    const [line, short] = await linesOf(order.id);
    const calls = payments.calls.length;
    const edited = await editOrder(ctx(), deps, order.id, {
      lines: [{ lineId: line!.id, quantity: 3 }],
      removeLineIds: [short!.id],
      addLines: [{ sku: extra, quantity: 2 }],
      shippingAddress: { ...ADDRESS, city: 'Dallas' },
    });
    expect(edited.status).toBe('ALLOCATED');
    expect(edited.totalAmount).toBe(3 * 1000 + 2 * 200);
    expect(payments.calls.slice(calls)).toEqual([expect.objectContaining({ op: 'authorize', amount: 3400 - 1700 })]);
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 10, reserved: 3 });
    expect(await stockOf(db.url, extra, loc.AUS!)).toEqual({ onHand: 10, reserved: 2 });
    expect((await orderRow(order.id)).shipping_address.city).toBe('Dallas');
  });

  it('edits an ON_HOLD order without touching stock or payment', async () => {
    const code = await sku(1000, 10);
    const order = await place([{ sku: code, quantity: 2 }], 0);
    const [line] = await linesOf(order.id);
    const calls = payments.calls.length;
    const edited = await editOrder(ctx(), deps, order.id, { lines: [{ lineId: line!.id, quantity: 5 }] });
    expect(edited).toMatchObject({ status: 'ON_HOLD', subtotalAmount: 5000, totalAmount: 5000 });
    expect(payments.calls.length).toBe(calls);
    expect(await stockOf(db.url, code, loc.AUS!)).toEqual({ onHand: 10, reserved: 0 });
  });

  it('refuses to edit an ALLOCATED order, naming the statuses that allow it', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 1 }]);
    const [line] = await linesOf(order.id);
    const error = await refusedUnchanged(
      order.id,
      () => editOrder(ctx(), deps, order.id, { lines: [{ lineId: line!.id, quantity: 2 }] }),
      'ILLEGAL_TRANSITION',
    );
    expect(error.details).toMatchObject({
      current: 'ALLOCATED',
      allowed: ['PENDING', 'CONFIRMED', 'ON_HOLD', 'PAYMENT_AUTHORIZED', 'BACKORDERED'],
    });
  });

  it('refuses bad edits with the field and the limit, writing nothing', async () => {
    const order = await place([
      { sku: await sku(1000, 10), quantity: 1 },
      { sku: await sku(100, 0), quantity: 1 },
    ]);
    const [line, short] = await linesOf(order.id);
    const edit = (input: Parameters<typeof editOrder>[3]) => () => editOrder(ctx(), deps, order.id, input);
    expect(
      (await refusedUnchanged(order.id, edit({ lines: [{ lineId: line!.id, quantity: 100_001 }] }), 'BAD_USER_INPUT'))
        .details,
    ).toMatchObject({
      field: 'lines[0].quantity',
      max: 100_000,
    });
    expect(
      (await refusedUnchanged(order.id, edit({ lines: [{ lineId: line!.id, quantity: 0 }] }), 'BAD_USER_INPUT'))
        .details,
    ).toMatchObject({ field: 'lines[0].quantity', min: 1 });
    await refusedUnchanged(
      order.id,
      edit({ lines: [{ lineId: '00000000-0000-4000-8000-000000000000', quantity: 1 }] }),
      'NOT_FOUND',
    );
    expect(
      (await refusedUnchanged(order.id, edit({ addLines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] }), 'BAD_USER_INPUT'))
        .details,
    ).toMatchObject({ field: 'addLines[0].sku' });
    expect(
      (await refusedUnchanged(order.id, edit({ removeLineIds: [line!.id, short!.id] }), 'BAD_USER_INPUT')).message,
    ).toContain('cancel it instead');
    expect((await refusedUnchanged(order.id, edit({}), 'BAD_USER_INPUT')).message).toContain('nothing to change');
    expect(
      (
        await refusedUnchanged(
          order.id,
          edit({ shippingAddress: { ...ADDRESS, countryCode: 'USA' } }),
          'BAD_USER_INPUT',
        )
      ).details,
    ).toMatchObject({ field: 'shippingAddress.countryCode' });
  });

  it('refuses an edit made against an old version with CONFLICT', async () => {
    const order = await place([{ sku: await sku(1000, 10), quantity: 1 }], 0);
    const [line] = await linesOf(order.id);
    const { version } = await orderRow(order.id);
    await editOrder(ctx(), deps, order.id, { lines: [{ lineId: line!.id, quantity: 2 }], expectedVersion: version });
    const error = await refusedUnchanged(
      order.id,
      () => editOrder(ctx(), deps, order.id, { lines: [{ lineId: line!.id, quantity: 3 }], expectedVersion: version }),
      'CONFLICT',
    );
    expect(error.details).toMatchObject({ expectedVersion: version });
  });
});

describe('concurrent edits of one order', () => {
  it('lets one of two simultaneous edits win; the other gets CONFLICT and changes nothing', async () => {
    const order = await place(
      [
        { sku: await sku(1000, 10), quantity: 1 },
        { sku: await sku(500, 10), quantity: 1 },
      ],
      0,
    );
    const [a, b] = await linesOf(order.id);
    // Hold the order row so both edits read the same version and queue on the claim.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select 1 from "order" where id = $1 for update', [order.id]);
    const edits = Promise.allSettled([
      editOrder(ctx(), deps, order.id, { lines: [{ lineId: a!.id, quantity: 4 }] }),
      editOrder(ctx(), deps, order.id, { lines: [{ lineId: b!.id, quantity: 6 }] }),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await blocker.query('rollback');
    await blocker.end();
    const results = await edits;
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as DomainError).code)).toEqual(['CONFLICT']);
    const lines = await linesOf(order.id);
    const winner = results[0]!.status === 'fulfilled' ? { a: 4, b: 1 } : { a: 1, b: 6 };
    expect({ a: lines[0]!.quantity, b: lines[1]!.quantity }).toEqual(winner);
    expect((await orderRow(order.id)).subtotal_amount).toBe(String(winner.a * 1000 + winner.b * 500));
    expect((await timelineOf(db.url, order.id)).filter((e) => e.type === 'edited')).toHaveLength(1);
  });

  it('never loses an update when clients race read-modify-write edits: every success counts, every failure is CONFLICT', async () => {
    const order = await place([{ sku: await sku(100, 1000), quantity: 1 }], 0);
    const [line] = await linesOf(order.id);
    let successes = 0;
    const racer = async () => {
      // What a client does: read the order, then send the change with the version it read.
      const [read] = await sql<{ version: number; quantity: number }>(
        db.url,
        'select o.version, l.quantity from "order" o join order_line l on l.order_id = o.id where o.id = $1',
        [order.id],
      );
      await editOrder(ctx(), deps, order.id, {
        lines: [{ lineId: line!.id, quantity: read!.quantity + 1 }],
        expectedVersion: read!.version,
      });
    };
    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled(Array.from({ length: 4 }, racer));
      for (const r of results) {
        if (r.status === 'fulfilled') successes++;
        else expect((r.reason as DomainError).code).toBe('CONFLICT');
      }
    }
    expect(successes).toBeGreaterThanOrEqual(10);
    expect((await linesOf(order.id))[0]!.quantity).toBe(1 + successes);
    expect((await timelineOf(db.url, order.id)).filter((e) => e.type === 'edited')).toHaveLength(successes);
  });
});
