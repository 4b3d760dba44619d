import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { mapAmazonOrder } from '../../src/connectors/amazon/amazon-order.mapper.js';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import { ingestChannelOrders } from '../../src/domain/channels/ingest-channel-orders.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { pullChannelOrders } from '../../src/jobs/channel-sync.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { amazonFixture } from '../support/fixtures.js';
import { stockOf } from '../support/order-lifecycle.js';

/*
 * Amazon's statuses through the real ingestion on PostgreSQL: the official searchOrders example
 * (an AFN order) and merchant-fulfilled versions of it, mapped by mapAmazonOrder.
 */

const EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');

let db: TestDatabase;
let orm: Orm;
let loc: string;
let n = 0;
const deps = { policy: { holdTotalAbove: null } };

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  loc = (await createLocations(contextFor(orm.em), [{ code: 'TYO', countryCode: 'JP', region: 'Tokyo' }])).TYO!;
  await sql(
    db.url,
    `insert into channel (id, kind, name, backorder_policy) values ('amazon-jp', 'amazon', 'Amazon JP', 'backorder')`,
  );
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

/** The official order under a fresh id and fresh SKUs (10 of each in stock), as `status`, fulfilled by `by`. */
async function orderAs(status: string, by: 'MERCHANT' | 'AMAZON'): Promise<{ order: Order; skus: string[] }> {
  const order = structuredClone(EXAMPLE.response.orders[0]!);
  order.orderId = `250-${String(++n).padStart(7, '0')}-0000000`;
  order.fulfillment = { ...order.fulfillment!, fulfillmentStatus: status as never, fulfilledBy: by };
  const skus: string[] = [];
  for (const item of order.orderItems) {
    const sku = `${item.product.sellerSku}-${n}`;
    item.product.sellerSku = sku;
    await createSku(ctx(), sku, Number(item.product.price!.unitPrice!.amount), 'JPY');
    await stock(ctx(), sku, loc, 10);
    skus.push(sku);
  }
  return { order, skus };
}

/** The same order a few minutes later in another status (Amazon bumps lastUpdatedTime). */
function later(order: Order, minutes: number, status: string): Order {
  const next = structuredClone(order);
  next.lastUpdatedTime = new Date(Date.parse(order.lastUpdatedTime) + minutes * 60_000).toISOString();
  next.fulfillment = { ...next.fulfillment!, fulfillmentStatus: status as never };
  return next;
}

/** What Amazon sends before the payment is authorised: no money, no buyer, no street. */
function pending(order: Order): Order {
  const o = later(order, 0, 'PENDING');
  o.lastUpdatedTime = order.lastUpdatedTime;
  delete o.proceeds;
  delete o.buyer;
  o.recipient = { deliveryAddress: { city: 'Tokyo', countryCode: 'JP' } as never };
  for (const item of o.orderItems) {
    delete item.proceeds;
    delete item.product.price;
  }
  return o;
}

const ingest = (order: Order) => ingestChannelOrders(ctx(), deps, 'amazon-jp', [mapAmazonOrder(order)]);
const orderOf = async (id: string) =>
  (
    await sql<{ status: string; hold_reason: string | null }>(
      db.url,
      'select status, hold_reason from "order" where id = $1',
      [id],
    )
  )[0]!;
const reserved = async (skus: string[]) => Promise.all(skus.map(async (s) => (await stockOf(db.url, s, loc)).reserved));

describe('Amazon orders through ingestion', () => {
  it('records a PENDING order without allocating it, and allocates it once it is UNSHIPPED', async () => {
    const { order, skus } = await orderAs('UNSHIPPED', 'MERCHANT');
    const [created] = await ingest(pending(order));
    expect(await orderOf(created!.orderId)).toMatchObject({ status: 'ON_HOLD' });
    expect((await orderOf(created!.orderId)).hold_reason).toContain('not paid on channel amazon-jp yet');
    expect(await reserved(skus)).toEqual([0, 0]);

    const [updated] = await ingest(later(order, 5, 'UNSHIPPED'));
    expect(updated!.orderId).toBe(created!.orderId);
    expect(await orderOf(created!.orderId)).toMatchObject({ status: 'ALLOCATED', hold_reason: null });
    expect(await reserved(skus)).toEqual([1, 2]);
  });

  it('cancels an allocated order when Amazon says CANCELLED, releasing its stock', async () => {
    const { order, skus } = await orderAs('UNSHIPPED', 'MERCHANT');
    const [created] = await ingest(order);
    expect(await reserved(skus)).toEqual([1, 2]);
    await ingest(later(order, 10, 'CANCELLED'));
    expect(await orderOf(created!.orderId)).toMatchObject({ status: 'CANCELLED' });
    expect(await reserved(skus)).toEqual([0, 0]);
  });

  it('records the official AFN order for reporting and never takes our stock, in any later version', async () => {
    const { order, skus } = await orderAs('SHIPPED', 'AMAZON');
    const [created] = await ingest(order);
    const row = await orderOf(created!.orderId);
    expect(row.status).toBe('ON_HOLD');
    expect(row.hold_reason).toContain('fulfilled by channel amazon-jp from its own stock');
    expect(await reserved(skus)).toEqual([0, 0]);

    await ingest(later(order, 30, 'SHIPPED'));
    expect((await orderOf(created!.orderId)).status).toBe('ON_HOLD');
    expect(await reserved(skus)).toEqual([0, 0]);
  });

  it("pulls the simulator's orders page by page through the channel sync, each status to its outcome", async () => {
    const sim = new AmazonSimulator();
    await sim.start();
    try {
      const unshipped = await orderAs('UNSHIPPED', 'MERCHANT');
      const waiting = await orderAs('UNSHIPPED', 'MERCHANT');
      const afn = await orderAs('SHIPPED', 'AMAZON');
      sim.addOrders([
        later(unshipped.order, 1, 'UNSHIPPED'),
        pending(later(waiting.order, 2, 'PENDING')),
        later(afn.order, 3, 'SHIPPED'),
      ]);
      const connector = new AmazonConnector({
        credentials: {
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
          refreshToken: sim.refreshToken,
          sellerId: sim.sellerId,
          region: 'fe',
          marketplaceIds: ['A1VC38T7YXB528'],
        },
        endpoint: sim.url,
        timeoutMs: 5_000,
      });
      const progress = await pullChannelOrders(
        ctx(),
        { connector, ingest: deps },
        'amazon-jp',
        new Date('2024-12-25T00:00:00Z'),
        { advanceCursor: true, pageSize: 2 },
      );
      // The PENDING and the AFN order are recorded held (before sourcing), the UNSHIPPED one allocated.
      expect(progress).toMatchObject({ pulled: 3, created: 1, held: 2, done: true });
      expect(sim.calls.filter((c) => c.operation === 'searchOrders')).toHaveLength(2);
      expect(await reserved(unshipped.skus)).toEqual([1, 2]);
      expect(await reserved(waiting.skus)).toEqual([0, 0]);
      expect(await reserved(afn.skus)).toEqual([0, 0]);
      const [cursor] = await sql<{ sync_cursor: Date }>(
        db.url,
        `select sync_cursor from channel where id = 'amazon-jp'`,
      );
      // The newest change seen (the AFN order's) minus the minute of overlap.
      expect(cursor!.sync_cursor.toISOString()).toBe(
        new Date(Date.parse(afn.order.lastUpdatedTime) + 3 * 60_000 - 60_000).toISOString(),
      );
    } finally {
      await sim.stop();
    }
  });
});
