import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_DESCRIPTION_LENGTH } from '../../src/domain/input-limits.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';

/**
 * Issue 9, "accepted but wrong": codes are checked against the real ISO lists, emails against
 * a real address syntax, blank identifiers and emails are refused (not dropped), and free text
 * has a documented maximum. Each refusal is BAD_USER_INPUT naming the field and writes nothing.
 */
const CREATE_PRODUCT = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id description } }`;
const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id channelId customer { email } } }`;
const CREATE_LOCATION = `mutation($input: CreateLocationInput!) { createLocation(input: $input) { id } }`;

let t: TestHub;
let orm: Orm;

const call = (query: string, variables: Record<string, unknown>) =>
  gql<Record<string, { id: string } & Record<string, unknown>>>(t.base, query, { key: t.adminKey, variables });

const order = (over: Record<string, unknown> = {}) => ({
  currency: 'USD',
  shippingAddress: ADDRESS,
  lines: [{ sku: 'FMT-1', quantity: 1 }],
  ...over,
});

async function rowCounts(): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>>(
    t.db.url,
    `select (select count(*) from "order")::int as orders, (select count(*) from customer)::int as customers,
            (select count(*) from product)::int as products, (select count(*) from location)::int as locations`,
  );
  return row!;
}

async function expectRefused(request: () => Promise<GraphQLResponse<unknown>>, field: string): Promise<void> {
  const before = await rowCounts();
  const res = await request();
  expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
  expect(res.body.errors![0]!.extensions).toMatchObject({ field });
  expect(await rowCounts()).toEqual(before);
}

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  const ctx = contextFor(orm.em);
  const { WH } = await createLocations(ctx, [{ code: 'WH' }]);
  await createSku(ctx, 'FMT-1', 500);
  await stock(ctx, 'FMT-1', WH!, 100);
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('currency codes', () => {
  it('refuses currency ZZZ (not ISO 4217) on a new variant', async () => {
    await expectRefused(
      () =>
        call(CREATE_PRODUCT, {
          input: { title: 'Zed', variants: [{ sku: 'ZZZ-1', priceAmount: 1, currency: 'ZZZ' }] },
        }),
      'variants[0].currency',
    );
  });

  it('refuses currency ZZZ on placeOrder', async () => {
    await expectRefused(() => call(PLACE, { input: order({ currency: 'ZZZ' }) }), 'currency');
  });

  it('still accepts a real code in lower case, upper-cased', async () => {
    const res = await call(CREATE_PRODUCT, {
      input: { title: 'Yen', variants: [{ sku: 'JPY-1', priceAmount: 100, currency: 'jpy' }] },
    });
    expect(res.body.errors).toBeUndefined();
  });
});

describe('country codes', () => {
  it.each(['XX', 'ZZ', 'QQ'])('refuses country %s (not ISO 3166-1) in a shipping address', async (countryCode) => {
    await expectRefused(
      () => call(PLACE, { input: order({ shippingAddress: { ...ADDRESS, countryCode } }) }),
      'shippingAddress.countryCode',
    );
  });

  it('refuses country XX in a billing address and a location address', async () => {
    await expectRefused(
      () => call(PLACE, { input: order({ billingAddress: { ...ADDRESS, countryCode: 'XX' } }) }),
      'billingAddress.countryCode',
    );
    await expectRefused(
      () =>
        call(CREATE_LOCATION, {
          input: { code: 'NOWHERE', name: 'Nowhere', address: { ...ADDRESS, countryCode: 'QQ' } },
        }),
      'address.countryCode',
    );
  });
});

describe('emails', () => {
  it('refuses a@b..com', async () => {
    await expectRefused(() => call(PLACE, { input: order({ customer: { email: 'a@b..com' } }) }), 'customer.email');
  });

  it('refuses a blank email with BAD_USER_INPUT instead of silently dropping it', async () => {
    await expectRefused(
      () => call(PLACE, { input: order({ customer: { email: '   ', name: 'Ann' } }) }),
      'customer.email',
    );
  });

  it('accepts a customer without an email (null), and a valid one lower-cased', async () => {
    const none = await call(PLACE, { input: order({ customer: { email: null, name: 'No Mail' } }) });
    expect(none.body.errors).toBeUndefined();
    const some = await call(PLACE, { input: order({ customer: { email: 'Ann@Example.com' } }) });
    expect(some.body.data!.placeOrder!.customer).toEqual({ email: 'ann@example.com' });
  });
});

describe('identifiers', () => {
  it('refuses an empty idempotencyKey instead of placing an order without retry protection', async () => {
    await expectRefused(() => call(PLACE, { input: order({ idempotencyKey: '' }) }), 'idempotencyKey');
    await expectRefused(() => call(PLACE, { input: order({ idempotencyKey: '  ' }) }), 'idempotencyKey');
  });

  it('refuses an empty channelId instead of taking the default channel', async () => {
    await expectRefused(() => call(PLACE, { input: order({ channelId: '' }) }), 'channelId');
  });

  it('refuses an empty channelId in the orders filter and orderStats instead of reading every channel', async () => {
    const orders = await call('query($c: String) { orders(first: 1, filter: { channelId: $c }) { totalCount } }', {
      c: '',
    });
    expect(codesOf(orders)).toEqual(['BAD_USER_INPUT']);
    expect(orders.body.errors![0]!.extensions).toMatchObject({ field: 'channelId' });
    const stats = await call(
      'query($c: String) { orderStats(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", channelId: $c) { channelId } }',
      { c: ' ' },
    );
    expect(codesOf(stats)).toEqual(['BAD_USER_INPUT']);
  });

  it('still defaults an omitted channelId to direct', async () => {
    const res = await call(PLACE, { input: order() });
    expect(res.body.data!.placeOrder!.channelId).toBe('direct');
  });
});

describe('text lengths', () => {
  const megabyte = 'x'.repeat(1_000_000);

  it('refuses a 1 MB product description, naming the limit', async () => {
    const before = await rowCounts();
    const res = await call(CREATE_PRODUCT, {
      input: { title: 'Wordy', description: megabyte, variants: [{ sku: 'WORDY-1', priceAmount: 1, currency: 'USD' }] },
    });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'description', max: MAX_DESCRIPTION_LENGTH });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a description above the limit in updateProduct, and accepts one at the limit', async () => {
    const created = await call(CREATE_PRODUCT, {
      input: {
        title: 'Just right',
        description: 'd'.repeat(MAX_DESCRIPTION_LENGTH),
        variants: [{ sku: 'WORDY-2', priceAmount: 1, currency: 'USD' }],
      },
    });
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.createProduct!.id;
    const res = await call(UPDATE_PRODUCT, { id, input: { description: 'd'.repeat(MAX_DESCRIPTION_LENGTH + 1) } });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'description', max: MAX_DESCRIPTION_LENGTH });
  });
});
