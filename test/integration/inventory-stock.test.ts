import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import {
  adjustStock,
  receiveStock,
  setStockThreshold,
  transferStock,
} from '../../src/domain/orders/stock-change.service.js';
import {
  createLocation,
  listLocations,
  updateLocation,
  type UpdateLocationPatch,
} from '../../src/domain/inventory/location.service.js';
import { lowStockItems } from '../../src/domain/inventory/low-stock.query.js';
import { availableToSell, stockLevels } from '../../src/domain/inventory/stock-levels.query.js';
import { stockMovements } from '../../src/domain/inventory/stock-movements.query.js';
import { reallocateOrder } from '../../src/domain/orders/order-allocation.service.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** Inventory operations on PostgreSQL: locations, receipts and corrections, reads, low stock. */
let db: TestDatabase;
let orm: Orm;
let loc: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await sql(
    db.url,
    `insert into channel (id, kind, name, stock_buffer) values
       ('shop-us', 'direct', 'Shop US', 3), ('big-buffer', 'direct', 'Big buffer', 1000), ('other', 'direct', 'Other', 0)`,
  );
  loc = await createLocations(ctx(), [
    { code: 'MAIN', priority: 10 },
    { code: 'SECOND', priority: 20 },
  ]);
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

async function ledgerRows(): Promise<number> {
  return (await sql<{ n: number }>(db.url, 'select count(*)::int as n from stock_movement'))[0]!.n;
}

async function outboxCount(topic: string, aggregateId: string): Promise<number> {
  return (
    await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from outbox_event where topic = $1 and aggregate_id = $2',
      [topic, aggregateId],
    )
  )[0]!.n;
}

async function order(sku: string, quantity: number, channelId = 'direct') {
  return placeOrder(ctx(), orderDeps, {
    channelId,
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku, quantity }],
  });
}

describe('locations', () => {
  it('updates name, address, coordinates, priority, flags and channels, but never the code', async () => {
    const created = await createLocation(ctx(), {
      code: 'upd-1',
      name: 'Old name',
      address: { ...ADDRESS, latitude: 30.1, longitude: -97.1 },
    });
    expect(created).toMatchObject({
      code: 'UPD-1',
      latitude: 30.1,
      longitude: -97.1,
      priority: 100,
      active: true,
      fulfilsOnline: true,
      channelIds: [],
    });

    const updated = await updateLocation(ctx(), created.id, {
      name: ' New name ',
      address: { ...ADDRESS, city: 'Dallas', countryCode: 'us' },
      latitude: null,
      priority: 5,
      active: false,
      fulfilsOnline: false,
      channelIds: ['shop-us', 'shop-us', 'other'],
    });
    expect(updated).toMatchObject({
      code: 'UPD-1',
      name: 'New name',
      latitude: null,
      longitude: -97.1,
      priority: 5,
      active: false,
      fulfilsOnline: false,
    });
    expect(updated.address).toMatchObject({ city: 'Dallas', countryCode: 'US' });
    expect(updated.channelIds).toEqual(['shop-us', 'other']);
    const stored = (await listLocations(ctx())).find((l) => l.id === created.id)!;
    expect(stored).toMatchObject({ name: 'New name', priority: 5, active: false, channelIds: ['shop-us', 'other'] });

    const untouched = await updateLocation(ctx(), created.id, {});
    expect(untouched).toMatchObject({ name: 'New name', priority: 5, longitude: -97.1 });
  });

  it('refuses a code change, unknown channels, bad limits and unknown locations', async () => {
    const { id } = await createLocation(ctx(), { code: 'UPD-2', name: 'Two', address: ADDRESS });
    expect(await failure(updateLocation(ctx(), id, { code: 'X' } as unknown as UpdateLocationPatch))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'code' },
    });
    expect(await failure(updateLocation(ctx(), id, { channelIds: ['nope'] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'channelIds', unknownChannelIds: ['nope'] },
    });
    expect(await failure(updateLocation(ctx(), id, { priority: 10_001 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'priority' },
    });
    expect(await failure(updateLocation(ctx(), id, { latitude: 91 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'latitude' },
    });
    expect(await failure(updateLocation(ctx(), id, { name: '   ' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'name' },
    });
    expect(await failure(updateLocation(ctx(), '00000000-0000-4000-8000-000000000000', { name: 'x' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(createLocation(ctx(), { code: 'upd-2', name: 'dup', address: ADDRESS }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      await failure(createLocation(ctx(), { code: 'X-1', name: 'x', address: ADDRESS, channelIds: ['ghost'] })),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'channelIds' },
    });
  });

  it('lists every location by priority, then code', async () => {
    const codes = (await listLocations(ctx())).map((l) => [l.priority, l.code]);
    expect(codes).toEqual(
      [...codes].sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1]))),
    );
    expect(codes.slice(0, 2)).toEqual([
      [5, 'UPD-1'],
      [10, 'MAIN'],
    ]);
  });
});

describe('receipts and corrections refuse bad input and write no ledger row', () => {
  beforeAll(async () => {
    await createSku(ctx(), 'BAD-1');
    await stock(ctx(), 'BAD-1', loc.MAIN!, 5);
  });

  const cases: [string, () => Promise<unknown>, { code: string; field?: string; message?: RegExp }][] = [
    [
      'a negative receipt',
      () => receiveStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, quantity: -3 }),
      { code: 'BAD_USER_INPUT', field: 'quantity' },
    ],
    [
      'a zero receipt',
      () => receiveStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, quantity: 0 }),
      { code: 'BAD_USER_INPUT', field: 'quantity' },
    ],
    [
      'a fractional receipt',
      () => receiveStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, quantity: 1.5 }),
      { code: 'BAD_USER_INPUT', field: 'quantity' },
    ],
    [
      'a receipt above the limit',
      () => receiveStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, quantity: 10_000_001 }),
      { code: 'BAD_USER_INPUT', field: 'quantity', message: /10000000/ },
    ],
    [
      'a receipt of an unknown SKU',
      () => receiveStock(ctx(), { sku: 'NOPE', locationId: loc.MAIN!, quantity: 1 }),
      { code: 'BAD_USER_INPUT', field: 'sku' },
    ],
    [
      'a receipt at an unknown location',
      () => receiveStock(ctx(), { sku: 'BAD-1', locationId: '00000000-0000-4000-8000-000000000000', quantity: 1 }),
      { code: 'NOT_FOUND' },
    ],
    [
      'a receipt at a malformed location id',
      () => receiveStock(ctx(), { sku: 'BAD-1', locationId: 'main', quantity: 1 }),
      { code: 'NOT_FOUND' },
    ],
    [
      'an adjustment below zero',
      () => adjustStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, delta: -6, reason: 'count' }),
      { code: 'BAD_USER_INPUT', field: 'delta', message: /below zero/ },
    ],
    [
      'an adjustment where nothing is stocked',
      () => adjustStock(ctx(), { sku: 'BAD-1', locationId: loc.SECOND!, delta: -1, reason: 'count' }),
      { code: 'BAD_USER_INPUT', field: 'delta', message: /no stock at SECOND/ },
    ],
    [
      'an adjustment without a reason',
      () => adjustStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, delta: 1, reason: '  ' }),
      { code: 'BAD_USER_INPUT', field: 'reason' },
    ],
    [
      'an adjustment of zero',
      () => adjustStock(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, delta: 0, reason: 'count' }),
      { code: 'BAD_USER_INPUT', field: 'delta' },
    ],
    [
      'a transfer to the same location',
      () => transferStock(ctx(), { sku: 'BAD-1', fromLocationId: loc.MAIN!, toLocationId: loc.MAIN!, quantity: 1 }),
      { code: 'BAD_USER_INPUT', field: 'toLocationId' },
    ],
    [
      'a transfer of more than is on hand',
      () => transferStock(ctx(), { sku: 'BAD-1', fromLocationId: loc.MAIN!, toLocationId: loc.SECOND!, quantity: 6 }),
      { code: 'BAD_USER_INPUT', field: 'quantity' },
    ],
    [
      'a transfer to an unknown location',
      () =>
        transferStock(ctx(), {
          sku: 'BAD-1',
          fromLocationId: loc.MAIN!,
          toLocationId: '00000000-0000-4000-8000-000000000000',
          quantity: 1,
        }),
      { code: 'NOT_FOUND' },
    ],
    [
      'a transfer of an unknown SKU',
      () => transferStock(ctx(), { sku: 'NOPE', fromLocationId: loc.MAIN!, toLocationId: loc.SECOND!, quantity: 1 }),
      { code: 'BAD_USER_INPUT', field: 'sku' },
    ],
    [
      'a negative safety stock',
      () => setStockThreshold(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, field: 'safetyStock', value: -1 }),
      { code: 'BAD_USER_INPUT', field: 'safetyStock' },
    ],
    [
      'a negative reorder point',
      () => setStockThreshold(ctx(), { sku: 'BAD-1', locationId: loc.MAIN!, field: 'reorderPoint', value: -1 }),
      { code: 'BAD_USER_INPUT', field: 'reorderPoint' },
    ],
  ];

  it.each(cases)('refuses %s', async (_name, call, expected) => {
    const before = await ledgerRows();
    const levels = await sql(db.url, 'select * from stock_level order by variant_id, location_id');
    const error = await failure(call());
    expect(error.code).toBe(expected.code);
    if (expected.field) expect(error.details.field).toBe(expected.field);
    if (expected.message) expect(error.message).toMatch(expected.message);
    expect(await ledgerRows()).toBe(before);
    expect(await sql(db.url, 'select * from stock_level order by variant_id, location_id')).toEqual(levels);
  });

  it('refuses an adjustment below what is reserved for orders, naming both numbers', async () => {
    await createSku(ctx(), 'BAD-2');
    await stock(ctx(), 'BAD-2', loc.MAIN!, 5);
    expect((await order('BAD-2', 3)).status).toBe('ALLOCATED');
    const before = await ledgerRows();
    const error = await failure(
      adjustStock(ctx(), { sku: 'BAD-2', locationId: loc.MAIN!, delta: -3, reason: 'damaged' }),
    );
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'delta', onHand: 5, reserved: 3 } });
    expect(error.message).toContain('below the 3 reserved');
    expect(await ledgerRows()).toBe(before);
    expect(
      (await adjustStock(ctx(), { sku: 'BAD-2', locationId: loc.MAIN!, delta: -2, reason: 'damaged' })).onHand,
    ).toBe(3);
  });

  it('moves stock between locations with one ledger row each side', async () => {
    await createSku(ctx(), 'MOVE-1');
    await stock(ctx(), 'MOVE-1', loc.MAIN!, 8);
    const { from, to } = await transferStock(ctx(), {
      sku: 'MOVE-1',
      fromLocationId: loc.MAIN!,
      toLocationId: loc.SECOND!,
      quantity: 3,
    });
    expect(from).toMatchObject({ sku: 'MOVE-1', locationCode: 'MAIN', onHand: 5, available: 5 });
    expect(to).toMatchObject({ sku: 'MOVE-1', locationCode: 'SECOND', onHand: 3, available: 3 });
    const rows = await sql(
      db.url,
      "select kind, on_hand_delta, reason from stock_movement m join variant v on v.id = m.variant_id where v.sku = 'MOVE-1' order by m.id",
    );
    expect(rows).toEqual([
      { kind: 'received', on_hand_delta: 8, reason: null },
      expect.objectContaining({ on_hand_delta: expect.any(Number), reason: 'transfer MAIN → SECOND' }),
      expect.objectContaining({ reason: 'transfer MAIN → SECOND' }),
    ]);
    expect(
      rows
        .slice(1)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(['transfer_in', 'transfer_out']);
  });
});

describe('stockLevels', () => {
  it('lists a SKU by location priority, with available = onHand − reserved − safetyStock', async () => {
    await createSku(ctx(), 'LVL-1');
    await stock(ctx(), 'LVL-1', loc.SECOND!, 4);
    await stock(ctx(), 'LVL-1', loc.MAIN!, 10);
    await setStockThreshold(ctx(), { sku: 'LVL-1', locationId: loc.MAIN!, field: 'safetyStock', value: 2 });
    await order('LVL-1', 3);
    const levels = await stockLevels(ctx(), { sku: 'LVL-1' });
    expect(levels.map((l) => [l.locationCode, l.onHand, l.reserved, l.safetyStock, l.available])).toEqual([
      ['MAIN', 10, 3, 2, 5],
      ['SECOND', 4, 0, 0, 4],
    ]);
    expect(await stockLevels(ctx(), { sku: 'LVL-1', locationId: loc.SECOND! })).toEqual([
      expect.objectContaining({ sku: 'LVL-1', onHand: 4 }),
    ]);
    const atSecond = await stockLevels(ctx(), { locationId: loc.SECOND! });
    expect(atSecond.every((l) => l.locationId === loc.SECOND)).toBe(true);
    expect(atSecond.map((l) => l.sku)).toContain('LVL-1');
  });

  it('answers NOT_FOUND for an unknown SKU or location, and [] for a SKU never stocked', async () => {
    expect(await failure(stockLevels(ctx(), { sku: 'NOPE' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(stockLevels(ctx(), { locationId: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
    await createSku(ctx(), 'LVL-EMPTY');
    expect(await stockLevels(ctx(), { sku: 'LVL-EMPTY' })).toEqual([]);
  });
});

describe('availableToSell', () => {
  let ats: Record<string, string>;
  beforeAll(async () => {
    await createSku(ctx(), 'ATS-1');
    const l = await createLocations(ctx(), [
      { code: 'ATS-ALL' },
      { code: 'ATS-SHOP', channelIds: ['shop-us'] },
      { code: 'ATS-OFF' },
      { code: 'ATS-STORE' },
      { code: 'ATS-SAFE' },
    ]);
    ats = l;
    await stock(ctx(), 'ATS-1', l['ATS-ALL']!, 10);
    await stock(ctx(), 'ATS-1', l['ATS-SHOP']!, 5);
    await stock(ctx(), 'ATS-1', l['ATS-OFF']!, 7);
    await stock(ctx(), 'ATS-1', l['ATS-STORE']!, 9);
    await stock(ctx(), 'ATS-1', l['ATS-SAFE']!, 2);
    await updateLocation(ctx(), l['ATS-OFF']!, { active: false });
    await updateLocation(ctx(), l['ATS-STORE']!, { fulfilsOnline: false });
    // Safety stock above on hand: available −3 there, which must not eat other locations' stock.
    await setStockThreshold(ctx(), { sku: 'ATS-1', locationId: l['ATS-SAFE']!, field: 'safetyStock', value: 5 });
  });

  it('sums available over the active, online locations serving the channel', async () => {
    const direct = await availableToSell(ctx(), 'ATS-1', 'direct');
    expect(direct.quantity).toBe(10);
    expect(direct.locations.map((x) => x.locationId).sort()).toEqual([ats['ATS-ALL'], ats['ATS-SAFE']].sort());
  });

  it('includes locations restricted to the channel and subtracts its stock buffer', async () => {
    expect(await availableToSell(ctx(), 'ATS-1', 'shop-us')).toMatchObject({ quantity: 10 + 5 - 3, stockBuffer: 3 });
  });

  it('never goes below zero when the buffer is larger than the stock', async () => {
    expect((await availableToSell(ctx(), 'ATS-1', 'big-buffer')).quantity).toBe(0);
  });

  it('drops as orders reserve and rises as stock arrives', async () => {
    await order('ATS-1', 4);
    expect((await availableToSell(ctx(), 'ATS-1', 'direct')).quantity).toBe(6);
    await receiveStock(ctx(), { sku: 'ATS-1', locationId: ats['ATS-SHOP']!, quantity: 1 });
    expect((await availableToSell(ctx(), 'ATS-1', 'direct')).quantity).toBe(6);
    expect((await availableToSell(ctx(), 'ATS-1', 'shop-us')).quantity).toBe(6 + 6 - 3);
  });

  it('names what is unknown', async () => {
    expect(await failure(availableToSell(ctx(), 'NOPE', 'direct'))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Variant NOPE does not exist',
    });
    expect(await failure(availableToSell(ctx(), 'ATS-1', 'nowhere'))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Channel nowhere does not exist',
    });
  });

  it('keeps a channel-scoped key to its own channel', async () => {
    const scoped = contextFor(orm.em, {
      kind: 'api_key',
      id: 'scoped',
      name: 'shop sync',
      role: 'integration',
      channelId: 'shop-us',
      keyPrefix: null,
    });
    expect((await availableToSell(scoped, 'ATS-1', 'shop-us')).channelId).toBe('shop-us');
    expect(await failure(availableToSell(scoped, 'ATS-1', 'direct'))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('stockMovements', () => {
  it('pages the ledger newest first, with a total, per SKU or per location', async () => {
    await createSku(ctx(), 'MOV-1');
    for (const q of [1, 2, 3]) await stock(ctx(), 'MOV-1', loc.MAIN!, q);
    await stock(ctx(), 'MOV-1', loc.SECOND!, 4);
    await adjustStock(ctx(), { sku: 'MOV-1', locationId: loc.MAIN!, delta: -1, reason: 'cycle count' });

    const first = await stockMovements(ctx(), { sku: 'MOV-1', first: 2 });
    expect(first.totalCount).toBe(5);
    expect(first.hasNextPage).toBe(true);
    expect(first.items.map((m) => [m.kind, m.onHandDelta, m.locationCode])).toEqual([
      ['adjusted', -1, 'MAIN'],
      ['received', 4, 'SECOND'],
    ]);
    expect(first.items[0]).toMatchObject({
      sku: 'MOV-1',
      reason: 'cycle count',
      actor: 'test-admin',
      reservedDelta: 0,
      orderId: null,
    });
    expect(first.items[0]!.createdAt).toBeInstanceOf(Date);

    const second = await stockMovements(ctx(), { sku: 'MOV-1', first: 2, after: first.cursors.at(-1)! });
    expect(second.items.map((m) => m.onHandDelta)).toEqual([3, 2]);
    const third = await stockMovements(ctx(), { sku: 'MOV-1', first: 2, after: second.cursors.at(-1)! });
    expect(third.items.map((m) => m.onHandDelta)).toEqual([1]);
    expect(third.hasNextPage).toBe(false);

    const atSecond = await stockMovements(ctx(), { sku: 'MOV-1', locationId: loc.SECOND!, first: 10 });
    expect(atSecond.totalCount).toBe(1);
    expect(atSecond.items.map((m) => m.kind)).toEqual(['received']);
  });

  it('records reservations with their order', async () => {
    await createSku(ctx(), 'MOV-2');
    await stock(ctx(), 'MOV-2', loc.MAIN!, 2);
    const placed = await order('MOV-2', 2);
    const page = await stockMovements(ctx(), { sku: 'MOV-2', first: 1 });
    expect(page.items[0]).toMatchObject({ kind: 'reserved', reservedDelta: 2, onHandDelta: 0, orderId: placed.id });
  });

  it('refuses a missing or too large page size, a foreign cursor and an unknown SKU', async () => {
    expect(await failure(stockMovements(ctx(), { sku: 'MOV-1' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'first' },
    });
    expect(await failure(stockMovements(ctx(), { sku: 'MOV-1', first: 101 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'first', max: 100 },
    });
    expect(await failure(stockMovements(ctx(), { sku: 'MOV-1', first: 1, after: 'garbage' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'after' },
    });
    const foreign = Buffer.from(`${new Date().toISOString()}|not-a-number`).toString('base64url');
    expect(await failure(stockMovements(ctx(), { sku: 'MOV-1', first: 1, after: foreign }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'after' },
    });
    expect(await failure(stockMovements(ctx(), { sku: 'NOPE', first: 1 }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('low stock', () => {
  it('records one stock.low event each time available falls to the reorder point, not for every unit after', async () => {
    const variantId = await createSku(ctx(), 'LOW-EV');
    await stock(ctx(), 'LOW-EV', loc.MAIN!, 10);
    await setStockThreshold(ctx(), { sku: 'LOW-EV', locationId: loc.MAIN!, field: 'reorderPoint', value: 5 });
    expect(await outboxCount('stock.low', variantId)).toBe(0);
    await order('LOW-EV', 4); // available 6
    expect(await outboxCount('stock.low', variantId)).toBe(0);
    await order('LOW-EV', 1); // 5: crossed
    expect(await outboxCount('stock.low', variantId)).toBe(1);
    await order('LOW-EV', 1); // 4: still low
    expect(await outboxCount('stock.low', variantId)).toBe(1);
    await receiveStock(ctx(), { sku: 'LOW-EV', locationId: loc.MAIN!, quantity: 10 }); // 14
    await adjustStock(ctx(), { sku: 'LOW-EV', locationId: loc.MAIN!, delta: -9, reason: 'damaged' }); // 5: crossed again
    expect(await outboxCount('stock.low', variantId)).toBe(2);
    const payload = (
      await sql<{ payload: Record<string, unknown> }>(
        db.url,
        "select payload from outbox_event where topic = 'stock.low' and aggregate_id = $1 order by id desc limit 1",
        [variantId],
      )
    )[0]!.payload;
    expect(payload).toMatchObject({
      variantId,
      locationId: loc.MAIN,
      onHand: 11,
      reserved: 6,
      reorderPoint: 5,
      available: 5,
    });
    // Raising the reorder point above what is available is a crossing too.
    await receiveStock(ctx(), { sku: 'LOW-EV', locationId: loc.MAIN!, quantity: 5 }); // 10
    await setStockThreshold(ctx(), { sku: 'LOW-EV', locationId: loc.MAIN!, field: 'reorderPoint', value: 12 });
    expect(await outboxCount('stock.low', variantId)).toBe(3);
  });

  it('suggests ceil(velocity × lead time) + reorder point − available, from the last 30 days of reservations net of releases', async () => {
    await createSku(ctx(), 'LOW-1');
    await stock(ctx(), 'LOW-1', loc.MAIN!, 20);
    await setStockThreshold(ctx(), { sku: 'LOW-1', locationId: loc.MAIN!, field: 'reorderPoint', value: 10 });
    // An old sale (40 days ago) is outside the window.
    const old = await order('LOW-1', 3);
    await sql(db.url, "update stock_movement set created_at = now() - interval '40 days' where order_id = $1", [
      old.id,
    ]);
    await order('LOW-1', 12);
    // A reservation moved away: reserved here, then released here, counts as no sale here.
    const moved = await order('LOW-1', 2);
    await stock(ctx(), 'LOW-1', loc.SECOND!, 2);
    await reallocateOrder(ctx(), moved.id, loc.SECOND!);

    const item = (await lowStockItems(ctx())).find((i) => i.sku === 'LOW-1' && i.locationId === loc.MAIN)!;
    // on hand 20, reserved 15 → available 5; net reserved in 30 days = 12 + 2 − 2 = 12 → 0.4/day.
    expect(item).toMatchObject({
      locationCode: 'MAIN',
      onHand: 20,
      reserved: 15,
      available: 5,
      reorderPoint: 10,
      leadTimeDays: 14,
    });
    expect(item.dailyVelocity).toBeCloseTo(0.4);
    expect(item.suggestedReorderQuantity).toBe(Math.ceil(5.6) + 10 - 5);
    const monthLead = (await lowStockItems(ctx(), { leadTimeDays: 30 })).find(
      (i) => i.sku === 'LOW-1' && i.locationId === loc.MAIN,
    )!;
    expect(monthLead.suggestedReorderQuantity).toBe(12 + 10 - 5);
  });

  it('lists only watched levels at or below their reorder point at active locations, most urgent first', async () => {
    const items = await lowStockItems(ctx());
    expect(items.every((i) => i.reorderPoint > 0 && i.available <= i.reorderPoint)).toBe(true);
    const urgency = items.map((i) => i.available - i.reorderPoint);
    expect(urgency).toEqual([...urgency].sort((a, b) => a - b));
    expect(items.find((i) => i.sku === 'LVL-1')).toBeUndefined();
    await setStockThreshold(ctx(), { sku: 'LVL-1', locationId: loc.SECOND!, field: 'reorderPoint', value: 4 });
    expect(
      (await lowStockItems(ctx()))
        .filter((i) => i.sku === 'LVL-1')
        .map((i) => [i.locationCode, i.available, i.suggestedReorderQuantity]),
    ).toEqual([['SECOND', 4, 0]]);
  });

  it('refuses a lead time outside 1 to 365 days', async () => {
    expect(await failure(lowStockItems(ctx(), { leadTimeDays: 0 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'leadTimeDays', max: 365 },
    });
  });
});

describe('after every test above', () => {
  it('keeps every invariant', async () => {
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  });
});
