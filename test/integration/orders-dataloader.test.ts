import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { graphql, type GraphQLSchema } from 'graphql';
import { entities } from '../../src/domain/entities.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { requestReturn } from '../../src/domain/orders/lifecycle/request-return.js';
import { buildGraphQLSchema } from '../../src/schema/build-schema.js';
import { RequestContext, type GraphQLServices } from '../../src/schema/context.js';
import { orderDeps, seeded } from '../support/commerce.js';
import { ADMIN, contextFor, quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { seedCatalog, seedOrders } from '../support/order-fixtures.js';

/**
 * Nested fields are batched per request: a page of orders with lines, customer, timeline,
 * shipments and returns
 * costs the same number of SQL queries for 10 orders as for 100. Queries are counted with an
 * ORM of this test's own whose `onQuery` hook sees every statement; the schema is executed
 * directly (no HTTP), so the query-cost limit does not cap the page.
 */
let db: TestDatabase;
let orm: MikroORM;
let schema: GraphQLSchema;
let statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const options: Partial<Options> = {
    entities,
    driver: PostgreSqlDriver,
    clientUrl: db.url,
    pool: { min: 0, max: 2 },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    onQuery: (text: string) => {
      statements.push(text);
      return text;
    },
  };
  orm = await MikroORM.init(options as Options);
  await seedCatalog(contextFor(orm.em), db.url);
  const placed = await seedOrders(() => contextFor(orm.em), db.url, seeded(7), 110, 'dl');
  // Shipments on every allocated order (every other one shipped), a return on every other shipped one.
  let n = 0;
  for (const order of placed.filter((o) => o.status === 'ALLOCATED')) {
    const { shipments } = await createShipment(contextFor(orm.em.fork()), order.id);
    if (n++ % 2 === 1) continue;
    const shipped = await markShipmentShipped(contextFor(orm.em.fork()), shipments[0]!.shipment.id, {
      carrier: 'UPS',
      trackingNumber: `1Z${n}`,
    });
    if (n % 4 === 1) {
      const line = shipped.shipment.lines[0]!;
      await requestReturn(contextFor(orm.em.fork()), order.id, {
        lines: [{ lineId: line.orderLineId, quantity: 1, reason: 'too big' }],
      });
    }
  }
  schema = await buildGraphQLSchema();
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

/** Runs one operation as a fresh request would and returns the statements it sent. */
async function run(
  source: string,
  variables: Record<string, unknown>,
): Promise<{ data: unknown; statements: string[] }> {
  statements = [];
  const contextValue = new RequestContext(
    ADMIN,
    'dataloader-test',
    { orders: orderDeps } as GraphQLServices,
    orm,
    quietLogger,
  );
  const result = await graphql({ schema, source, variableValues: variables, contextValue });
  expect(result.errors).toBeUndefined();
  return { data: result.data, statements: statements.filter((s) => !/^\s*(begin|commit|rollback)/i.test(s)) };
}

const ORDERS_DEEP = `query($first: Int!) {
  orders(first: $first) {
    totalCount
    edges { node { id number lines { sku quantity unitPrice { amount } } customer { id name } events { type toStatus } payment { status } } }
  }
}`;

describe('DataLoader batching', () => {
  it('loads a page of orders with lines, customer and events in the same number of queries for 10, 50 and 100 orders', async () => {
    const counts: number[] = [];
    for (const first of [10, 50, 100]) {
      const { data, statements: sent } = await run(ORDERS_DEEP, { first });
      const edges = (data as { orders: { edges: { node: { lines: unknown[]; events: unknown[] } }[] } }).orders.edges;
      expect(edges).toHaveLength(first);
      expect(edges.every((e) => e.node.lines.length > 0 && e.node.events.length > 0)).toBe(true);
      counts.push(sent.length);
    }
    // orders page + totalCount + lines + customers + events + card payments (`payment`: the `payment`
    // rows of the page in one query; a `manual` payment is derived from the events)
    expect(counts).toEqual([6, 6, 6]);
  });

  it('loads shipments and returns (with their lines) of a page of orders in the same number of queries for 10, 50 and 100 orders', async () => {
    const query = `query($first: Int!) {
      orders(first: $first) {
        edges { node { id version lines { sku } events { type }
          shipments { id orderId status lines { orderLineId sku quantity } }
          returns { id orderId status lines { orderLineId sku quantity unitPrice { amount } } } } }
      }
    }`;
    type Node = {
      id: string;
      version: number;
      shipments: { orderId: string; lines: { sku: string; quantity: number }[] }[];
      returns: { orderId: string; lines: { sku: string }[] }[];
    };
    const truth = new Map(
      (
        await sql<{ id: string; version: number; shipments: number; returns: number }>(
          db.url,
          `select o.id, o.version,
             (select count(*)::int from shipment s where s.order_id = o.id) as shipments,
             (select count(*)::int from return_request r where r.order_id = o.id) as returns
           from "order" o`,
        )
      ).map((r) => [r.id, r]),
    );
    const counts: number[] = [];
    for (const first of [10, 50, 100]) {
      const { data, statements: sent } = await run(query, { first });
      const nodes = (data as { orders: { edges: { node: Node }[] } }).orders.edges.map((e) => e.node);
      expect(nodes).toHaveLength(first);
      for (const node of nodes) {
        const want = truth.get(node.id)!;
        expect({
          id: node.id,
          version: node.version,
          shipments: node.shipments.length,
          returns: node.returns.length,
        }).toEqual({ id: node.id, version: want.version, shipments: want.shipments, returns: want.returns });
        for (const s of [...node.shipments, ...node.returns]) expect(s.orderId).toBe(node.id);
        for (const s of node.shipments) for (const l of s.lines) expect(l.sku).toMatch(/^(A1|B2|GOLD)$/);
        for (const r of node.returns) for (const l of r.lines) expect(l.sku).toMatch(/^(A1|B2|GOLD)$/);
      }
      expect(nodes.some((n) => n.shipments.length > 0)).toBe(true);
      expect(nodes.some((n) => n.returns.length > 0)).toBe(true);
      counts.push(sent.length);
    }
    // orders page + lines + events + shipments + their lines + returns + their lines (no totalCount asked: not counted);
    // the SKUs of shipment and return lines come from the order lines already loaded for `lines`.
    expect(counts).toEqual([7, 7, 7]);
  });

  it('loads shipments and returns without the lines field in a bounded number of queries', async () => {
    const { statements: sent } = await run(
      'query($first: Int!) { orders(first: $first) { edges { node { id shipments { lines { sku } } returns { lines { sku } } } } } }',
      { first: 100 },
    );
    // orders page + shipments + their lines + returns + their lines + order lines (at most once per field)
    expect(sent.length).toBeGreaterThanOrEqual(6);
    expect(sent.length).toBeLessThanOrEqual(7);
  });

  it('loads a page of products with their variants, and each variant’s product, in a bounded number of queries', async () => {
    const { data, statements: sent } = await run(
      'query($first: Int!) { products(first: $first) { edges { node { id variants { sku product { id } } } } } }',
      { first: 4 },
    );
    const edges = (data as { products: { edges: { node: { id: string; variants: { product: { id: string } }[] } }[] } })
      .products.edges;
    expect(edges).toHaveLength(4);
    for (const e of edges) for (const v of e.node.variants) expect(v.product.id).toBe(e.node.id);
    // products page + totalCount + variants + products
    expect(sent.length).toBe(4);
  });

  it('searches customer names without dropping orders that have no customer (outer join)', async () => {
    const { statements: sent } = await run('{ orders(first: 5, filter: { search: "SY-" }) { totalCount } }', {});
    const joined = sent.filter((s) => /join "customer"/i.test(s));
    expect(joined.length).toBeGreaterThan(0);
    for (const s of joined) expect(s).toMatch(/left join "customer"/i);
  });
});
