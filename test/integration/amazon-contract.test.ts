import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { AmazonSimulator, type SimCall } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import type { StockTarget } from '../../src/connectors/connector.js';
import { SpApiContract } from '../support/amazon-contract.js';
import { amazonFixture } from '../support/fixtures.js';

/*
 * Our requests and the simulator's answers, checked against Amazon's official models: the
 * connector's every operation runs against the simulator (successes, refusals, a 429), then
 * every SP-API call it recorded is validated (query, body, answer for its status, and the
 * declared x-amzn-RateLimit-Limit header).
 */

const EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');
const JP = 'A1VC38T7YXB528';
const SP_API_OPERATIONS = new Set([
  'searchOrders',
  'getOrder',
  'confirmShipment',
  'createFeedDocument',
  'getFeedDocument',
  'createFeed',
  'getFeed',
  'patchListingsItem',
]);

const contract = new SpApiContract();
let sim: AmazonSimulator;
let spApiCalls: SimCall[];

const target = (sku: string, quantity: number): StockTarget => ({
  sku,
  externalInventoryItemId: sku,
  externalLocationId: 'DEFAULT',
  quantity,
  expectedQuantity: null,
});

function merchantOrder(id: string, status: string): Order {
  const o = structuredClone(EXAMPLE.response.orders[0]!);
  o.orderId = id;
  o.fulfillment = { ...o.fulfillment!, fulfillmentStatus: status as never, fulfilledBy: 'MERCHANT' };
  for (const item of o.orderItems)
    item.fulfillment = { quantityFulfilled: 0, quantityUnfulfilled: item.quantityOrdered };
  return o;
}

beforeAll(async () => {
  sim = new AmazonSimulator();
  await sim.start();
  const connector = new AmazonConnector({
    credentials: {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      refreshToken: sim.refreshToken,
      sellerId: sim.sellerId,
      region: 'fe',
      marketplaceIds: [JP],
    },
    endpoint: sim.url,
    timeoutMs: 2_000,
    feedWait: { pollIntervalMs: 1, maxWaitMs: 5_000 },
  });
  sim.addOrders([
    ...EXAMPLE.response.orders,
    merchantOrder('250-0000001-0000001', 'UNSHIPPED'),
    merchantOrder('250-0000002-0000002', 'PENDING'),
  ]);
  sim.listings.unknownSkus.add('GONE-1');
  const ignore = (p: Promise<unknown>) => p.catch(() => undefined);

  const first = await connector.pullOrders(new Date('2024-01-01T00:00:00Z'), null, 2);
  await connector.pullOrders(new Date('2024-01-01T00:00:00Z'), first.nextCursor, 2);
  sim.failNext('searchOrders', 429);
  await ignore(connector.pullOrders(new Date('2024-01-01T00:00:00Z'), null, 2));
  await connector.pushStock([target('MUG-1', 4), target('GONE-1', 1)], 'k1');
  await connector.pushUrgentStock(target('MUG-1', 1));
  await connector.pushUrgentStock(target('GONE-1', 1));
  const push = (orderId: string) => ({
    externalOrderId: orderId,
    lines: [{ externalLineId: '25012345678901', quantity: 1 }],
    trackingNumber: '1Z999',
    carrier: 'UPS',
    trackingUrl: null,
  });
  await connector.pushFulfilment(push('250-0000001-0000001'), 'f1');
  await ignore(connector.pushFulfilment(push('250-0000002-0000002'), 'f2'));
  await ignore(connector.pushFulfilment(push('250-9999999-9999999'), 'f3'));
  spApiCalls = sim.calls.filter((c) => SP_API_OPERATIONS.has(c.operation));
});
afterAll(() => sim.stop());

describe('Amazon contract: the official models', () => {
  it('accept the official searchOrders example, and reject it without an orderId (the check is not vacuous)', () => {
    const path = '/orders/2026-01-01/orders';
    expect(contract.responseErrors(path, 'GET', 200, EXAMPLE.response)).toEqual([]);
    const broken = structuredClone(EXAMPLE.response) as unknown as { orders: Record<string, unknown>[] };
    delete broken.orders[0]!.orderId;
    expect(contract.responseErrors(path, 'GET', 200, broken)).toEqual([
      expect.stringContaining("must have required property 'orderId'"),
    ]);
    // (The model states maxResultsPerPage's 1..100 in prose only, so it cannot be checked here.)
    expect(contract.queryErrors(path, 'GET', { updatedSince: '2026-01-01', includedData: 'EVERYTHING' })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('must NOT have additional properties'),
        expect.stringContaining('/includedData/0 must be equal to one of the allowed values'),
      ]),
    );
  });

  it('covered every operation the connector uses, with successes and refusals', () => {
    expect(new Set(spApiCalls.map((c) => c.operation))).toEqual(SP_API_OPERATIONS);
    expect(new Set(spApiCalls.map((c) => c.status))).toEqual(new Set([200, 201, 202, 204, 400, 404, 429]));
  });

  it('find every request we sent valid: query parameters and bodies', () => {
    const problems = spApiCalls.flatMap((c) => {
      const errors = [...contract.queryErrors(c.path, c.method, c.query)];
      if (c.method !== 'GET') errors.push(...contract.bodyErrors(c.path, c.method, c.body));
      return errors.map((e) => `${c.operation} ${c.method} ${c.path}: ${e}`);
    });
    expect(problems).toEqual([]);
  });

  it("find every simulator answer valid for its status, with the model's declared rate-limit header", () => {
    const problems = spApiCalls.flatMap((c) => {
      const errors = contract.responseErrors(c.path, c.method, c.status, c.response);
      for (const header of contract.declaredHeaders(c.path, c.method, c.status)) {
        if (!Object.keys(c.responseHeaders ?? {}).some((h) => h.toLowerCase() === header.toLowerCase()))
          errors.push(`missing header ${header}`);
      }
      return errors.map((e) => `${c.operation} ${c.status} ${c.path}: ${e}`);
    });
    expect(problems).toEqual([]);
  });
});
