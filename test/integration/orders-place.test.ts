import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';

/** placeOrder over HTTP: the happy path, idempotency, and every refusal leaving nothing behind. */
const HOLD_ABOVE = 500_000;

const ORDER_FIELDS = `
  id number channelId externalId status source email holdReason currency
  totals { subtotal { amount currency } shipping { amount } tax { amount } discount { amount } total { amount currency } }
  shippingAddress { line1 city countryCode }
  customer { id email name }
  lines { position sku title quantity unitPrice { amount currency } lineTotal { amount } quantityAllocated }
  events { type fromStatus toStatus reason actorKind actorId }
  placedAt createdAt updatedAt`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;

interface OrderResult {
  id: string;
  source: string;
  number: string;
  channelId: string;
  status: string;
  holdReason: string | null;
  totals: { total: { amount: number; currency: string }; subtotal: { amount: number } };
  customer: { email: string; name: string | null } | null;
  lines: {
    position: number;
    sku: string;
    quantity: number;
    unitPrice: { amount: number };
    lineTotal: { amount: number };
    quantityAllocated: number;
  }[];
  events: { type: string; fromStatus: string | null; toStatus: string | null; actorKind: string }[];
}

let t: TestHub;
let orm: Orm;
let opsKey: string;

async function place(
  input: Record<string, unknown>,
  key = opsKey,
): Promise<GraphQLResponse<{ placeOrder: OrderResult }>> {
  return gql<{ placeOrder: OrderResult }>(t.base, PLACE, { key, variables: { input } });
}

async function createKey(role: string, channelId: string | null = null): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { key: t.adminKey, variables: { input: { name: `${role} ${channelId ?? ''}`, role, channelId } } },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createApiKey.key;
}

/** Every table placing an order writes to. */
async function rowCounts(): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>>(
    t.db.url,
    `select (select count(*) from "order")::int as orders, (select count(*) from order_line)::int as lines,
            (select count(*) from order_event)::int as events, (select count(*) from customer)::int as customers,
            (select count(*) from reservation)::int as reservations, (select count(*) from outbox_event)::int as outbox,
            (select coalesce(sum(reserved), 0) from stock_level)::int as reserved`,
  );
  return row!;
}

const base = (over: Record<string, unknown> = {}) => ({
  currency: 'USD',
  customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
  shippingAddress: ADDRESS,
  lines: [
    { sku: 'TEE-S', quantity: 2 },
    { sku: 'MUG', quantity: 1 },
  ],
  ...over,
});

beforeAll(async () => {
  t = await startTestHub('api', { ORDER_HOLD_TOTAL_ABOVE: String(HOLD_ABOVE) });
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  const ctx = contextFor(orm.em);
  const { AUS } = await createLocations(ctx, [{ code: 'AUS' }]);
  await createSku(ctx, 'TEE-S', 2500);
  await createSku(ctx, 'MUG', 1200);
  await createSku(ctx, 'EURO-MUG', 1100, 'EUR');
  await createSku(ctx, 'GOLD', 300_000);
  await createSku(ctx, 'RARE', 1000);
  for (const sku of ['TEE-S', 'MUG', 'EURO-MUG', 'GOLD']) await stock(ctx, sku, AUS!, 1000);
  await stock(ctx, 'RARE', AUS!, 1);
  await sql(
    t.db.url,
    `insert into channel (id, kind, name, backorder_policy) values ('shop-strict', 'shopify', 'Strict shop', 'reject'), ('shop-other', 'shopify', 'Other shop', 'backorder')`,
  );
  opsKey = await createKey('OPS');
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('placeOrder over HTTP', () => {
  it('places a direct order: ALLOCATED, numbered SY-…, with its lines, totals, customer and timeline', async () => {
    const res = await place(
      base({
        idempotencyKey: 'happy-1',
        source: 'PHONE',
        shippingAmount: 500,
        taxAmount: 300,
        discountAmount: 100,
        expectedTotalAmount: 6900,
      }),
    );
    expect(res.body.errors).toBeUndefined();
    const order = res.body.data!.placeOrder;
    expect(order).toMatchObject({
      channelId: 'direct',
      source: 'PHONE',
      status: 'ALLOCATED',
      holdReason: null,
      totals: { subtotal: { amount: 6200 }, total: { amount: 6900, currency: 'USD' } },
      customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    });
    expect(order.number).toMatch(/^SY-1\d{4,}$/);
    expect(order.lines).toEqual([
      expect.objectContaining({
        position: 0,
        sku: 'TEE-S',
        quantity: 2,
        unitPrice: { amount: 2500, currency: 'USD' },
        lineTotal: { amount: 5000 },
        quantityAllocated: 2,
      }),
      expect.objectContaining({
        position: 1,
        sku: 'MUG',
        quantity: 1,
        unitPrice: { amount: 1200, currency: 'USD' },
        lineTotal: { amount: 1200 },
        quantityAllocated: 1,
      }),
    ]);
    const transitions = order.events
      .filter((e) => e.type === 'status_changed')
      .map((e) => `${e.fromStatus}->${e.toStatus}`);
    expect(transitions).toEqual([
      'PENDING->CONFIRMED',
      'CONFIRMED->PAYMENT_AUTHORIZED',
      'PAYMENT_AUTHORIZED->ALLOCATED',
    ]);
    expect(order.events[0]).toMatchObject({ type: 'placed', actorKind: 'api_key' });
  });

  it('returns the same order when the same idempotencyKey is sent twice, and writes it once', async () => {
    const first = await place(base({ idempotencyKey: 'retry-me' }));
    const before = await rowCounts();
    const second = await place(base({ idempotencyKey: 'retry-me' }));
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data!.placeOrder.id).toBe(first.body.data!.placeOrder.id);
    expect(second.body.data!.placeOrder.number).toBe(first.body.data!.placeOrder.number);
    expect(await rowCounts()).toEqual(before);
    const [row] = await sql<{ n: number }>(
      t.db.url,
      `select count(*)::int as n from "order" where idempotency_key = 'retry-me'`,
    );
    expect(row!.n).toBe(1);
  });

  it('refuses a different order under an idempotencyKey already used, writing nothing', async () => {
    await place(base({ idempotencyKey: 'one-key-one-order' }));
    const before = await rowCounts();
    const other = await place(base({ idempotencyKey: 'one-key-one-order', lines: [{ sku: 'TEE-S', quantity: 2 }] }));
    expect(codesOf(other)).toEqual(['CONFLICT']);
    expect(other.body.errors![0]!.message).toContain('idempotencyKey was already used for a different order');
    expect(await rowCounts()).toEqual(before);
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    [
      'an unknown SKU',
      base({
        lines: [
          { sku: 'TEE-S', quantity: 1 },
          { sku: 'NO-SUCH-SKU', quantity: 1 },
        ],
      }),
      'lines[1].sku',
    ],
    ['a zero quantity', base({ lines: [{ sku: 'TEE-S', quantity: 0 }] }), 'lines[0].quantity'],
    ['a negative quantity', base({ lines: [{ sku: 'MUG', quantity: -3 }] }), 'lines[0].quantity'],
    [
      'a line priced in another currency',
      base({
        lines: [
          { sku: 'MUG', quantity: 1 },
          { sku: 'EURO-MUG', quantity: 1 },
        ],
      }),
      'lines[1].sku',
    ],
    ['a malformed email', base({ customer: { email: 'not-an-email' } }), 'customer.email'],
    ['no shipping address for goods to ship', base({ shippingAddress: null }), 'shippingAddress'],
    ['an address without a city', base({ shippingAddress: { ...ADDRESS, city: ' ' } }), 'shippingAddress.city'],
    [
      'an expectedTotalAmount that is not lines + shipping + tax − discount',
      base({ shippingAmount: 500, expectedTotalAmount: 6200 }),
      'expectedTotalAmount',
    ],
    ['251 lines', base({ lines: Array.from({ length: 251 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })) }), 'lines'],
    ['no lines', base({ lines: [] }), 'lines'],
    ['a malformed currency', base({ currency: 'dollars' }), 'currency'],
  ];
  it.each(refusals)(
    'refuses %s with BAD_USER_INPUT naming the field, and writes nothing',
    async (_name, input, field) => {
      const before = await rowCounts();
      const res = await place({ ...input, idempotencyKey: `refused-${field.replace(/[^a-z0-9]/gi, '')}` });
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ field });
      expect(res.body.data).toBeNull();
      expect(await rowCounts()).toEqual(before);
    },
  );

  it('puts an order above ORDER_HOLD_TOTAL_ABOVE ON_HOLD with the reason, without taking payment or stock', async () => {
    const before = await rowCounts();
    const res = await place(base({ lines: [{ sku: 'GOLD', quantity: 2 }] }));
    expect(res.body.errors).toBeUndefined();
    const order = res.body.data!.placeOrder;
    expect(order.status).toBe('ON_HOLD');
    expect(order.holdReason).toContain(`above the review threshold ${HOLD_ABOVE}`);
    expect(order.lines[0]!.quantityAllocated).toBe(0);
    expect(order.events.map((e) => e.toStatus).filter(Boolean)).toEqual(['CONFIRMED', 'ON_HOLD']);
    expect((await rowCounts()).reserved).toBe(before.reserved);
  });

  it('keeps an order at the threshold exactly out of hold', async () => {
    const res = await place(base({ lines: [{ sku: 'TEE-S', quantity: HOLD_ABOVE / 2500 }] }));
    expect(res.body.data?.placeOrder.status).toBe('ALLOCATED');
  });

  it('refuses with INSUFFICIENT_STOCK on a reject-policy channel, naming the shortfall, and writes nothing', async () => {
    const before = await rowCounts();
    const res = await place(
      base({ channelId: 'shop-strict', externalId: 'strict-1', lines: [{ sku: 'RARE', quantity: 3 }] }),
    );
    expect(codesOf(res)).toEqual(['INSUFFICIENT_STOCK']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ shortfall: [{ sku: 'RARE', quantity: 2 }] });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a second order with the same externalId on a channel with CONFLICT naming the field', async () => {
    expect((await place(base({ channelId: 'shop-other', externalId: 'dup-1' }))).body.errors).toBeUndefined();
    const before = await rowCounts();
    const res = await place(base({ channelId: 'shop-other', externalId: 'dup-1' }));
    expect(codesOf(res)).toEqual(['CONFLICT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'externalId' });
    expect(await rowCounts()).toEqual(before);
  });

  it('lets a channel-scoped integration key place orders on its own channel only (FORBIDDEN elsewhere)', async () => {
    const key = await createKey('INTEGRATION', 'shop-other');
    const own = await place(base({ externalId: 'int-1' }), key);
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data!.placeOrder).toMatchObject({ channelId: 'shop-other', number: 'int-1', status: 'ALLOCATED' });
    const before = await rowCounts();
    const elsewhere = await place(base({ channelId: 'direct' }), key);
    expect(codesOf(elsewhere)).toEqual(['FORBIDDEN']);
    expect(await rowCounts()).toEqual(before);
  });

  it('never hands a channel-scoped key another channel’s order through a reused idempotencyKey', async () => {
    const direct = await place(base({ idempotencyKey: 'shared-key' }));
    expect(direct.body.data!.placeOrder.channelId).toBe('direct');
    const key = await createKey('INTEGRATION', 'shop-other');
    const res = await place(base({ idempotencyKey: 'shared-key', externalId: 'int-2' }), key);
    expect(codesOf(res)).toEqual(['CONFLICT']);
    expect(JSON.stringify(res.body)).not.toContain(direct.body.data!.placeOrder.id);
  });

  it('refuses placeOrder for read_only and finance keys with FORBIDDEN', async () => {
    for (const role of ['READ_ONLY', 'FINANCE']) {
      const res = await place(base(), await createKey(role));
      expect(codesOf(res)).toEqual(['FORBIDDEN']);
    }
  });
});
