import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';

/**
 * Hold rules through placeOrder over HTTP: a billing address that does not match the shipping
 * address (ORDER_HOLD_ON_ADDRESS_MISMATCH) puts the order ON_HOLD with the reason, before any
 * payment or stock; releaseOrderHold then carries it on. One hub runs the default (`country`),
 * another `postal` together with a total threshold.
 */
const ORDER_FIELDS = `
  id status holdReason version
  shippingAddress { line1 city postalCode countryCode }
  billingAddress { name line1 city postalCode countryCode }
  lines { sku quantity quantityAllocated }
  events { type fromStatus toStatus reason }`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;
const RELEASE = `mutation($id: ID!) { releaseOrderHold(orderId: $id, reason: "billing address checked with the customer") { ${ORDER_FIELDS} } }`;
const EDIT = `mutation($id: ID!, $input: EditOrderInput!) { editOrder(orderId: $id, input: $input) { ${ORDER_FIELDS} } }`;

interface OrderResult {
  id: string;
  status: string;
  holdReason: string | null;
  version: number;
  shippingAddress: Record<string, unknown> | null;
  billingAddress: Record<string, unknown> | null;
  lines: { sku: string; quantity: number; quantityAllocated: number }[];
  events: { type: string; fromStatus: string | null; toStatus: string | null; reason: string | null }[];
}

const BERLIN = {
  name: 'Ada Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  countryCode: 'DE',
};
const AUSTIN_OTHER_ZIP = {
  line1: '500 Congress Ave',
  city: 'Austin',
  region: 'TX',
  postalCode: '78702',
  countryCode: 'US',
};

interface Hub {
  t: TestHub;
  orm: Orm;
  key: string;
}

async function startHub(env: Record<string, string>): Promise<Hub> {
  const t = await startTestHub('api', env);
  const orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  const ctx = contextFor(orm.em);
  const { AUS } = await createLocations(ctx, [{ code: 'AUS' }]);
  await createSku(ctx, 'TEE', 2500);
  await createSku(ctx, 'GOLD', 300_000);
  for (const sku of ['TEE', 'GOLD']) await stock(ctx, sku, AUS!, 1000);
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { key: t.adminKey, variables: { input: { name: 'ops', role: 'OPS' } } },
  );
  expect(res.body.errors).toBeUndefined();
  return { t, orm, key: res.body.data!.createApiKey.key };
}

async function place(
  h: Hub,
  over: Record<string, unknown> = {},
): Promise<GraphQLResponse<{ placeOrder: OrderResult }>> {
  const input = {
    currency: 'USD',
    customer: { email: 'ada@example.com' },
    shippingAddress: ADDRESS,
    lines: [{ sku: 'TEE', quantity: 2 }],
    ...over,
  };
  return gql<{ placeOrder: OrderResult }>(h.t.base, PLACE, { key: h.key, variables: { input } });
}

async function placed(h: Hub, over: Record<string, unknown> = {}): Promise<OrderResult> {
  const res = await place(h, over);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.placeOrder;
}

async function reservationsOf(h: Hub, orderId: string): Promise<{ quantity: number; status: string }[]> {
  return sql(
    h.t.db.url,
    `select r.quantity, r.status from reservation r join order_line l on l.id = r.order_line_id where l.order_id = $1`,
    [orderId],
  );
}

/** Every table placing an order writes to. */
async function rowCounts(h: Hub): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>>(
    h.t.db.url,
    `select (select count(*) from "order")::int as orders, (select count(*) from order_line)::int as lines,
            (select count(*) from order_event)::int as events, (select count(*) from customer)::int as customers,
            (select count(*) from reservation)::int as reservations, (select count(*) from outbox_event)::int as outbox,
            (select coalesce(sum(reserved), 0) from stock_level)::int as reserved`,
  );
  return row!;
}

let byCountry: Hub;
let byPostal: Hub;
const POSTAL_HOLD_ABOVE = 500_000;

beforeAll(async () => {
  byCountry = await startHub({});
  byPostal = await startHub({
    ORDER_HOLD_ON_ADDRESS_MISMATCH: 'postal',
    ORDER_HOLD_TOTAL_ABOVE: String(POSTAL_HOLD_ABOVE),
  });
});
afterAll(async () => {
  for (const h of [byCountry, byPostal]) {
    await h?.orm.close(true);
    await h?.t.stop();
  }
});

describe('address mismatch, default policy (country)', () => {
  it('puts an order billed to another country ON_HOLD with the reason, without payment or stock; releaseOrderHold then allocates it', async () => {
    const before = await rowCounts(byCountry);
    const order = await placed(byCountry, { billingAddress: BERLIN });
    expect(order).toMatchObject({
      status: 'ON_HOLD',
      holdReason: 'billing address country DE differs from shipping address country US',
      billingAddress: {
        name: 'Ada Lovelace',
        line1: 'Unter den Linden 1',
        city: 'Berlin',
        postalCode: '10117',
        countryCode: 'DE',
      },
      shippingAddress: { line1: ADDRESS.line1, countryCode: 'US' },
    });
    expect(order.lines[0]!.quantityAllocated).toBe(0);
    expect(order.events.map((e) => e.toStatus).filter(Boolean)).toEqual(['CONFIRMED', 'ON_HOLD']);
    expect(order.events.at(-1)!.reason).toBe(order.holdReason);
    expect(await reservationsOf(byCountry, order.id)).toEqual([]);
    expect((await rowCounts(byCountry)).reserved).toBe(before.reserved);
    const [row] = await sql(byCountry.t.db.url, `select billing_address, hold_reason from "order" where id = $1`, [
      order.id,
    ]);
    expect(row).toEqual({
      billing_address: expect.objectContaining({ line1: 'Unter den Linden 1', countryCode: 'DE' }),
      hold_reason: order.holdReason,
    });

    const released = await gql<{ releaseOrderHold: OrderResult }>(byCountry.t.base, RELEASE, {
      key: byCountry.key,
      variables: { id: order.id },
    });
    expect(released.body.errors).toBeUndefined();
    expect(released.body.data!.releaseOrderHold).toMatchObject({
      status: 'ALLOCATED',
      holdReason: null,
      lines: [{ quantityAllocated: 2 }],
    });
    expect(released.body.data!.releaseOrderHold.events.map((e) => e.toStatus).filter(Boolean)).toEqual([
      'CONFIRMED',
      'ON_HOLD',
      'CONFIRMED',
      'PAYMENT_AUTHORIZED',
      'ALLOCATED',
    ]);
    expect(await reservationsOf(byCountry, order.id)).toEqual([{ quantity: 2, status: 'active' }]);
  });

  it('allocates an order billed in the same country at another postal code, and keeps its billing address', async () => {
    const order = await placed(byCountry, { billingAddress: AUSTIN_OTHER_ZIP });
    expect(order).toMatchObject({
      status: 'ALLOCATED',
      holdReason: null,
      billingAddress: { postalCode: '78702', countryCode: 'US' },
    });
    expect(await reservationsOf(byCountry, order.id)).toEqual([{ quantity: 2, status: 'active' }]);
  });

  it('allocates an order without a billing address (nothing to compare)', async () => {
    const order = await placed(byCountry);
    expect(order).toMatchObject({ status: 'ALLOCATED', holdReason: null, billingAddress: null });
  });

  it.each([
    ['a bad country code', { ...BERLIN, countryCode: 'DEU' }, 'billingAddress.countryCode'],
    ['a missing first line', { ...BERLIN, line1: '  ' }, 'billingAddress.line1'],
    ['a missing city', { ...BERLIN, city: '' }, 'billingAddress.city'],
    ['a postal code too long', { ...BERLIN, postalCode: '1'.repeat(21) }, 'billingAddress.postalCode'],
    ['a latitude out of range', { ...BERLIN, latitude: 91 }, 'billingAddress.latitude'],
  ])(
    'refuses a billing address with %s: BAD_USER_INPUT naming the field, nothing written',
    async (_name, billingAddress, field) => {
      const before = await rowCounts(byCountry);
      const res = await place(byCountry, { billingAddress });
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ field });
      expect(res.body.data).toBeNull();
      expect(await rowCounts(byCountry)).toEqual(before);
    },
  );

  it('treats another billing address under the same idempotency key as a different order (CONFLICT)', async () => {
    const first = await placed(byCountry, { idempotencyKey: 'billing-key-1', billingAddress: AUSTIN_OTHER_ZIP });
    expect((await placed(byCountry, { idempotencyKey: 'billing-key-1', billingAddress: AUSTIN_OTHER_ZIP })).id).toBe(
      first.id,
    );
    const res = await place(byCountry, { idempotencyKey: 'billing-key-1', billingAddress: BERLIN });
    expect(codesOf(res)).toEqual(['CONFLICT']);
  });

  it('lets editOrder correct the billing address of a held order (no new hold check), and names a bad one', async () => {
    const order = await placed(byCountry, { billingAddress: BERLIN });
    expect(order.status).toBe('ON_HOLD');
    const bad = await gql(byCountry.t.base, EDIT, {
      key: byCountry.key,
      variables: { id: order.id, input: { billingAddress: { ...ADDRESS, countryCode: 'USA' } } },
    });
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.body.errors![0]!.extensions).toMatchObject({ field: 'billingAddress.countryCode' });

    const res = await gql<{ editOrder: OrderResult }>(byCountry.t.base, EDIT, {
      key: byCountry.key,
      variables: {
        id: order.id,
        input: { billingAddress: ADDRESS, reason: 'customer gave the right billing address' },
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.editOrder).toMatchObject({
      status: 'ON_HOLD',
      holdReason: order.holdReason,
      billingAddress: { line1: ADDRESS.line1, countryCode: 'US' },
    });
    const [edited] = await sql<{ data: { before: { billingAddress: unknown }; after: { billingAddress: unknown } } }>(
      byCountry.t.db.url,
      `select data from order_event where order_id = $1 and type = 'edited'`,
      [order.id],
    );
    expect(edited!.data.before.billingAddress).toMatchObject({ countryCode: 'DE' });
    expect(edited!.data.after.billingAddress).toMatchObject({ countryCode: 'US' });
  });
});

describe('address mismatch, postal policy, with a total threshold', () => {
  it('holds an order billed at another postal code in the same country', async () => {
    const order = await placed(byPostal, { billingAddress: AUSTIN_OTHER_ZIP });
    expect(order).toMatchObject({
      status: 'ON_HOLD',
      holdReason: 'billing address postal code differs from the shipping address postal code',
    });
    expect(await reservationsOf(byPostal, order.id)).toEqual([]);
  });

  it('ignores case and spaces in postal codes', async () => {
    const shippingAddress = { line1: '10 Downing St', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' };
    const order = await placed(byPostal, {
      shippingAddress,
      billingAddress: { ...shippingAddress, line1: 'Flat 2', postalCode: ' sw1a2aa ' },
    });
    expect(order).toMatchObject({ status: 'ALLOCATED', holdReason: null });
  });

  it('gives every reason in one holdReason, joined with "; "', async () => {
    const order = await placed(byPostal, { billingAddress: BERLIN, lines: [{ sku: 'GOLD', quantity: 2 }] });
    expect(order.status).toBe('ON_HOLD');
    expect(order.holdReason).toBe(
      `total 600000 USD is above the review threshold ${POSTAL_HOLD_ABOVE}; billing address country DE differs from shipping address country US`,
    );
    expect(await reservationsOf(byPostal, order.id)).toEqual([]);
  });
});
