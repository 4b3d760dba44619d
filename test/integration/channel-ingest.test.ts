import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mapShopifyWebhookOrder } from '../../src/connectors/shopify/shopify-order.mapper.js';
import type { ChannelOrder, ChannelOrderLine } from '../../src/domain/channels/channel-order.js';
import { ingestChannelOrders, type IngestOutcome } from '../../src/domain/channels/ingest-channel-orders.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { releaseOrderHold } from '../../src/domain/orders/lifecycle/release-order-hold.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, seeded, shuffle, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { SHOPIFY_FIXTURES } from '../support/fixtures.js';
import { stockOf, timelineOf } from '../support/order-lifecycle.js';

/** The official orders/create payload (test/fixtures/shopify). */
const FIXTURE = new URL('orders-create.json', SHOPIFY_FIXTURES);

let db: TestDatabase;
let orm: Orm;
let loc: Record<string, string>;
const deps = { policy: { holdTotalAbove: null } };
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 12 });
  loc = await createLocations(contextFor(orm.em), [{ code: 'AUS' }]);
  await sql(
    db.url,
    `insert into channel (id, kind, name, backorder_policy) values
      ('shop-a', 'shopify', 'Shop A', 'backorder'), ('shop-b', 'shopify', 'Shop B', 'backorder'),
      ('shop-c', 'shopify', 'Shop C', 'backorder'), ('shop-r', 'shopify', 'Shop R', 'reject')`,
  );
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);
const ingest = (channelId: string, orders: ChannelOrder[]) => ingestChannelOrders(ctx(), deps, channelId, orders);

async function sku(onHand: number, price = 1000, currency = 'USD'): Promise<string> {
  const code = `IN-${++n}`;
  await createSku(ctx(), code, price, currency);
  await stock(ctx(), code, loc.AUS!, onHand);
  return code;
}

const line = (code: string | null, quantity: number, unitPriceAmount = 1234): ChannelOrderLine => ({
  externalLineId: `gid://shopify/LineItem/${++n}`,
  sku: code,
  externalVariantId: null,
  title: code ? `Title ${code}` : 'Mystery',
  quantity,
  unitPriceAmount,
});

function channelOrder(over: Partial<ChannelOrder> & { lines: ChannelOrderLine[] }): ChannelOrder {
  const subtotal = over.lines.reduce((s, l) => s + l.unitPriceAmount * l.quantity, 0);
  const shipping = over.shippingAmount ?? 500;
  const total = subtotal + shipping;
  return {
    externalId: `gid://shopify/Order/${++n}${'0'.repeat(12)}`,
    externalName: `#${n}`,
    updatedAt: new Date('2026-12-01T10:00:00Z'),
    placedAt: new Date('2026-12-01T09:59:00Z'),
    currency: 'USD',
    email: `buyer${n}@example.com`,
    customerName: 'Bea Buyer',
    phone: null,
    shippingAddress: { ...ADDRESS, name: 'Bea Buyer' },
    billingAddress: null,
    shippingAmount: shipping,
    taxAmount: 0,
    discountAmount: 0,
    totalAmount: total,
    paidAmount: total,
    cancelledAt: null,
    cancelReason: null,
    refunds: [],
    note: null,
    ...over,
  };
}

const later = (co: ChannelOrder, minutes: number, over: Partial<ChannelOrder> = {}): ChannelOrder => ({
  ...co,
  updatedAt: new Date(co.updatedAt.getTime() + minutes * 60_000),
  ...over,
});

type OrderRow = {
  id: string;
  status: string;
  hold_reason: string | null;
  version: number;
  total_amount: string;
  subtotal_amount: string;
  note: string | null;
  email: string | null;
  external_updated_at: Date;
  external_name: string | null;
  shipping_address: { line1: string } | null;
  source: string;
};
const orderRow = async (id: string) => (await sql<OrderRow>(db.url, 'select * from "order" where id = $1', [id]))[0]!;
const lineRows = (orderId: string) =>
  sql<{
    sku: string;
    quantity: number;
    quantity_allocated: number;
    quantity_cancelled: number;
    unit_price_amount: string;
  }>(db.url, 'select * from order_line where order_id = $1 order by position', [orderId]);
const eventCount = async (orderId: string) =>
  (await sql<{ n: number }>(db.url, 'select count(*)::int as n from order_event where order_id = $1', [orderId]))[0]!.n;

describe('ingestChannelOrders', () => {
  it('creates a paid platform order through placement: platform prices, channel capture, stock reserved, events', async () => {
    const a = await sku(10, 999);
    const co = channelOrder({ lines: [line(a, 3, 1500)], note: 'leave at door' });
    const [outcome] = await ingest('shop-a', [co]);
    expect(outcome).toMatchObject({ externalId: co.externalId, result: 'created' });
    const order = await orderRow(outcome!.orderId);
    expect(order).toMatchObject({
      status: 'ALLOCATED',
      source: 'marketplace',
      note: 'leave at door',
      external_name: co.externalName,
    });
    expect(order.external_updated_at.toISOString()).toBe(co.updatedAt.toISOString());
    // the platform's unit price (1500), not the catalogue's (999); totals are the platform's
    expect(await lineRows(outcome!.orderId)).toMatchObject([
      { sku: a, quantity: 3, quantity_allocated: 3, unit_price_amount: '1500' },
    ]);
    expect(Number(order.total_amount)).toBe(co.totalAmount);
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 10, reserved: 3 });
    const timeline = await timelineOf(db.url, outcome!.orderId);
    expect(timeline.map((e) => e.to_status ?? e.type)).toEqual([
      'placed',
      'CONFIRMED',
      'PAYMENT_AUTHORIZED',
      'sourced',
      'ALLOCATED',
    ]);
    expect(timeline[2]!.data).toMatchObject({ provider: 'channel', amount: co.totalAmount, captured: true });
    const outbox = await sql<{ topic: string }>(
      db.url,
      "select topic from outbox_event where aggregate_id = $1 and topic = 'order.status_changed'",
      [outcome!.orderId],
    );
    expect(outbox).toHaveLength(3);
  });

  it('maps and ingests the Shopify fixture: already cancelled, never allocated, cancelled with the reason', async () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
      response: unknown;
    };
    const co = mapShopifyWebhookOrder(fixture.response);
    for (const l of co.lines) await createSku(ctx(), l.sku!, 100);
    const [outcome] = await ingest('shop-a', [co]);
    expect(outcome!.result).toBe('cancelled');
    const order = await orderRow(outcome!.orderId);
    expect(order.status).toBe('CANCELLED');
    expect(
      (await timelineOf(db.url, outcome!.orderId)).some(
        (e) => e.type === 'order_cancelled' && /customer/.test(e.reason!),
      ),
    ).toBe(true);
    expect((await ingest('shop-a', [co]))[0]!.result).toBe('unchanged');
  });

  it('applies a newer version (address, note, email) and ignores an older or equal one, writing nothing', async () => {
    const a = await sku(10);
    const v1 = channelOrder({ lines: [line(a, 1)] });
    const [created] = await ingest('shop-a', [v1]);
    const v3 = later(v1, 10, {
      note: 'ring twice',
      email: 'new@example.com',
      shippingAddress: { ...ADDRESS, line1: '2 New St' },
    });
    expect((await ingest('shop-a', [v3]))[0]!.result).toBe('updated');
    const after = await orderRow(created!.orderId);
    expect(after).toMatchObject({
      note: 'ring twice',
      email: 'new@example.com',
      shipping_address: { line1: '2 New St' },
      status: 'ALLOCATED',
    });
    const events = await eventCount(created!.orderId);
    const v2 = later(v1, 5, { note: 'stale' });
    expect((await ingest('shop-a', [v2, v3, v1])).map((o) => o.result)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    const still = await orderRow(created!.orderId);
    expect(still).toMatchObject({ note: 'ring twice', version: after.version });
    expect(await eventCount(created!.orderId)).toBe(events);
  });

  it('keeps the lines of an allocated order whose lines changed, holds it and records the difference', async () => {
    const a = await sku(10);
    const v1 = channelOrder({ lines: [line(a, 2)] });
    const [created] = await ingest('shop-a', [v1]);
    const v2 = later(v1, 1, { lines: [{ ...v1.lines[0]!, quantity: 5 }] });
    expect((await ingest('shop-a', [v2]))[0]!.result).toBe('held');
    expect(await lineRows(created!.orderId)).toMatchObject([{ quantity: 2, quantity_allocated: 2 }]);
    expect(await orderRow(created!.orderId)).toMatchObject({ status: 'ON_HOLD' });
    const changed = (await timelineOf(db.url, created!.orderId)).find((e) => e.type === 'channel_lines_changed');
    expect(changed!.data).toMatchObject({ platform: [{ quantity: 5 }], held: [{ quantity: 2 }] });
    // a hold ingestion did not take for its own reasons stays until a person lifts it
    expect((await ingest('shop-a', [later(v2, 1)]))[0]!.result).toBe('updated');
    expect(await orderRow(created!.orderId)).toMatchObject({ status: 'ON_HOLD' });
    // reviewed and released by a person: the same difference in a later version is not raised again
    await releaseOrderHold(ctx(), { payments: manualPaymentProvider }, created!.orderId, {
      reason: 'checked with the buyer',
    });
    expect((await ingest('shop-a', [later(v2, 2)]))[0]!.result).toBe('updated');
    expect(await orderRow(created!.orderId)).toMatchObject({ status: 'ALLOCATED' });
    const reported = (await timelineOf(db.url, created!.orderId)).filter((e) => e.type === 'channel_lines_changed');
    expect(reported).toHaveLength(1);
    // a different change is
    expect((await ingest('shop-a', [later(v1, 4, { lines: [{ ...v1.lines[0]!, quantity: 1 }] })]))[0]!.result).toBe(
      'held',
    );
  });

  it('cancels through the lifecycle, releasing stock; a later cancelled version is unchanged', async () => {
    const a = await sku(5);
    const v1 = channelOrder({ lines: [line(a, 4)] });
    const [created] = await ingest('shop-a', [v1]);
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 5, reserved: 4 });
    const v2 = later(v1, 1, { cancelledAt: new Date('2026-12-01T10:01:00Z'), cancelReason: 'customer' });
    expect((await ingest('shop-a', [v2]))[0]!.result).toBe('cancelled');
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 5, reserved: 0 });
    expect(await orderRow(created!.orderId)).toMatchObject({ status: 'CANCELLED' });
    expect((await ingest('shop-a', [later(v2, 1)]))[0]!.result).toBe('unchanged');
  });

  it('records each refund once by its platform id, never more than was paid', async () => {
    const a = await sku(5);
    const v1 = channelOrder({ lines: [line(a, 1, 2000)] });
    const [created] = await ingest('shop-a', [v1]);
    const r1 = { externalRefundId: 'gid://shopify/Refund/1', amount: 700, createdAt: new Date(), note: 'scratched' };
    const r2 = { externalRefundId: 'gid://shopify/Refund/2', amount: 1_000_000, createdAt: new Date(), note: null };
    await ingest('shop-a', [later(v1, 1, { refunds: [r1] })]);
    await ingest('shop-a', [later(v1, 2, { refunds: [r1] }), later(v1, 3, { refunds: [r1, r2] })]);
    await ingest('shop-a', [later(v1, 4, { refunds: [r1, r2] })]);
    const refunds = (await timelineOf(db.url, created!.orderId)).filter((e) => e.type === 'payment_refunded');
    expect(refunds.map((e) => [e.data!.externalRefundId, e.data!.amount])).toEqual([
      ['gid://shopify/Refund/1', 700],
      ['gid://shopify/Refund/2', v1.paidAmount - 700],
    ]);
  });

  it('holds an order with an unknown SKU (lines kept on the timeline, nothing reserved), and rebuilds its lines once known', async () => {
    const a = await sku(5);
    const unknown = `NOPE-${++n}`;
    const v1 = channelOrder({ lines: [line(a, 1), line(unknown, 2), line(null, 1)] });
    const [created] = await ingest('shop-a', [v1]);
    expect(created!.result).toBe('held');
    const order = await orderRow(created!.orderId);
    expect(order.status).toBe('ON_HOLD');
    expect(order.hold_reason).toMatch(new RegExp(`unknown SKUs: ${unknown}, \\(no SKU\\) Mystery`));
    expect(await lineRows(created!.orderId)).toMatchObject([{ sku: a, quantity_allocated: 0 }]);
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 5, reserved: 0 });
    const unmatched = (await timelineOf(db.url, created!.orderId)).find((e) => e.type === 'lines_unmatched');
    expect(unmatched!.data!.lines).toMatchObject([
      { sku: unknown, quantity: 2 },
      { sku: null, title: 'Mystery' },
    ]);

    await createSku(ctx(), unknown, 100);
    const v2 = later(v1, 1, { lines: [v1.lines[0]!, v1.lines[1]!] });
    expect((await ingest('shop-a', [v2]))[0]!.result).toBe('updated');
    const lines = await lineRows(created!.orderId);
    expect(lines.filter((l) => l.quantity_cancelled < l.quantity).map((l) => [l.sku, l.quantity])).toEqual([
      [a, 1],
      [unknown, 2],
    ]);
    // what the hold waited for arrived: the order goes on as a release would, on the channel's capture
    // (the new SKU has no stock yet: the known line is reserved, the order waits for the rest)
    expect(await orderRow(created!.orderId)).toMatchObject({ status: 'BACKORDERED', hold_reason: null });
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 5, reserved: 1 });
    const statuses = (await timelineOf(db.url, created!.orderId)).map((e) => e.to_status).filter(Boolean);
    expect(statuses.slice(-4)).toEqual(['ON_HOLD', 'CONFIRMED', 'PAYMENT_AUTHORIZED', 'BACKORDERED']);
  });

  it('holds an order with no shipping address, and one priced in another currency', async () => {
    const a = await sku(5);
    const [noAddress] = await ingest('shop-a', [channelOrder({ lines: [line(a, 1)], shippingAddress: null })]);
    expect(await orderRow(noAddress!.orderId)).toMatchObject({
      status: 'ON_HOLD',
      hold_reason: 'missing shipping address',
    });
    const [euro] = await ingest('shop-a', [channelOrder({ lines: [line(a, 1)], currency: 'EUR' })]);
    expect((await orderRow(euro!.orderId)).hold_reason).toMatch(/currency EUR differs from the catalogue's: .* in USD/);
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 5, reserved: 0 });
    const heldEvent = (await timelineOf(db.url, euro!.orderId)).find((e) => e.to_status === 'ON_HOLD');
    expect(heldEvent!.reason).toMatch(/currency EUR/);

    // a newer version with an address lifts ingestion's own hold and allocates
    const [first] = await sql<{ external_id: string }>(db.url, 'select external_id from "order" where id = $1', [
      noAddress!.orderId,
    ]);
    const base = channelOrder({ externalId: first!.external_id, lines: [line(a, 1)], shippingAddress: null });
    expect((await ingest('shop-a', [later(base, 1, { shippingAddress: ADDRESS })]))[0]!.result).toBe('updated');
    expect(await orderRow(noAddress!.orderId)).toMatchObject({ status: 'ALLOCATED', hold_reason: null });
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 5, reserved: 1 });
    // the currency hold stays while the platform still sends EUR
    expect(
      (
        await ingest('shop-a', [
          later(
            {
              ...base,
              externalId: (
                await sql<{ external_id: string }>(db.url, 'select external_id from "order" where id = $1', [
                  euro!.orderId,
                ])
              )[0]!.external_id,
              currency: 'EUR',
            },
            1,
            { shippingAddress: ADDRESS },
          ),
        ])
      )[0]!.result,
    ).toBe('held');
    expect(await orderRow(euro!.orderId)).toMatchObject({ status: 'ON_HOLD' });
  });

  it('matches a line through the listing hook when the platform SKU differs from ours', async () => {
    const a = await sku(5);
    const listed = { ...line('THEIR-SKU', 2), externalVariantId: 'gid://shopify/ProductVariant/77' };
    const listingSkus = async (_tx: unknown, channelId: string, ids: readonly string[]) =>
      new Map(
        channelId === 'shop-a' && ids.includes('gid://shopify/ProductVariant/77')
          ? [['gid://shopify/ProductVariant/77', a]]
          : [],
      );
    const co = channelOrder({ lines: [listed] });
    const [outcome] = await ingestChannelOrders(ctx(), { ...deps, listingSkus }, 'shop-a', [co]);
    expect(outcome!.result).toBe('created');
    expect(await lineRows(outcome!.orderId)).toMatchObject([{ sku: a, quantity: 2, quantity_allocated: 2 }]);
    // without the hook the same platform line is unknown
    const [plain] = await ingest('shop-a', [channelOrder({ lines: [{ ...listed, externalLineId: 'x' }] })]);
    expect(plain!.result).toBe('held');
    // a newer version with the same lines is no change of lines (compared by our SKU)
    expect((await ingestChannelOrders(ctx(), { ...deps, listingSkus }, 'shop-a', [later(co, 1)]))[0]!.result).toBe(
      'updated',
    );
    expect(await orderRow(outcome!.orderId)).toMatchObject({ status: 'ALLOCATED' });
  });

  it('holds rather than refuses a short order on a channel that takes no backorders', async () => {
    const a = await sku(1);
    const [held] = await ingest('shop-r', [channelOrder({ lines: [line(a, 3)] })]);
    expect(held!.result).toBe('held');
    expect((await orderRow(held!.orderId)).hold_reason).toMatch(/no backorders/);
  });

  it('R2: the same external id on different channels is one order per channel (property over random ids)', async () => {
    const a = await sku(1_000);
    const random = seeded(42);
    const channels = ['shop-a', 'shop-b', 'shop-c'];
    const ids = Array.from(
      { length: 12 },
      () => `gid://shopify/Order/${Math.floor(random() * 1e15)}${Math.floor(random() * 1e4)}`,
    );
    const sent: [string, string][] = [];
    for (let round = 0; round < 60; round++) {
      const channelId = channels[Math.floor(random() * channels.length)]!;
      const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const externalId = ids[Math.floor(random() * ids.length)]!;
        sent.push([channelId, externalId]);
        return channelOrder({ externalId, lines: [line(a, 1)] });
      });
      await ingest(channelId, batch);
    }
    const expected = new Set(sent.map(([c, e]) => `${c}|${e}`));
    const rows = await sql<{ channel_id: string; external_id: string }>(
      db.url,
      'select channel_id, external_id from "order" where external_id = any($1::text[])',
      [ids],
    );
    expect(rows.length).toBe(expected.size);
    expect(new Set(rows.map((r) => `${r.channel_id}|${r.external_id}`))).toEqual(expected);
  });

  it('10 concurrent ingesters of the same new order make one order, reserved once', async () => {
    const a = await sku(10);
    const co = channelOrder({ lines: [line(a, 2)] });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ingest('shop-a', [co])));
    const results = outcomes.map((o) => o[0]!.result).sort();
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'unchanged')).toHaveLength(9);
    expect(new Set(outcomes.map((o) => o[0]!.orderId)).size).toBe(1);
    const rows = await sql(db.url, 'select id from "order" where channel_id = $1 and external_id = $2', [
      'shop-a',
      co.externalId,
    ]);
    expect(rows).toHaveLength(1);
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 10, reserved: 2 });
  });

  it('storm: [500] shuffled deliveries with duplicates and older-after-newer → each order at its newest version', async () => {
    const a = await sku(100_000);
    const random = seeded(7);
    const ORDERS = 150;
    const deliveries: ChannelOrder[] = [];
    const newest = new Map<string, ChannelOrder>();
    for (let i = 0; i < ORDERS; i++) {
      const v1 = channelOrder({ lines: [line(a, 1 + Math.floor(random() * 3))] });
      const versions = 1 + Math.floor(random() * 3);
      const cancels = random() < 0.2;
      for (let v = 0; v < versions; v++) {
        const last = v === versions - 1;
        const co = later(v1, v, {
          note: `v${v}`,
          ...(cancels && last ? { cancelledAt: new Date(v1.updatedAt.getTime() + v * 60_000) } : {}),
        });
        deliveries.push(co);
        newest.set(co.externalId, co);
      }
    }
    // ~30 % duplicates, then shuffled: older versions arrive after newer ones
    while (deliveries.length < 500) deliveries.push(deliveries[Math.floor(random() * deliveries.length)]!);
    const shuffled = shuffle(deliveries, random);
    const batches: ChannelOrder[][] = [];
    for (let i = 0; i < shuffled.length; i += 20) batches.push(shuffled.slice(i, i + 20));
    // four workers take batches concurrently
    const outcomes: IngestOutcome[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let batch = batches.shift(); batch; batch = batches.shift())
          outcomes.push(...(await ingest('shop-b', batch)));
      }),
    );
    expect(outcomes).toHaveLength(500);
    const rows = await sql<OrderRow & { external_id: string }>(
      db.url,
      'select * from "order" where channel_id = $1 and external_id = any($2::text[])',
      ['shop-b', [...newest.keys()]],
    );
    expect(rows).toHaveLength(ORDERS);
    let openUnits = 0;
    for (const row of rows) {
      const want = newest.get(row.external_id)!;
      expect([row.external_id, row.external_updated_at.toISOString(), row.note]).toEqual([
        row.external_id,
        want.updatedAt.toISOString(),
        want.note,
      ]);
      expect([row.external_id, row.status === 'CANCELLED']).toEqual([row.external_id, want.cancelledAt !== null]);
      if (!want.cancelledAt) openUnits += want.lines[0]!.quantity;
    }
    expect(await stockOf(db.url, a, loc.AUS!)).toEqual({ onHand: 100_000, reserved: openUnits });
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
    process.stdout.write(`storm: ${outcomes.length} deliveries → ${rows.length} orders, ${openUnits} units reserved\n`);
  });
});
