import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnHub } from '../support/child-hub.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** `switchyard seed-orders --count n`: synthetic orders for benchmarks, consistent with every invariant. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function cli(args: string[]): Promise<{ code: number | string; out: string }> {
  const child = spawnHub(args, { DATABASE_URL: db.url, LOG_LEVEL: 'warn' });
  return { code: await child.exited, out: child.output() };
}

describe('seed-orders', () => {
  it('adds the orders asked for, 3 lines each, with a progress bar, and continues numbering on a second run', async () => {
    const first = await cli(['seed-orders', '--count', '25000']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/\[#{30}\] 100% 25,000\/25,000 orders/);
    await cli(['seed-orders', '--count', '5000']);
    const [counts] = await sql<{ orders: number; lines: number; numbers: number }>(
      db.url,
      `select (select count(*)::int from "order") as orders, (select count(*)::int from order_line) as lines,
              (select count(distinct number)::int from "order") as numbers`,
    );
    expect(counts).toEqual({ orders: 30000, lines: 90000, numbers: 30000 });
    const statuses = await sql<{ n: number }>(db.url, 'select count(distinct status)::int as n from "order"');
    expect(statuses[0]!.n).toBe(11);
    const invariants = await cli(['check-invariants']);
    expect(invariants.code).toBe(0);
  });

  it('refuses a missing or bad count with usage', async () => {
    const bad = await cli(['seed-orders', '--count', 'lots']);
    expect(bad.code).toBe(64);
    expect(bad.out).toContain('seed-orders needs --count <n>');
  });
});
