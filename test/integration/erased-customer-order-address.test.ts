import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { orderDeps } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';
import { seedCatalog } from '../support/order-fixtures.js';

/**
 * Erasing a customer reduces their orders' addresses to the country; reading such an order
 * must not trip over the street and city that are gone (found by the GraphQL fuzzer).
 */
let t: TestHub;
let orm: Orm;
let orderId: string;

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  await seedCatalog(contextFor(orm.em), t.db.url);
  const order = await placeOrder(contextFor(orm.em), orderDeps, {
    currency: 'USD',
    customer: { email: 'erase-me@example.com', name: 'Erase Me' },
    shippingAddress: { line1: '1 Main St', city: 'Austin', countryCode: 'US' },
    billingAddress: { line1: '2 Side St', city: 'Berlin', countryCode: 'DE' },
    lines: [{ sku: 'A1', quantity: 1 }],
  });
  orderId = order.id;
  const erased = await gql(
    t.base,
    'mutation($id: ID!) { eraseCustomer(customerId: $id, reason: "GDPR request") { id } }',
    { key: t.adminKey, variables: { id: order.customer!.id } },
  );
  expect(erased.body.errors).toBeUndefined();
});
afterAll(async () => {
  await orm.close(true);
  await t.stop();
});

describe('an erased customer’s order', () => {
  it('answers with its addresses reduced to the country, not INTERNAL for a null line1', async () => {
    const res = await gql(
      t.base,
      'query($id: ID!) { order(id: $id) { shippingAddress { line1 city countryCode } billingAddress { line1 city countryCode } } }',
      { key: t.adminKey, variables: { id: orderId } },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      order: {
        shippingAddress: { line1: null, city: null, countryCode: 'US' },
        billingAddress: { line1: null, city: null, countryCode: 'DE' },
      },
    });
  });
});
