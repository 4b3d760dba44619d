import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PlatformError } from '../../src/connectors/connector.js';
import { mapShopifyRefundWebhook } from '../../src/connectors/shopify/shopify-refund.mapper.js';
import { ingestChannelOrders } from '../../src/domain/channels/ingest-channel-orders.js';
import { recordChannelRefund } from '../../src/domain/channels/record-channel-refund.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** A refunds/create body as Shopify sends it: the order id is a bare number beyond 2^53. */
const ORDER_NUMBER = '820982911946154508';
const refundBody = (refundId: string, amount: string, currency = 'USD') =>
  `{"id":${refundId},"order_id":${ORDER_NUMBER},"created_at":"2026-12-02T10:00:00-05:00","note":"damaged",` +
  `"admin_graphql_api_id":"gid://shopify/Refund/${refundId}","refund_line_items":[],` +
  `"transactions":[{"id":1,"order_id":${ORDER_NUMBER},"kind":"refund","status":"success","amount":"${amount}","currency":"${currency}"}]}`;

let db: TestDatabase;
let orm: Orm;
const ctx = () => contextFor(orm.em);

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  const loc = await createLocations(ctx(), [{ code: 'RF' }]);
  await createSku(ctx(), 'RF-1', 2000, 'USD');
  await stock(ctx(), 'RF-1', loc.RF!, 10);
  await sql(db.url, `insert into channel (id, kind, name) values ('shop-rf', 'shopify', 'Shop RF')`);
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await orm.close(true);
  await db.drop();
});

describe('Shopify refunds/create', () => {
  it('reads the order id from the raw text (JSON.parse loses its last digits) and the refund in minor units', () => {
    const body = refundBody('5001', '12.34');
    expect(String((JSON.parse(body) as { order_id: number }).order_id)).not.toBe(ORDER_NUMBER);
    const mapped = mapShopifyRefundWebhook(body, JSON.parse(body));
    expect(mapped.externalOrderId).toBe(`gid://shopify/Order/${ORDER_NUMBER}`);
    expect(mapped.refund).toMatchObject({
      externalRefundId: 'gid://shopify/Refund/5001',
      amount: 1234,
      note: 'damaged',
    });
    expect(mapped.currency).toBe('USD');
  });

  it('refuses a refund without an order id or with a malformed amount as INVALID', () => {
    const noOrder = '{"admin_graphql_api_id":"gid://shopify/Refund/1","created_at":"2026-12-02T10:00:00Z"}';
    expect(() => mapShopifyRefundWebhook(noOrder, JSON.parse(noOrder))).toThrow(PlatformError);
    const bad = refundBody('5002', '12.345');
    expect(() => mapShopifyRefundWebhook(bad, JSON.parse(bad))).toThrow(/INVALID|refund/);
  });

  it('records a refund once on the ingested order, however often it is delivered, and refuses one in another currency', async () => {
    const externalId = `gid://shopify/Order/${ORDER_NUMBER}`;
    await expect(
      recordChannelRefund(
        ctx(),
        'shop-rf',
        externalId,
        mapShopifyRefundWebhook(refundBody('5003', '5.00'), JSON.parse(refundBody('5003', '5.00'))).refund,
        'USD',
      ),
    ).rejects.toThrow(/has no order/);

    await ingestChannelOrders(ctx(), { policy: { holdTotalAbove: null } }, 'shop-rf', [
      {
        externalId,
        externalName: '#1',
        updatedAt: new Date('2026-12-02T09:00:00Z'),
        placedAt: new Date('2026-12-02T09:00:00Z'),
        currency: 'USD',
        email: 'rf@example.com',
        customerName: 'R F',
        phone: null,
        shippingAddress: { ...ADDRESS, name: 'R F' },
        billingAddress: null,
        lines: [
          {
            externalLineId: 'gid://shopify/LineItem/1',
            sku: 'RF-1',
            externalVariantId: null,
            title: 'RF',
            quantity: 2,
            unitPriceAmount: 2000,
          },
        ],
        shippingAmount: 0,
        taxAmount: 0,
        discountAmount: 0,
        totalAmount: 4000,
        paidAmount: 4000,
        cancelledAt: null,
        cancelReason: null,
        refunds: [],
        note: null,
      },
    ]);
    const body = refundBody('5004', '5.00');
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { externalOrderId, refund, currency } = mapShopifyRefundWebhook(body, JSON.parse(body));
      outcomes.push(await recordChannelRefund(ctx(), 'shop-rf', externalOrderId, refund, currency));
    }
    expect(outcomes[0]).toMatch(/recorded/);
    expect(outcomes.slice(1).every((o) => o.includes('already recorded'))).toBe(true);
    const refunds = await sql<{ amount: number }>(
      db.url,
      `select (e.data->>'amount')::int as amount from order_event e join "order" o on o.id = e.order_id
        where o.external_id = $1 and e.type = 'payment_refunded'`,
      [externalId],
    );
    expect(refunds).toEqual([{ amount: 500 }]);

    const eur = refundBody('5005', '1.00', 'EUR');
    const m = mapShopifyRefundWebhook(eur, JSON.parse(eur));
    await expect(recordChannelRefund(ctx(), 'shop-rf', m.externalOrderId, m.refund, m.currency)).rejects.toThrow(/EUR/);
  });
});
