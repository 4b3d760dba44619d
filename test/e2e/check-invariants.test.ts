import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { spawnHub } from '../support/child-hub.js';
import { ADDRESS, createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** `npm run check:invariants` (the `check-invariants` command) on a live database. */
let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  const { DAL } = await createLocations(contextFor(orm.em), [{ code: 'DAL' }]);
  await createSku(contextFor(orm.em), 'INV-1');
  await stock(contextFor(orm.em), 'INV-1', DAL!, 5);
  await placeOrder(contextFor(orm.em), orderDeps, {
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku: 'INV-1', quantity: 2 }],
  });
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

async function run(): Promise<{ code: number | string; out: string }> {
  const cli = spawnHub(['check-invariants'], { DATABASE_URL: db.url });
  const code = await cli.exited;
  return { code, out: cli.output() };
}

describe('check-invariants', () => {
  it('passes on a consistent database, listing every invariant', async () => {
    const { code, out } = await run();
    expect(code).toBe(0);
    expect(out).toContain('ok    stock levels equal the sum of their ledger');
    expect(out).toContain('ok    reserved equals the active reservations');
    expect(out).not.toContain('FAIL');
  });

  it('exits 1 and names the broken invariant and the row when a level drifts from its ledger', async () => {
    await sql(
      db.url,
      "update stock_level set on_hand = on_hand + 1 where variant_id = (select id from variant where sku = 'INV-1')",
    );
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL {2}stock levels equal the sum of their ledger\n\s+\S+: on_hand 6 vs ledger 5/);
  });
});
