import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import { EbayHttp } from '../../src/connectors/ebay/ebay-http.js';
import { EbayTokenSource } from '../../src/connectors/ebay/ebay-oauth.js';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { contractErrors, modelVersion } from '../support/ebay-contract.js';
import { ebayOrderFixture, ebaySignedVectors } from '../support/fixtures.js';

const credentials = {
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  refreshToken: 'v^1.1#refresh-ok',
  verificationToken: 'verify-token',
  marketplaceId: 'EBAY_US',
};
const ORDER_FILES = ['paid-two-lines-usd.json', 'cancelled-refunded-gbp.json'];

let sim: EbaySimulator;
let http: EbayHttp;
let connector: EbayConnector;
let tokens: EbayTokenSource;

beforeAll(async () => {
  sim = new EbaySimulator({ ...credentials, refreshTokens: [credentials.refreshToken] });
  const endpoint = await sim.start();
  http = new EbayHttp({ endpoint, timeoutMs: 2_000, retryDelayMs: 1 });
  tokens = new EbayTokenSource(http, credentials);
  connector = new EbayConnector({ credentials, endpoint, timeoutMs: 2_000, retryDelayMs: 1 });
  for (const file of ORDER_FILES) sim.addOrder(ebayOrderFixture<EbayOrder>(file));
  for (const sku of ['MUG-1', 'TEE-M']) sim.state.inventory.set(sku, { sku, quantity: 0, offerIds: [`o-${sku}`] });
  const vectors = ebaySignedVectors();
  sim.state.publicKeys.set(vectors.VALID.public_key, vectors.VALID.response);
});
afterAll(() => sim.stop());

const get = async (path: string, query: Record<string, string> = {}, token?: string) =>
  (
    await http.request<unknown>({
      method: 'GET',
      path,
      query,
      headers: { Authorization: `Bearer ${token ?? (await tokens.userToken())}` },
      retries: 0,
    })
  ).body;

const lastBody = (path: string) => sim.state.log.filter((c) => c.path === path).at(-1)?.body;

describe(`our order files against eBay's Order (Sell Fulfillment ${modelVersion('fulfillment')})`, () => {
  it.each(ORDER_FILES)('%s conforms', (file) => {
    expect(contractErrors('fulfillment', 'Order', ebayOrderFixture(file))).toEqual([]);
  });

  it('the check has teeth: a quantity sent as a string is refused', () => {
    const spoilt = ebayOrderFixture<{ lineItems: { quantity: unknown }[] }>(ORDER_FILES[0]!);
    spoilt.lineItems[0]!.quantity = '2';
    expect(contractErrors('fulfillment', 'Order', spoilt)).not.toEqual([]);
  });
});

describe("the simulator's answers against eBay's models", () => {
  it('getOrders answers an OrderSearchPagedCollection', async () => {
    const page = await get('/sell/fulfillment/v1/order', {
      filter: 'lastmodifieddate:[2026-01-01T00:00:00.000Z..]',
      limit: '1',
    });
    expect(contractErrors('fulfillment', 'OrderSearchPagedCollection', page)).toEqual([]);
    expect((page as { next?: string }).next).toBeDefined();
  });

  it('getOrder answers an Order', async () => {
    const order = await get('/sell/fulfillment/v1/order/12-34567-89012');
    expect(contractErrors('fulfillment', 'Order', order)).toEqual([]);
  });

  it('getShippingFulfillments answers a ShippingFulfillmentPagedCollection', async () => {
    await connector.pushFulfilment(
      {
        externalOrderId: '12-34567-89012',
        lines: [{ externalLineId: '10051234567801', quantity: 2 }],
        trackingNumber: '1Z999',
        carrier: 'UPS',
        trackingUrl: null,
      },
      'k',
    );
    const list = await get('/sell/fulfillment/v1/order/12-34567-89012/shipping_fulfillment');
    expect(contractErrors('fulfillment', 'ShippingFulfillmentPagedCollection', list)).toEqual([]);
  });

  it('bulkUpdatePriceQuantity answers a BulkPriceQuantityResponse, 207 included', async () => {
    const answer = await http.request<unknown>({
      method: 'POST',
      path: '/sell/inventory/v1/bulk_update_price_quantity',
      json: { requests: [{ sku: 'MUG-1', shipToLocationAvailability: { quantity: 1 } }, { sku: 'NOPE' }] },
      headers: { Authorization: `Bearer ${await tokens.userToken()}` },
      expect: [200, 207],
      retries: 0,
    });
    expect(answer.status).toBe(207);
    expect(contractErrors('inventory', 'BulkPriceQuantityResponse', answer.body)).toEqual([]);
  });

  it('getPublicKey answers a PublicKey (Notification API)', async () => {
    const key = await get(
      `/commerce/notification/v1/public_key/${ebaySignedVectors().VALID.public_key}`,
      {},
      await tokens.appToken(),
    );
    expect(contractErrors('notification', 'PublicKey', key)).toEqual([]);
  });
});

describe("the connector's requests against eBay's models", () => {
  it('createShippingFulfillment sends a ShippingFulfillmentDetails', async () => {
    await connector.pushFulfilment(
      {
        externalOrderId: '12-34567-89012',
        lines: [{ externalLineId: '10051234567802', quantity: 1 }],
        trackingNumber: '9400',
        carrier: 'USPS',
        trackingUrl: null,
      },
      'k2',
    );
    const body = lastBody('/sell/fulfillment/v1/order/12-34567-89012/shipping_fulfillment');
    expect(body).toBeDefined();
    expect(contractErrors('fulfillment', 'ShippingFulfillmentDetails', body)).toEqual([]);
  });

  it('bulkGetInventoryItem sends a BulkGetInventoryItem and is answered a BulkGetInventoryItemResponse', async () => {
    await connector.listVariantsBySku(['MUG-1', 'NOPE']);
    expect(
      contractErrors('inventory', 'BulkGetInventoryItem', lastBody('/sell/inventory/v1/bulk_get_inventory_item')),
    ).toEqual([]);
    const answer = await http.request<unknown>({
      method: 'POST',
      path: '/sell/inventory/v1/bulk_get_inventory_item',
      json: { requests: [{ sku: 'MUG-1' }, { sku: 'NOPE' }] },
      headers: { Authorization: `Bearer ${await tokens.userToken()}` },
      expect: [200, 207],
      retries: 0,
    });
    expect(contractErrors('inventory', 'BulkGetInventoryItemResponse', answer.body)).toEqual([]);
  });

  it('bulkUpdatePriceQuantity sends a BulkPriceQuantity', async () => {
    const target = (sku: string) => ({
      sku,
      externalInventoryItemId: sku,
      externalLocationId: 'default',
      quantity: 4,
      expectedQuantity: null,
    });
    await connector.pushStock([target('MUG-1'), target('TEE-M')], 'k3');
    const body = lastBody('/sell/inventory/v1/bulk_update_price_quantity');
    expect(body).toBeDefined();
    expect(contractErrors('inventory', 'BulkPriceQuantity', body)).toEqual([]);
  });
});
