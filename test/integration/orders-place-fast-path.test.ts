import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setStockThreshold } from '../../src/domain/orders/stock-change.service.js';
import { placeOrder, type PlaceOrderDeps } from '../../src/domain/orders/place-order.service.js';
import type { PlaceOrderInput } from '../../src/domain/orders/place-order.input.js';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { entities } from '../../src/domain/entities.js';
import type { Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * The one-statement placement (fast-placement.ts) must write exactly what the general path
 * writes for the same order: two databases seeded alike take the same orders, one with the fast
 * path and one without, and every row they hold — orders, lines, customers, reservations,
 * levels, ledger, timeline and outbox, in order — must match once generated ids and clocks are
 * replaced by readable labels.
 */
interface Side {
  db: TestDatabase;
  orm: Orm;
  deps: PlaceOrderDeps;
  /** Statements sent through this side's ORM (its onQuery hook), transaction control excluded. */
  statements: string[];
}
let fast: Side;
let general: Side;

async function openSide(fastPath: boolean): Promise<Side> {
  const db = await createTestDatabase();
  const statements: string[] = [];
  const orm = (await MikroORM.init({
    entities,
    driver: PostgreSqlDriver,
    clientUrl: db.url,
    pool: { min: 0, max: 4 },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    onQuery: (text: string) => {
      if (!/^\s*(begin|commit|rollback|savepoint|release)/i.test(text)) statements.push(text);
      return text;
    },
  } as unknown as Options)) as unknown as Orm;
  // Prepared statements go to the ORM's pg pool directly: count those too.
  const pool = await (
    orm.em.getConnection() as unknown as { getNativeClient(): Promise<{ query: (...args: unknown[]) => unknown }> }
  ).getNativeClient();
  const query = pool.query.bind(pool);
  pool.query = (...args: unknown[]) => {
    const first = args[0] as { name?: string; text?: string } | string;
    if (typeof first === 'object' && first?.name) statements.push(first.text ?? first.name);
    return query(...args);
  };
  await sql(
    db.url,
    `insert into channel (id, kind, name, backorder_policy) values ('shop', 'shopify', 'Shopify', 'backorder')`,
  );
  const ctx = contextFor(orm.em);
  const loc = await createLocations(ctx, [
    { code: 'DAL', region: 'TX', latitude: 32.78, longitude: -96.8 },
    { code: 'LAX', region: 'CA', latitude: 34.05, longitude: -118.24 },
  ]);
  for (const sku of ['TEE', 'MUG', 'CAP']) await createSku(ctx, sku, sku === 'MUG' ? 1250 : 2000);
  await stock(ctx, 'TEE', loc.DAL!, 3);
  await stock(ctx, 'TEE', loc.LAX!, 4);
  await stock(ctx, 'MUG', loc.DAL!, 10);
  await stock(ctx, 'CAP', loc.LAX!, 6);
  await setStockThreshold(ctx, { sku: 'MUG', locationId: loc.DAL!, field: 'reorderPoint', value: 6 });
  return { db, orm, deps: { ...orderDeps, fastPath }, statements };
}

beforeAll(async () => {
  [fast, general] = await Promise.all([openSide(true), openSide(false)]);
});
afterAll(async () => {
  for (const side of [fast, general]) {
    await side?.orm.close(true);
    await side?.db.drop();
  }
});

/** Every row a placement touches, with generated ids replaced by labels and clocks dropped. */
async function dump(url: string): Promise<unknown> {
  const q = (text: string) => sql<Record<string, unknown>>(url, text);
  const labels = new Map<string, string>();
  for (const r of await q('select id, sku from variant')) labels.set(String(r.id), `variant:${String(r.sku)}`);
  for (const r of await q('select id, code from location')) labels.set(String(r.id), `location:${String(r.code)}`);
  for (const r of await q('select id, number from "order"')) {
    labels.set(String(r.id), `order:${String(r.number)}`);
    labels.set(`manual-${String(r.id)}`, `payment:${String(r.number)}`);
  }
  for (const r of await q('select l.id, o.number, l.position from order_line l join "order" o on o.id = l.order_id'))
    labels.set(String(r.id), `line:${String(r.number)}/${String(r.position)}`);
  for (const r of await q('select id, email, name from customer'))
    labels.set(String(r.id), `customer:${String(r.email ?? r.name)}`);
  const clockOrId = new Set(['id', 'at', 'created_at', 'updated_at', 'placed_at', 'published_at']);
  const label = (value: unknown): unknown => {
    if (typeof value === 'string') return labels.get(value) ?? value;
    if (Array.isArray(value)) return value.map(label);
    if (value instanceof Date) return 'date';
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !clockOrId.has(k))
          .map(([k, v]) => [k, label(v)]),
      );
    return value;
  };
  const [orders, lines, customers, reservations, levels, movements, events, outbox] = await Promise.all([
    q('select * from "order" order by number'),
    q('select l.* from order_line l join "order" o on o.id = l.order_id order by o.number, l.position'),
    q('select * from customer order by email nulls last, name'),
    q(
      'select r.*, o.number from reservation r join order_line l on l.id = r.order_line_id join "order" o on o.id = l.order_id order by o.number, l.position, r.location_id',
    ),
    q('select s.*, v.sku from stock_level s join variant v on v.id = s.variant_id order by v.sku, s.location_id'),
    q("select * from stock_movement where kind = 'reserved' order by id"),
    q('select e.* from order_event e join "order" o on o.id = e.order_id order by o.number, e.id'),
    q(
      `select topic, aggregate_id, payload from outbox_event where topic like 'order.%' or topic like 'stock.%' order by id`,
    ),
  ]);
  // Rows written in (variant, location) id order come out in a different order in each
  // database (the ids are random): compare them in label order instead.
  const key = (r: Record<string, unknown>, ...fields: string[]) => fields.map((f) => String(r[f] ?? '')).join('|');
  const byLabel = (fields: string[]) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
    key(a, ...fields).localeCompare(key(b, ...fields));
  const sortRuns = <T>(rows: T[], inRun: (r: T) => boolean, compare: (a: T, b: T) => number): T[] => {
    const out: T[] = [];
    let run: T[] = [];
    for (const r of [...rows, null]) {
      if (r !== null && inRun(r)) run.push(r);
      else {
        out.push(...run.sort(compare));
        run = [];
        if (r !== null) out.push(r);
      }
    }
    return out;
  };
  const labelled = label({ orders, lines, customers, reservations, levels, movements, events, outbox }) as Record<
    string,
    Record<string, unknown>[]
  >;
  labelled.reservations!.sort(byLabel(['order_line_id', 'location_id']));
  labelled.levels!.sort(byLabel(['variant_id', 'location_id']));
  labelled.movements!.sort(byLabel(['order_id', 'variant_id', 'location_id']));
  for (const e of labelled.events!) {
    const data = e.data as { reservations?: Record<string, unknown>[] } | null;
    data?.reservations?.sort(byLabel(['lineId', 'locationId']));
  }
  labelled.outbox = sortRuns(
    labelled.outbox!,
    (m) => String(m.topic).startsWith('stock.'),
    (a, b) => {
      const [pa, pb] = [a.payload as Record<string, unknown>, b.payload as Record<string, unknown>];
      return (
        key(pa, 'variantId', 'locationId').localeCompare(key(pb, 'variantId', 'locationId')) ||
        String(a.topic).localeCompare(String(b.topic))
      );
    },
  );
  return labelled;
}

/** Places an order on one side; returns what the caller sees and how many statements it took. */
async function place(
  side: Side,
  input: PlaceOrderInput,
): Promise<{ status: string; version: number; statements: number }> {
  side.statements.length = 0;
  const order = await placeOrder(contextFor(side.orm.em), side.deps, input);
  return { status: order.status, version: order.version, statements: side.statements.length };
}

const austin = { ...ADDRESS, latitude: 30.27, longitude: -97.74 };
const ORDERS: PlaceOrderInput[] = [
  // Split across two locations; a new customer with a name only.
  {
    currency: 'USD',
    customer: { email: 'ada@example.com', name: 'Ada' },
    shippingAddress: austin,
    lines: [
      { sku: 'TEE', quantity: 5 },
      { sku: 'MUG', quantity: 1 },
    ],
  },
  // The same customer again, now with a phone: the customer row learns it.
  {
    currency: 'USD',
    customer: { email: 'ada@example.com', phone: '+1 512 555 0100' },
    shippingAddress: austin,
    lines: [{ sku: 'CAP', quantity: 2 }],
    shippingAmount: 500,
    taxAmount: 120,
    discountAmount: 100,
  },
  // Takes MUG at DAL from 9 available to 6, crossing its reorder point (stock.low once).
  {
    currency: 'USD',
    shippingAddress: austin,
    lines: [{ sku: 'MUG', quantity: 3 }],
    idempotencyKey: 'mug-3',
    source: 'phone',
  },
  // A channel order without a customer, with a purchase order number.
  {
    currency: 'USD',
    channelId: 'shop',
    externalId: 'SHOP-1001',
    shippingAddress: austin,
    lines: [{ sku: 'CAP', quantity: 1 }],
    purchaseOrderNumber: 'PO-7',
  },
  // Below the reorder point already: no second stock.low.
  {
    currency: 'USD',
    customer: { email: 'bob@example.com', name: 'Bob' },
    shippingAddress: austin,
    lines: [{ sku: 'MUG', quantity: 1 }],
  },
];

describe('one-statement placement', () => {
  it('writes exactly what the general path writes for the same orders', async () => {
    for (const input of ORDERS) {
      const [a, b] = [await place(fast, input), await place(general, input)];
      expect({ ...a, statements: 0 }).toEqual({ ...b, statements: 0 });
      expect(a.status).toBe('ALLOCATED');
      // The snapshot read and the one write; the general path takes a dozen or more.
      expect(a.statements).toBe(2);
      expect(b.statements).toBeGreaterThan(10);
    }
    const [a, b] = await Promise.all([dump(fast.db.url), dump(general.db.url)]);
    expect(a).toEqual(b);
    // The comparison saw real content: 5 orders, a split line, one stock.low crossing.
    const outbox = (a as { outbox: { topic: string }[] }).outbox;
    expect((a as { orders: unknown[] }).orders).toHaveLength(5);
    expect((a as { reservations: unknown[] }).reservations).toHaveLength(7);
    expect(outbox.filter((m) => m.topic === 'stock.low')).toHaveLength(1);
    expect(outbox.filter((m) => m.topic === 'order.status_changed')).toHaveLength(15);
  });

  it('answers an idempotent retry with the first order on both paths', async () => {
    for (const side of [fast, general]) {
      const again = await placeOrder(contextFor(side.orm.em), side.deps, ORDERS[2]!);
      const [row] = await sql<{ n: number }>(
        side.db.url,
        `select count(*)::int as n from "order" where idempotency_key = 'mug-3'`,
      );
      expect(again.status).toBe('ALLOCATED');
      expect(row!.n).toBe(1);
    }
  });
});
