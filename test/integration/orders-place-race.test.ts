import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** Races at placement that must end well for every caller. */
let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  const { WH } = await createLocations(contextFor(orm.em), [{ code: 'WH' }]);
  await createSku(contextFor(orm.em), 'RACE-1');
  await stock(contextFor(orm.em), 'RACE-1', WH!, 1000);
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

describe('placeOrder races', () => {
  it('places every first order of one new customer sent at once, creating the customer once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        placeOrder(contextFor(orm.em), orderDeps, {
          currency: 'USD',
          customer: { email: 'New.Buyer@example.com', name: 'New Buyer' },
          shippingAddress: ADDRESS,
          lines: [{ sku: 'RACE-1', quantity: 1 }],
        }),
      ),
    );
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const customers = await sql<{ n: number }>(
      db.url,
      "select count(*)::int as n from customer where lower(email) = 'new.buyer@example.com'",
    );
    expect(customers[0]!.n).toBe(1);
    const orders = await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from "order" o join customer c on c.id = o.customer_id where lower(c.email) = $1',
      ['new.buyer@example.com'],
    );
    expect(orders[0]!.n).toBe(20);
  });

  it('returns one order to every concurrent request sent with the same idempotency key', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        placeOrder(contextFor(orm.em), orderDeps, {
          idempotencyKey: 'same-click-ten-times',
          currency: 'USD',
          shippingAddress: ADDRESS,
          lines: [{ sku: 'RACE-1', quantity: 1 }],
        }),
      ),
    );
    expect(new Set(results.map((o) => o.id)).size).toBe(1);
    const rows = await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from "order" where idempotency_key = \'same-click-ten-times\'',
    );
    expect(rows[0]!.n).toBe(1);
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  });
});
