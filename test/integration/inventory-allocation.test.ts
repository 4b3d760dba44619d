import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PostalAddress } from '../../src/domain/address.js';
import { DomainError } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { receiveStock, setStockThreshold, transferStock } from '../../src/domain/orders/stock-change.service.js';
import { createLocation, updateLocation } from '../../src/domain/inventory/location.service.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { allocateOrder, reallocateOrder } from '../../src/domain/orders/order-allocation.service.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** Sourcing, backorder policies, first-come-first-served backorders, allocateOrder and reallocateOrder on PostgreSQL. */
let db: TestDatabase;
let orm: Orm;
let loc: Record<string, string>;

const AUSTIN: PostalAddress = { ...ADDRESS, latitude: 30.27, longitude: -97.74 };
const NEW_YORK: PostalAddress = {
  line1: '1 Broadway',
  city: 'New York',
  region: 'NY',
  postalCode: '10004',
  countryCode: 'US',
  latitude: 40.7,
  longitude: -74.01,
};

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await sql(
    db.url,
    `insert into channel (id, kind, name, backorder_policy) values
       ('west', 'direct', 'West coast shop', 'backorder'),
       ('strict', 'direct', 'Strict', 'reject'),
       ('partial', 'direct', 'Partial', 'partial')`,
  );
  loc = await createLocations(ctx(), [
    { code: 'DAL', region: 'TX', latitude: 32.78, longitude: -96.8 },
    { code: 'LAX', region: 'CA', latitude: 34.05, longitude: -118.24 },
    { code: 'NYC', region: 'NY', latitude: 40.71, longitude: -74.0 },
    { code: 'WEST', region: 'CA', latitude: 37.77, longitude: -122.42, channelIds: ['west'] },
  ]);
  const store = await createLocation(ctx(), {
    code: 'STORE',
    name: 'Shop floor',
    address: ADDRESS,
    fulfilsOnline: false,
  });
  loc.STORE = store.id;
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a DomainError');
}

function order(
  lines: { sku: string; quantity: number }[],
  options: { channelId?: string; address?: PostalAddress } = {},
): Promise<Order> {
  return placeOrder(ctx(), orderDeps, {
    channelId: options.channelId ?? 'direct',
    currency: 'USD',
    shippingAddress: options.address ?? AUSTIN,
    lines,
  });
}

/** Active reservations of an order as "CODE:qty", sorted. */
async function heldAt(orderId: string): Promise<string[]> {
  const rows = await sql<{ code: string; quantity: number }>(
    db.url,
    `select l.code, r.quantity from reservation r join order_line ol on ol.id = r.order_line_id join location l on l.id = r.location_id
     where ol.order_id = $1 and r.status = 'active' order by l.code`,
    [orderId],
  );
  return rows.map((r) => `${r.code}:${r.quantity}`);
}

async function statusOf(orderId: string): Promise<string> {
  return (await sql<{ status: string }>(db.url, 'select status from "order" where id = $1', [orderId]))[0]!.status;
}

async function events(orderId: string, type?: string) {
  return sql<{
    type: string;
    reason: string;
    from_status: string | null;
    to_status: string | null;
    data: Record<string, unknown> | null;
  }>(
    db.url,
    `select type, reason, from_status, to_status, data from order_event where order_id = $1 ${type ? 'and type = $2' : ''} order by id`,
    type ? [orderId, type] : [orderId],
  );
}

async function setPlacedAt(orderId: string, minutesAgo: number): Promise<void> {
  await sql(db.url, `update "order" set placed_at = now() - make_interval(mins => $2) where id = $1`, [
    orderId,
    minutesAgo,
  ]);
}

describe('sourcing at placement', () => {
  it('prefers one location that ships everything over a nearer one that has part of it', async () => {
    await createSku(ctx(), 'SRC-1');
    await stock(ctx(), 'SRC-1', loc.DAL!, 1);
    await stock(ctx(), 'SRC-1', loc.LAX!, 5);
    const placed = await order([{ sku: 'SRC-1', quantity: 2 }]);
    expect(placed.status).toBe('ALLOCATED');
    expect(await heldAt(placed.id)).toEqual(['LAX:2']);
    const [sourced] = await events(placed.id, 'sourced');
    expect(sourced!.reason).toMatch(/^the line from LAX, \d+ km from the address; DAL had 0 of 1/);
  });

  it('picks the nearest location by distance', async () => {
    await createSku(ctx(), 'SRC-2');
    await stock(ctx(), 'SRC-2', loc.DAL!, 5);
    await stock(ctx(), 'SRC-2', loc.NYC!, 5);
    expect(await heldAt((await order([{ sku: 'SRC-2', quantity: 1 }])).id)).toEqual(['DAL:1']);
    expect(await heldAt((await order([{ sku: 'SRC-2', quantity: 1 }], { address: NEW_YORK })).id)).toEqual(['NYC:1']);
  });

  it('falls back to the same country and then priority when the address has no coordinates', async () => {
    await createSku(ctx(), 'SRC-3');
    const [canada, far] = [
      await createLocation(ctx(), {
        code: 'TOR',
        name: 'Toronto',
        address: { ...ADDRESS, countryCode: 'CA', region: 'ON' },
        priority: 1,
      }),
      await createLocation(ctx(), { code: 'OHIO', name: 'Ohio', address: { ...ADDRESS, region: 'OH' }, priority: 900 }),
    ];
    await stock(ctx(), 'SRC-3', canada.id, 5);
    await stock(ctx(), 'SRC-3', far.id, 5);
    const placed = await order([{ sku: 'SRC-3', quantity: 1 }], { address: { ...ADDRESS, region: 'WA' } });
    expect(await heldAt(placed.id)).toEqual(['OHIO:1']);
    expect((await events(placed.id, 'sourced'))[0]!.reason).toContain('OHIO, same country');
    await updateLocation(ctx(), far.id, { active: false });
    const next = await order([{ sku: 'SRC-3', quantity: 1 }], { address: { ...ADDRESS, region: 'WA' } });
    expect(await heldAt(next.id)).toEqual(['TOR:1']);
  });

  it('splits over the fewest locations when none has everything, and says so', async () => {
    await createSku(ctx(), 'SRC-4');
    await stock(ctx(), 'SRC-4', loc.DAL!, 2);
    await stock(ctx(), 'SRC-4', loc.LAX!, 1);
    await stock(ctx(), 'SRC-4', loc.NYC!, 3);
    const placed = await order([{ sku: 'SRC-4', quantity: 5 }]);
    expect(placed.status).toBe('ALLOCATED');
    expect(await heldAt(placed.id)).toEqual(['DAL:2', 'NYC:3']);
    const sourced = (await events(placed.id, 'sourced'))[0]!;
    expect(sourced.reason).toMatch(/^split over 2 locations: 3× SRC-4 from NYC .*; 2× SRC-4 from DAL/);
    expect(sourced.data!.reservations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locationId: loc.NYC, quantity: 3 }),
        expect.objectContaining({ locationId: loc.DAL, quantity: 2 }),
      ]),
    );
  });

  it('ships only from locations serving the channel, active and shipping online', async () => {
    await createSku(ctx(), 'SRC-5');
    await stock(ctx(), 'SRC-5', loc.WEST!, 5);
    await stock(ctx(), 'SRC-5', loc.STORE!, 5);
    const direct = await order([{ sku: 'SRC-5', quantity: 1 }]);
    expect(direct.status).toBe('BACKORDERED');
    expect((await events(direct.id, 'sourced'))[0]!.reason).toContain('no eligible location has stock');
    const west = await order([{ sku: 'SRC-5', quantity: 1 }], { channelId: 'west' });
    expect(west.status).toBe('ALLOCATED');
    expect(await heldAt(west.id)).toEqual(['WEST:1']);
  });

  it('never takes safety stock', async () => {
    await createSku(ctx(), 'SRC-6');
    await stock(ctx(), 'SRC-6', loc.DAL!, 5);
    await setStockThreshold(ctx(), { sku: 'SRC-6', locationId: loc.DAL!, field: 'safetyStock', value: 4 });
    expect((await order([{ sku: 'SRC-6', quantity: 2 }])).status).toBe('BACKORDERED');
  });
});

describe('when stock is short, the channel’s backorder policy decides', () => {
  it('backorder: the order waits as BACKORDERED with what could be reserved held', async () => {
    await createSku(ctx(), 'POL-1');
    await stock(ctx(), 'POL-1', loc.DAL!, 2);
    const placed = await order([{ sku: 'POL-1', quantity: 5 }]);
    expect(placed.status).toBe('BACKORDERED');
    expect(await heldAt(placed.id)).toEqual(['DAL:2']);
    const last = (await events(placed.id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'status_changed',
      to_status: 'BACKORDERED',
      reason: 'waiting for stock: short 3× POL-1',
    });
  });

  it('reject: INSUFFICIENT_STOCK, and nothing is written', async () => {
    await createSku(ctx(), 'POL-2');
    await stock(ctx(), 'POL-2', loc.DAL!, 2);
    const before = await sql(
      db.url,
      'select (select count(*) from "order") as o, (select count(*) from stock_movement) as m, (select count(*) from reservation) as r',
    );
    const error = await failure(order([{ sku: 'POL-2', quantity: 3 }], { channelId: 'strict' }));
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      message: 'Not enough stock: short 1× POL-2',
      details: { shortfall: [{ sku: 'POL-2', quantity: 1 }] },
    });
    expect(
      await sql(
        db.url,
        'select (select count(*) from "order") as o, (select count(*) from stock_movement) as m, (select count(*) from reservation) as r',
      ),
    ).toEqual(before);
    expect((await order([{ sku: 'POL-2', quantity: 2 }], { channelId: 'strict' })).status).toBe('ALLOCATED');
  });

  it('partial: ships what exists and cancels the rest, or cancels the order when nothing exists', async () => {
    await createSku(ctx(), 'POL-3');
    await createSku(ctx(), 'POL-4');
    await stock(ctx(), 'POL-3', loc.DAL!, 3);
    const some = await order(
      [
        { sku: 'POL-3', quantity: 5 },
        { sku: 'POL-4', quantity: 1 },
      ],
      { channelId: 'partial' },
    );
    expect(some.status).toBe('ALLOCATED');
    const lines = await sql(
      db.url,
      'select sku, quantity, quantity_allocated, quantity_cancelled from order_line where order_id = $1 order by position',
      [some.id],
    );
    expect(lines).toEqual([
      { sku: 'POL-3', quantity: 5, quantity_allocated: 3, quantity_cancelled: 2 },
      { sku: 'POL-4', quantity: 1, quantity_allocated: 0, quantity_cancelled: 1 },
    ]);
    // The cancelled units no longer count in the order's value (regression: totals kept them).
    const [totals] = await sql<{ subtotal_amount: string; total_amount: string; line_totals: string }>(
      db.url,
      'select o.subtotal_amount, o.total_amount, (select sum(line_total_amount) from order_line where order_id = o.id) as line_totals from "order" o where o.id = $1',
      [some.id],
    );
    const [price] = await sql<{ price_amount: string }>(db.url, "select price_amount from variant where sku = 'POL-3'");
    expect(Number(totals!.subtotal_amount)).toBe(3 * Number(price!.price_amount));
    expect(Number(totals!.line_totals)).toBe(Number(totals!.subtotal_amount));
    const none = await order([{ sku: 'POL-4', quantity: 1 }], { channelId: 'partial' });
    expect(none.status).toBe('CANCELLED');
  });
});

describe('backorders get arriving stock first come, first served', () => {
  it('allocates waiting orders by placedAt, oldest first, as receipts arrive, and explains it on the timeline', async () => {
    await createSku(ctx(), 'FIFO-1');
    // Created in another order than placed: placedAt decides, not creation.
    const c = await order([{ sku: 'FIFO-1', quantity: 1 }]);
    const a = await order([{ sku: 'FIFO-1', quantity: 2 }]);
    const b = await order([{ sku: 'FIFO-1', quantity: 3 }]);
    await setPlacedAt(a.id, 30);
    await setPlacedAt(b.id, 20);
    await setPlacedAt(c.id, 10);
    expect([a.status, b.status, c.status]).toEqual(['BACKORDERED', 'BACKORDERED', 'BACKORDERED']);

    const level = await receiveStock(ctx(), { sku: 'FIFO-1', locationId: loc.DAL!, quantity: 4 });
    expect(level).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
    expect(await statusOf(a.id)).toBe('ALLOCATED');
    expect(await statusOf(b.id)).toBe('BACKORDERED');
    expect(await heldAt(b.id)).toEqual(['DAL:2']);
    expect(await statusOf(c.id)).toBe('BACKORDERED');
    expect(await heldAt(c.id)).toEqual([]);

    const sourcedA = await events(a.id, 'sourced');
    expect(sourcedA.at(-1)!.reason).toMatch(/^stock arrived \(received 4× FIFO-1 at DAL\): the line from DAL/);
    expect((await events(a.id)).at(-1)).toMatchObject({
      type: 'status_changed',
      from_status: 'BACKORDERED',
      to_status: 'ALLOCATED',
    });
    // C got nothing, so nothing was recorded for it.
    expect(await events(c.id, 'sourced')).toHaveLength(1);

    await receiveStock(ctx(), { sku: 'FIFO-1', locationId: loc.NYC!, quantity: 1 });
    expect(await statusOf(b.id)).toBe('ALLOCATED');
    expect(await heldAt(b.id)).toEqual(['DAL:2', 'NYC:1']);
    expect(await statusOf(c.id)).toBe('BACKORDERED');

    const last = await receiveStock(ctx(), { sku: 'FIFO-1', locationId: loc.DAL!, quantity: 5 });
    expect(await statusOf(c.id)).toBe('ALLOCATED');
    expect(last).toMatchObject({ onHand: 9, reserved: 5, available: 4 });
  });

  it('skips an order whose channel cannot ship from where the stock is, and serves the next in line', async () => {
    await createSku(ctx(), 'FIFO-2');
    const directOrder = await order([{ sku: 'FIFO-2', quantity: 1 }]);
    const westOrder = await order([{ sku: 'FIFO-2', quantity: 1 }], { channelId: 'west' });
    await setPlacedAt(directOrder.id, 5);
    // WEST ships only for the west channel: the older direct order cannot use it, the west order can.
    await receiveStock(ctx(), { sku: 'FIFO-2', locationId: loc.WEST!, quantity: 1 });
    expect(await statusOf(directOrder.id)).toBe('BACKORDERED');
    expect(await statusOf(westOrder.id)).toBe('ALLOCATED');
    await receiveStock(ctx(), { sku: 'FIFO-2', locationId: loc.DAL!, quantity: 1 });
    expect(await statusOf(directOrder.id)).toBe('ALLOCATED');
  });

  it('hands each unit of concurrent receipts to exactly one waiting order, oldest first', async () => {
    await createSku(ctx(), 'FIFO-RACE');
    const waiting: Order[] = [];
    for (let i = 0; i < 12; i++) waiting.push(await order([{ sku: 'FIFO-RACE', quantity: 1 }]));
    for (const [i, o] of waiting.entries()) await setPlacedAt(o.id, 100 - i);
    const sites = [loc.DAL!, loc.LAX!, loc.NYC!, loc.DAL!, loc.LAX!, loc.NYC!, loc.DAL!, loc.LAX!];
    const results = await Promise.allSettled(
      sites.map((locationId) => receiveStock(contextFor(orm.em), { sku: 'FIFO-RACE', locationId, quantity: 1 })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const statuses = await Promise.all(waiting.map((o) => statusOf(o.id)));
    expect(statuses).toEqual([...Array(8).fill('ALLOCATED'), ...Array(4).fill('BACKORDERED')]);
    const reserved = await sql<{ r: number; h: number }>(
      db.url,
      "select sum(s.reserved)::int as r, sum(s.on_hand)::int as h from stock_level s join variant v on v.id = s.variant_id where v.sku = 'FIFO-RACE'",
    );
    expect(reserved[0]).toEqual({ r: 8, h: 8 });
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  });

  it('allocates when a transfer brings stock to a location that ships online', async () => {
    await createSku(ctx(), 'FIFO-3');
    await stock(ctx(), 'FIFO-3', loc.STORE!, 5);
    const waiting = await order([{ sku: 'FIFO-3', quantity: 3 }]);
    expect(waiting.status).toBe('BACKORDERED');
    const { from, to } = await transferStock(ctx(), {
      sku: 'FIFO-3',
      fromLocationId: loc.STORE!,
      toLocationId: loc.DAL!,
      quantity: 3,
    });
    expect(from).toMatchObject({ locationCode: 'STORE', onHand: 2 });
    expect(to).toMatchObject({ locationCode: 'DAL', onHand: 3, reserved: 3, available: 0 });
    expect(await statusOf(waiting.id)).toBe('ALLOCATED');
    expect((await events(waiting.id, 'sourced')).at(-1)!.reason).toContain(
      'stock arrived (transferred 3× FIFO-3 from STORE to DAL)',
    );
  });

  it('allocates when lowering safety stock frees units', async () => {
    await createSku(ctx(), 'FIFO-4');
    await stock(ctx(), 'FIFO-4', loc.DAL!, 3);
    await setStockThreshold(ctx(), { sku: 'FIFO-4', locationId: loc.DAL!, field: 'safetyStock', value: 3 });
    const waiting = await order([{ sku: 'FIFO-4', quantity: 2 }]);
    expect(waiting.status).toBe('BACKORDERED');
    const level = await setStockThreshold(ctx(), {
      sku: 'FIFO-4',
      locationId: loc.DAL!,
      field: 'safetyStock',
      value: 1,
    });
    expect(level).toMatchObject({ reserved: 2, safetyStock: 1, available: 0 });
    expect(await statusOf(waiting.id)).toBe('ALLOCATED');
  });
});

describe('allocateOrder', () => {
  it('re-runs sourcing for a backordered order and records why', async () => {
    await createSku(ctx(), 'ALLOC-1');
    const hidden = await createLocation(ctx(), {
      code: 'HIDDEN',
      name: 'Not yet open',
      address: ADDRESS,
      active: false,
    });
    await stock(ctx(), 'ALLOC-1', hidden.id, 4);
    const waiting = await order([{ sku: 'ALLOC-1', quantity: 4 }]);
    expect(waiting.status).toBe('BACKORDERED');
    // Opening a location does not allocate by itself; allocateOrder does.
    await updateLocation(ctx(), hidden.id, { active: true });
    const result = await allocateOrder(ctx(), waiting.id);
    expect(result.order.status).toBe('ALLOCATED');
    expect(result.reservations).toEqual([
      expect.objectContaining({ sku: 'ALLOC-1', locationCode: 'HIDDEN', quantity: 4 }),
    ]);
    expect(result.open).toEqual([]);
    expect(result.explanation).toMatch(/^allocation requested: the line from HIDDEN/);
    expect((await events(waiting.id, 'sourced')).at(-1)!.reason).toBe(result.explanation);
    await updateLocation(ctx(), hidden.id, { active: false });
  });

  it('keeps a still-short order BACKORDERED with what it got', async () => {
    await createSku(ctx(), 'ALLOC-2');
    const waiting = await order([{ sku: 'ALLOC-2', quantity: 3 }]);
    await sql(db.url, "update channel set backorder_policy = 'reject' where id = 'direct'");
    try {
      const hidden = await createLocation(ctx(), { code: 'HIDDEN-2', name: 'x', address: ADDRESS, active: false });
      await stock(ctx(), 'ALLOC-2', hidden.id, 1);
      await updateLocation(ctx(), hidden.id, { active: true });
      const result = await allocateOrder(ctx(), waiting.id);
      expect(result.order.status).toBe('BACKORDERED');
      expect(result.open).toEqual([expect.objectContaining({ sku: 'ALLOC-2', quantity: 2 })]);
      expect(result.reservations).toEqual([expect.objectContaining({ locationCode: 'HIDDEN-2', quantity: 1 })]);
      await updateLocation(ctx(), hidden.id, { active: false });
    } finally {
      await sql(db.url, "update channel set backorder_policy = 'backorder' where id = 'direct'");
    }
  });

  it('leaves a fully allocated order as it is, and refuses orders past allocation or unknown', async () => {
    await createSku(ctx(), 'ALLOC-3');
    await stock(ctx(), 'ALLOC-3', loc.DAL!, 1);
    const allocated = await order([{ sku: 'ALLOC-3', quantity: 1 }]);
    const eventsBefore = (await events(allocated.id)).length;
    const result = await allocateOrder(ctx(), allocated.id);
    expect(result).toMatchObject({
      explanation: 'nothing to allocate: every line is allocated or cancelled',
      open: [],
    });
    expect(result.order.status).toBe('ALLOCATED');
    expect(await events(allocated.id)).toHaveLength(eventsBefore);

    const cancelled = await order([{ sku: 'POL-4', quantity: 1 }], { channelId: 'partial' });
    expect(await failure(allocateOrder(ctx(), cancelled.id))).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      details: { current: 'CANCELLED', operation: 'allocateOrder' },
    });
    expect(await failure(allocateOrder(ctx(), '00000000-0000-4000-8000-000000000000'))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(allocateOrder(ctx(), 'nope'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hides orders of other channels from a channel-scoped key', async () => {
    await createSku(ctx(), 'ALLOC-4');
    const waiting = await order([{ sku: 'ALLOC-4', quantity: 1 }]);
    const scoped = contextFor(orm.em, {
      kind: 'api_key',
      id: 'west-ops',
      name: 'west ops',
      role: 'ops',
      channelId: 'west',
      keyPrefix: null,
    });
    expect(await failure(allocateOrder(scoped, waiting.id))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('reallocateOrder', () => {
  async function snapshot(orderId: string) {
    return {
      levels: await sql(db.url, 'select * from stock_level order by variant_id, location_id'),
      reservations: await sql(db.url, 'select id, status, quantity, location_id from reservation order by id'),
      lines: await sql(db.url, 'select * from order_line where order_id = $1 order by position', [orderId]),
      order: await sql(db.url, 'select status, version from "order" where id = $1', [orderId]),
      ledger: await sql(db.url, 'select count(*)::int as n from stock_movement'),
      events: await sql(db.url, 'select count(*)::int as n from order_event'),
      outbox: await sql(db.url, 'select count(*)::int as n from outbox_event'),
    };
  }

  it('may reallocate to where the stock already is: released and reserved again there', async () => {
    await createSku(ctx(), 'RE-1');
    await createSku(ctx(), 'RE-2');
    await stock(ctx(), 'RE-1', loc.DAL!, 2);
    await stock(ctx(), 'RE-2', loc.LAX!, 1);
    await stock(ctx(), 'RE-1', loc.NYC!, 2);
    await stock(ctx(), 'RE-2', loc.NYC!, 1);
    const placed = await order([
      { sku: 'RE-1', quantity: 2 },
      { sku: 'RE-2', quantity: 1 },
    ]);
    // Only NYC has both lines: one location beats two nearer ones.
    const result = await reallocateOrder(ctx(), placed.id, loc.NYC!);
    expect(result.order.status).toBe('ALLOCATED');
    expect(result.reservations.map((r) => `${r.sku}@${r.locationCode}:${r.quantity}`)).toEqual([
      'RE-1@NYC:2',
      'RE-2@NYC:1',
    ]);
    const levels = await sql<{ sku: string; code: string; reserved: number }>(
      db.url,
      `select v.sku, l.code, s.reserved from stock_level s join variant v on v.id = s.variant_id join location l on l.id = s.location_id
       where v.sku in ('RE-1', 'RE-2') order by v.sku, l.code`,
    );
    expect(levels.map((l) => `${l.sku}@${l.code}:${l.reserved}`)).toEqual([
      'RE-1@DAL:0',
      'RE-1@NYC:2',
      'RE-2@LAX:0',
      'RE-2@NYC:1',
    ]);
  });

  it('releases a split allocation and reserves it all at the chosen location, on the timeline', async () => {
    await createSku(ctx(), 'RE-3');
    await stock(ctx(), 'RE-3', loc.DAL!, 2);
    await stock(ctx(), 'RE-3', loc.LAX!, 2);
    const placed = await order([{ sku: 'RE-3', quantity: 4 }]);
    expect(await heldAt(placed.id)).toEqual(['DAL:2', 'LAX:2']);
    await stock(ctx(), 'RE-3', loc.NYC!, 4);

    const result = await reallocateOrder(ctx(), placed.id, loc.NYC!);
    expect(await heldAt(placed.id)).toEqual(['NYC:4']);
    expect(result.reservations).toEqual([expect.objectContaining({ sku: 'RE-3', locationCode: 'NYC', quantity: 4 })]);
    const released = await sql(
      db.url,
      "select count(*)::int as n from reservation r join order_line l on l.id = r.order_line_id where l.order_id = $1 and r.status = 'released'",
      [placed.id],
    );
    expect(released[0]!.n).toBe(2);
    const ledger = await sql(
      db.url,
      'select kind, reserved_delta from stock_movement where order_id = $1 order by id',
      [placed.id],
    );
    expect(ledger.map((m) => `${m.kind}:${m.reserved_delta}`)).toEqual([
      'reserved:2',
      'reserved:2',
      'released:-2',
      'released:-2',
      'reserved:4',
    ]);
    const reallocated = await events(placed.id, 'reallocated');
    expect(reallocated).toHaveLength(1);
    expect(reallocated[0]!.reason).toBe(
      'moved to NYC on request: released 2× RE-3 at DAL, 2× RE-3 at LAX; reserved 4× RE-3 at NYC',
    );
  });

  it('allocates a backordered order in full at one location', async () => {
    await createSku(ctx(), 'RE-4');
    await stock(ctx(), 'RE-4', loc.DAL!, 1);
    const placed = await order([{ sku: 'RE-4', quantity: 3 }]);
    expect(placed.status).toBe('BACKORDERED');
    const hidden = await createLocation(ctx(), { code: 'RE-HIDDEN', name: 'x', address: ADDRESS, active: false });
    await stock(ctx(), 'RE-4', hidden.id, 3);
    await updateLocation(ctx(), hidden.id, { active: true });
    const result = await reallocateOrder(ctx(), placed.id, hidden.id);
    expect(result.order.status).toBe('ALLOCATED');
    expect(await heldAt(placed.id)).toEqual(['RE-HIDDEN:3']);
    await updateLocation(ctx(), hidden.id, { active: false });
  });

  it('fails with INSUFFICIENT_STOCK and changes nothing when the location cannot cover everything', async () => {
    await createSku(ctx(), 'RE-5');
    await stock(ctx(), 'RE-5', loc.DAL!, 2);
    await stock(ctx(), 'RE-5', loc.LAX!, 2);
    await stock(ctx(), 'RE-5', loc.NYC!, 3);
    const placed = await order([{ sku: 'RE-5', quantity: 4 }]);
    const before = await snapshot(placed.id);
    const error = await failure(reallocateOrder(ctx(), placed.id, loc.NYC!));
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      details: { locationId: loc.NYC, shortfall: [{ sku: 'RE-5', quantity: 4, available: 3 }] },
    });
    expect(error.message).toBe(`NYC cannot take order ${placed.number}: needs 4× RE-5, has 3. Nothing was changed`);
    expect(await snapshot(placed.id)).toEqual(before);
  });

  it('refuses a location that does not ship for the order’s channel, or does not exist', async () => {
    await createSku(ctx(), 'RE-6');
    await stock(ctx(), 'RE-6', loc.DAL!, 1);
    await stock(ctx(), 'RE-6', loc.STORE!, 1);
    await stock(ctx(), 'RE-6', loc.WEST!, 1);
    const placed = await order([{ sku: 'RE-6', quantity: 1 }]);
    const before = await snapshot(placed.id);
    expect(await failure(reallocateOrder(ctx(), placed.id, loc.STORE!))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'locationId' },
    });
    expect(await failure(reallocateOrder(ctx(), placed.id, loc.WEST!))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('WEST does not ship for channel direct'),
    });
    expect(await failure(reallocateOrder(ctx(), placed.id, '00000000-0000-4000-8000-000000000000'))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await snapshot(placed.id)).toEqual(before);
  });
});

describe('reallocateOrder and shipments', () => {
  it('refuses to move stock a shipment is being prepared from', async () => {
    await createSku(ctx(), 'RE-7');
    await stock(ctx(), 'RE-7', loc.DAL!, 1);
    await stock(ctx(), 'RE-7', loc.NYC!, 1);
    const placed = await order([{ sku: 'RE-7', quantity: 1 }]);
    await createShipment(ctx(), placed.id);
    const held = await heldAt(placed.id);
    expect(await failure(reallocateOrder(ctx(), placed.id, loc.NYC!))).toMatchObject({
      code: 'CONFLICT',
      details: { locations: ['DAL'] },
    });
    expect(await heldAt(placed.id)).toEqual(held);
  });
});

describe('after every test above', () => {
  it('keeps every invariant', async () => {
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  });
});
