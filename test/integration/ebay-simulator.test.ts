import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PlatformError } from '../../src/connectors/connector.js';
import { EbayHttp } from '../../src/connectors/ebay/ebay-http.js';
import { EbayTokenSource, TOKEN_EXPIRY_MARGIN_MS } from '../../src/connectors/ebay/ebay-oauth.js';
import { EBAY_MAX_REVISIONS_PER_DAY } from '../../src/connectors/ebay/simulator/ebay-sim-state.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { ebaySignedVectors } from '../support/fixtures.js';

const CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret', refreshToken: 'v^1.1#refresh-ok' };
let clock = Date.parse('2026-12-07T10:00:00.000Z');
const now = () => clock;

let sim: EbaySimulator;
let http: EbayHttp;

beforeAll(async () => {
  sim = new EbaySimulator({ ...CLIENT, refreshTokens: [CLIENT.refreshToken], now });
  http = new EbayHttp({ endpoint: await sim.start(), timeoutMs: 2_000, retryDelayMs: 1 });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.state.faults.length = 0;
  sim.state.log.length = 0;
});

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected a PlatformError');
}

const bearer = async (tokens: EbayTokenSource) => ({ Authorization: `Bearer ${await tokens.userToken()}` });

describe('eBay OAuth through the simulated identity endpoint', () => {
  it('exchanges the refresh token once and reuses the access token until shortly before it expires', async () => {
    const tokens = new EbayTokenSource(http, CLIENT, now);
    const first = await tokens.userToken();
    expect(await tokens.userToken()).toBe(first);
    clock += 7200_000 - TOKEN_EXPIRY_MARGIN_MS - 1;
    expect(await tokens.userToken()).toBe(first);
    clock += 1;
    const renewed = await tokens.userToken();
    expect(renewed).not.toBe(first);
    expect(sim.state.log.filter((c) => c.path === '/identity/v1/oauth2/token')).toHaveLength(2);
  });

  it('shares one exchange between concurrent callers', async () => {
    const tokens = new EbayTokenSource(http, CLIENT, now);
    const [a, b] = await Promise.all([tokens.userToken(), tokens.userToken()]);
    expect(a).toBe(b);
    expect(sim.state.log.filter((c) => c.api === 'identity')).toHaveLength(1);
  });

  it('reports a revoked refresh token as AUTH (a person must reconnect the channel)', async () => {
    const tokens = new EbayTokenSource(http, { ...CLIENT, refreshToken: 'revoked' }, now);
    expect((await failure(tokens.userToken())).kind).toBe('AUTH');
  });

  it('reports a wrong client secret as AUTH', async () => {
    const tokens = new EbayTokenSource(http, { ...CLIENT, clientSecret: 'wrong' }, now);
    expect((await failure(tokens.appToken())).kind).toBe('AUTH');
  });

  it('refuses a Sell API call with an application token (403 → AUTH)', async () => {
    const tokens = new EbayTokenSource(http, CLIENT, now);
    const call = http.request({
      method: 'GET',
      path: '/sell/fulfillment/v1/order',
      headers: { Authorization: `Bearer ${await tokens.appToken()}` },
      retries: 0,
    });
    expect((await failure(call)).kind).toBe('AUTH');
  });
});

describe('the simulated Sell Fulfillment API', () => {
  let tokens: EbayTokenSource;
  beforeAll(() => {
    tokens = new EbayTokenSource(http, CLIENT, now);
    for (let i = 0; i < 5; i++) {
      sim.addOrder({
        orderId: `27-0000${i}-00000`,
        creationDate: new Date(Date.parse('2026-12-01T00:00:00Z') + i * 60_000).toISOString(),
        lastModifiedDate: new Date(Date.parse('2026-12-02T00:00:00Z') + i * 60_000).toISOString(),
        lineItems: [{ lineItemId: `L${i}`, sku: 'MUG-1', quantity: 2 }],
      });
    }
  });

  const getOrders = async (query: Record<string, string>) =>
    http.request<{ orders: { orderId: string }[]; total: number; next?: string }>({
      method: 'GET',
      path: '/sell/fulfillment/v1/order',
      query,
      headers: await bearer(tokens),
      retries: 0,
    });

  it('filters by lastmodifieddate and pages by offset', async () => {
    const filter = 'lastmodifieddate:[2026-12-02T00:01:00.000Z..]';
    const first = await getOrders({ filter, limit: '3', offset: '0' });
    expect(first.body.total).toBe(4);
    expect(first.body.orders).toHaveLength(3);
    expect(first.body.next).toContain('offset=3');
    const second = await getOrders({ filter, limit: '3', offset: '3' });
    expect(second.body.orders).toHaveLength(1);
    expect(second.body.next).toBeUndefined();
    const ids = [...first.body.orders, ...second.body.orders].map((o) => o.orderId).sort();
    expect(ids).toEqual(['27-00001-00000', '27-00002-00000', '27-00003-00000', '27-00004-00000']);
  });

  it('bounds the window on both ends', async () => {
    const page = await getOrders({ filter: 'lastmodifieddate:[2026-12-02T00:01:00.000Z..2026-12-02T00:02:00.000Z]' });
    expect(page.body.orders.map((o) => o.orderId).sort()).toEqual(['27-00001-00000', '27-00002-00000']);
  });

  it('refuses a limit above 200 (INVALID)', async () => {
    expect((await failure(getOrders({ limit: '201' }))).kind).toBe('INVALID');
  });

  it('answers a second fulfilment of the same line with 409', async () => {
    const post = async () =>
      http.request({
        method: 'POST',
        path: '/sell/fulfillment/v1/order/27-00000-00000/shipping_fulfillment',
        json: { lineItems: [{ lineItemId: 'L0', quantity: 2 }], shippingCarrierCode: 'USPS', trackingNumber: '9400' },
        headers: await bearer(tokens),
        expect: [201, 409],
        retries: 0,
      });
    const created = await post();
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/order\/27-00000-00000\/shipping_fulfillment\/9400$/);
    expect((await post()).status).toBe(409);
    expect(sim.state.orders.get('27-00000-00000')?.orderFulfillmentStatus).toBe('FULFILLED');
  });

  it('answers a scripted 429 with its Retry-After, read as RATE_LIMITED', async () => {
    sim.state.faults.push({ api: 'fulfillment', status: 429, retryAfterSeconds: 7 });
    const error = await failure(getOrders({}));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('retries a 5xx as declared, then answers', async () => {
    sim.state.faults.push({ api: 'fulfillment', status: 503 });
    const answer = await http.request<{ orders: unknown[] }>({
      method: 'GET',
      path: '/sell/fulfillment/v1/order',
      headers: await bearer(tokens),
      retries: 1,
    });
    expect(answer.status).toBe(200);
    expect(sim.state.log.filter((c) => c.api === 'fulfillment').map((c) => c.status)).toEqual([503, 200]);
  });

  it('answers 429 once the daily quota is spent, until the next UTC day', async () => {
    sim.state.quotas.fulfillment = sim.state.callsToday('fulfillment');
    const error = await failure(getOrders({}));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(86_400_000);
    sim.state.quotas.fulfillment = 100_000;
  });
});

describe('the simulated Sell Inventory API', () => {
  let tokens: EbayTokenSource;
  beforeAll(() => {
    tokens = new EbayTokenSource(http, CLIENT, now);
    for (const sku of ['A', 'B']) sim.state.inventory.set(sku, { sku, quantity: 0, offerIds: [`offer-${sku}`] });
  });
  const bulk = async (requests: unknown[]) =>
    http.request<{ responses: { sku: string; statusCode: number }[] }>({
      method: 'POST',
      path: '/sell/inventory/v1/bulk_update_price_quantity',
      json: { requests },
      headers: await bearer(tokens),
      expect: [200, 207],
      retries: 0,
    });
  const item = (sku: string, quantity: number) => ({ sku, shipToLocationAvailability: { quantity } });

  it('answers 200 when every SKU is set, 207 with per-SKU status when some are not', async () => {
    expect((await bulk([item('A', 3), item('B', 4)])).status).toBe(200);
    const mixed = await bulk([item('A', 5), item('NOPE', 1)]);
    expect(mixed.status).toBe(207);
    expect(mixed.body.responses.map((r) => [r.sku, r.statusCode])).toEqual([
      ['A', 200],
      ['NOPE', 404],
    ]);
    expect(sim.state.inventory.get('A')?.quantity).toBe(5);
  });

  it('refuses more than 25 inventory items in one call', async () => {
    const many = Array.from({ length: 26 }, (_, i) => item(`X${i}`, 1));
    expect((await failure(bulk(many))).kind).toBe('INVALID');
  });

  it('stops revising a listing at its daily cap and counts again the next day', async () => {
    const used = sim.state.revisionsToday('B');
    for (let i = used; i < EBAY_MAX_REVISIONS_PER_DAY; i++) sim.state.revise('B');
    const capped = await bulk([item('B', 9)]);
    expect(capped.status).toBe(207);
    expect(capped.body.responses[0]!.statusCode).toBe(400);
    expect(sim.state.inventory.get('B')?.quantity).not.toBe(9);
    clock += 86_400_000;
    tokens = new EbayTokenSource(http, CLIENT, now);
    expect((await bulk([item('B', 9)])).status).toBe(200);
  });
});

describe('the simulated Notification API', () => {
  it('serves the official fixtures’ public keys unchanged, by key id', async () => {
    const vectors = ebaySignedVectors();
    for (const v of Object.values(vectors)) if (v.response) sim.state.publicKeys.set(v.public_key, v.response);
    const tokens = new EbayTokenSource(http, CLIENT, now);
    const get = async (kid: string) =>
      http.request({
        method: 'GET',
        path: `/commerce/notification/v1/public_key/${kid}`,
        headers: { Authorization: `Bearer ${await tokens.appToken()}` },
        retries: 0,
      });
    expect((await get(vectors.VALID.public_key)).body).toEqual(vectors.VALID.response);
    expect((await failure(get(vectors.ERROR.public_key))).kind).toBe('NOT_FOUND');
  });
});
