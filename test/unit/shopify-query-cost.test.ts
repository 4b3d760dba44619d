import { describe, expect, it } from '@jest/globals';
import { getOperationAST, parse } from 'graphql';
import {
  LINE_ITEMS_PAGE_BY_COST,
  ORDERS_PAGE_BY_COST,
  SHOPIFY_MAX_QUERY_COST,
} from '../../src/connectors/shopify/shopify.connector.js';
import { ORDER_NODE_COST } from '../../src/connectors/shopify/shopify-order-node.js';
import * as queries from '../../src/connectors/shopify/shopify-queries.js';
import { MAX_SINGLE_QUERY_COST, requestedQueryCost } from '../../src/connectors/shopify/simulator/sim-cost.js';
import { buildSimSchema } from '../../src/connectors/shopify/simulator/sim-schema.js';
import { SimState } from '../../src/connectors/shopify/simulator/sim-state.js';

const schema = buildSimSchema(new SimState(Date.now), new Map(), {
  onOrderChanged: () => undefined,
  commitsStock: () => false,
});

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  return requestedQueryCost(schema, document, getOperationAST(document)!, variables);
}

describe('Shopify query cost, priced up front', () => {
  it('prices objects 1, connections 2 + first × node, lists first × item, scalars 0', () => {
    expect(cost('{ order(id: "x") { id name } }')).toBe(1);
    expect(cost('{ order(id: "x") { customer { firstName } } }')).toBe(2);
    expect(cost('{ productVariants(first: 10) { nodes { id } } }')).toBe(2 + 10);
    expect(cost('{ productVariants(first: 10) { edges { node { id inventoryItem { id } } } } }')).toBe(2 + 10 * 2);
    expect(cost('query($n: Int!) { productVariants(first: $n) { nodes { id } } }', { n: 7 })).toBe(9);
    expect(cost('{ order(id: "x") { refunds(first: 4) { id totalRefundedSet { shopMoney { amount } } } } }')).toBe(
      1 + 4 * 3,
    );
    process.stdout.write(`query cost: unit prices as Shopify's rules\n`);
  });

  it('the order page the connector asks for stays within 1,000 points, and the old shape did not', () => {
    const perOrder = cost(queries.ORDERS_UPDATED_SINCE, { first: 1, query: '' }) - 2;
    expect(perOrder).toBe(ORDER_NODE_COST);
    const page = cost(queries.ORDERS_UPDATED_SINCE, { first: ORDERS_PAGE_BY_COST, query: '' });
    expect(page).toBeLessThanOrEqual(MAX_SINGLE_QUERY_COST);
    expect(cost(queries.ORDERS_UPDATED_SINCE, { first: ORDERS_PAGE_BY_COST + 1, query: '' })).toBeGreaterThan(
      MAX_SINGLE_QUERY_COST,
    );
    // The first wave's lineItems(first: 250) + refunds(first: 50): over the cap for a single order.
    const old = queries.ORDERS_UPDATED_SINCE.replace(/lineItems\(first: \d+\)/, 'lineItems(first: 250)').replace(
      /refunds\(first: \d+\)/,
      'refunds(first: 50)',
    );
    const oldCost = cost(old, { first: 1, query: '' });
    expect(oldCost).toBeGreaterThan(MAX_SINGLE_QUERY_COST);
    process.stdout.write(
      `query cost: one order node ${perOrder} points, page of ${ORDERS_PAGE_BY_COST} orders ${page}, ` +
        `the old shape ${oldCost} for one order (cap ${SHOPIFY_MAX_QUERY_COST})\n`,
    );
  });

  it('every other document the connector sends stays within the cap at its largest', () => {
    const sizes: Record<string, number> = {
      ORDER_LINE_ITEMS_PAGE: cost(queries.ORDER_LINE_ITEMS_PAGE, { id: 'x', first: LINE_ITEMS_PAGE_BY_COST }),
      ORDER_ALL_REFUNDS: cost(queries.ORDER_ALL_REFUNDS, { id: 'x' }),
      ORDER_FULFILMENT_STATE: cost(queries.ORDER_FULFILMENT_STATE, { id: 'x' }),
      ORDER_FULFILLMENTS: cost(queries.ORDER_FULFILLMENTS, { id: 'x' }),
      ORDER_CANCELLED_AT: cost(queries.ORDER_CANCELLED_AT, { id: 'x' }),
      VARIANTS_BY_SKU: cost(queries.VARIANTS_BY_SKU, { query: '' }),
      availableQuery250: cost(queries.availableQuery(250)),
    };
    for (const value of Object.values(sizes)) expect(value).toBeLessThanOrEqual(MAX_SINGLE_QUERY_COST);
    expect(cost(queries.ORDER_LINE_ITEMS_PAGE, { id: 'x', first: LINE_ITEMS_PAGE_BY_COST + 1 })).toBeGreaterThan(
      MAX_SINGLE_QUERY_COST,
    );
    process.stdout.write(`query cost: ${JSON.stringify(sizes)}\n`);
  });
});
