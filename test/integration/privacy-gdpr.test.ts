import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { orderDeps } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';
import { seedCatalog } from '../support/order-fixtures.js';

/** GDPR export and erasure (S7/S8/S10): marker PII is exported in full, then gone from every column. */
const M = {
  name: 'ZZMARKER-NAME-123',
  email: 'zzmarker-mail-123@example.com',
  phone: 'ZZMARKER-PHONE-123',
  shipName: 'ZZMARKER-SHIPNAME-123',
  street: 'ZZMARKER-STREET-123',
  postal: 'ZZM-POST-123',
  home: 'ZZMARKER-HOME-123',
  newStreet: 'ZZMARKER-NEWSTREET-123',
  billName: 'ZZMARKER-BILLNAME-123',
  billStreet: 'ZZMARKER-BILLSTREET-123',
  billPostal: 'ZZB-POST-123',
};
const MARKERS = Object.values(M);
const BYSTANDER = 'KEEPME-NAME-456';

let t: TestHub;
let orm: Orm;
let supportKey: string;
let customerId: string;
let orders: Order[];

async function createKey(role: string, channelId: string | null = null): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { key: t.adminKey, variables: { input: { name: `${role} ${channelId ?? ''}`, role, channelId } } },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createApiKey.key;
}

const NEUTRAL = { line1: '9 Other Rd', city: 'Austin', countryCode: 'US' };

async function place(
  channelId: string,
  customer: { email: string; name: string; phone?: string },
  marked = false,
): Promise<Order> {
  return placeOrder(contextFor(orm.em), orderDeps, {
    channelId,
    externalId: channelId === 'direct' ? null : `ext-${Math.random().toString(36).slice(2)}`,
    currency: 'USD',
    customer,
    shippingAddress: marked
      ? { name: M.shipName, line1: M.street, city: 'Austin', postalCode: M.postal, countryCode: 'US' }
      : NEUTRAL,
    billingAddress: marked
      ? { name: M.billName, line1: M.billStreet, city: 'Berlin', postalCode: M.billPostal, countryCode: 'DE' }
      : null,
    lines: [
      { sku: 'A1', quantity: 2 },
      { sku: 'B2', quantity: 1 },
    ],
  });
}

/**
 * Every column of every table, searched for each marker: one connection, and one query per table that
 * turns each row into (column, text) pairs, so a marker is found in text, JSON and array columns alike
 * and a hit names its column. (A query per column and marker took a minute and timed out when busy.)
 */
async function markerHits(markers: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(tables.length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await client.query<{ column_name: string; marker: string }>(
        `select distinct kv.key as column_name, m.marker
           from "${table_name}" r
          cross join lateral jsonb_each_text(to_jsonb(r)) kv
          join unnest($1::text[]) m(marker) on kv.value ilike '%' || m.marker || '%'`,
        [markers],
      );
      hits.push(...rows.map((h) => `${table_name}.${h.column_name}: ${h.marker}`));
    }
    return hits.sort();
  } finally {
    await client.end();
  }
}

const financials = (ids: string[]) =>
  sql(
    t.db.url,
    `select o.id, o.number, o.status, o.currency, o.subtotal_amount, o.shipping_amount, o.tax_amount, o.discount_amount, o.total_amount,
            json_agg(json_build_object('sku', l.sku, 'q', l.quantity, 'p', l.unit_price_amount, 't', l.line_total_amount) order by l.position) as lines
       from "order" o join order_line l on l.order_id = o.id where o.id = any($1) group by o.id order by o.id`,
    [ids],
  );

const EXPORT = 'mutation($id: ID!) { exportCustomerData(customerId: $id) }';
const ERASE =
  'mutation($id: ID!, $reason: String!) { eraseCustomer(customerId: $id, reason: $reason) { id email name phone addresses { line1 } erasedAt } }';

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  await seedCatalog(contextFor(orm.em), t.db.url);
  supportKey = await createKey('SUPPORT');
  orders = [
    await place('direct', { email: M.email, name: M.name, phone: M.phone }, true),
    await place('shop-a', { email: M.email, name: M.name }, true),
  ];
  customerId = orders[0]!.customer!.id;
  await place('direct', { email: 'keep@example.com', name: BYSTANDER });
  // What other flows leave behind: saved addresses, a hold note, an edit's before/after, its outbox copy, a return note.
  await sql(t.db.url, 'update customer set addresses = $2 where id = $1', [
    customerId,
    JSON.stringify([{ name: M.name, line1: M.home, city: 'Berlin', countryCode: 'DE', phone: M.phone }]),
  ]);
  const [first, second] = orders.map((o) => o.id);
  await sql(t.db.url, `update "order" set hold_reason = $2 where id = $1`, [first, `called ${M.name} on ${M.phone}`]);
  await sql(
    t.db.url,
    `insert into order_event (order_id, type, actor_kind, actor_id, reason, data) values ($1, 'edited', 'api_key', 'x', $2, $3)`,
    [
      first,
      `address corrected for ${M.name}`,
      JSON.stringify({
        before: {
          shippingAddress: {
            name: M.shipName,
            line1: M.street,
            city: 'Austin',
            postalCode: M.postal,
            countryCode: 'US',
          },
          totals: { total: 1 },
        },
        after: { shippingAddress: { name: M.shipName, line1: M.newStreet, city: 'Austin', countryCode: 'US' } },
        note: `customer email ${M.email}`,
      }),
    ],
  );
  await sql(
    t.db.url,
    `insert into outbox_event (topic, aggregate_id, payload) values ('order.event_recorded', $1, $2)`,
    [first, JSON.stringify({ orderId: first, type: 'edited', reason: `address corrected for ${M.name}` })],
  );
  await sql(
    t.db.url,
    `insert into return_request (id, order_id, status, reason, refund_amount, currency) values (gen_random_uuid(), $1, 'requested', $2, 100, 'USD')`,
    [second, `${M.email} says it broke`],
  );
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('exportCustomerData', () => {
  it('returns everything held about the customer: every marker, both orders with lines, timeline and returns', async () => {
    const res = await gql<{
      exportCustomerData: Record<string, unknown> & {
        orders: { lines: unknown[]; timeline: unknown[]; returns: unknown[]; billingAddress: unknown }[];
      };
    }>(t.base, EXPORT, { key: supportKey, variables: { id: customerId } });
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data!.exportCustomerData;
    const text = JSON.stringify(data);
    for (const marker of MARKERS) expect(text).toContain(marker);
    expect(text).not.toContain(BYSTANDER);
    expect(data.orders).toHaveLength(2);
    expect(data.orders.map((o) => o.billingAddress)).toEqual([
      expect.objectContaining({ name: M.billName, line1: M.billStreet, postalCode: M.billPostal, countryCode: 'DE' }),
      expect.objectContaining({ name: M.billName, line1: M.billStreet, postalCode: M.billPostal, countryCode: 'DE' }),
    ]);
    expect(data.orders.every((o) => o.lines.length === 2 && o.timeline.length > 0)).toBe(true);
    expect(data.orders.flatMap((o) => o.returns)).toHaveLength(1);
    const audit = await sql(
      t.db.url,
      `select actor_kind, action, subject_id, data from audit_log where action = 'customer.export'`,
    );
    expect(audit).toEqual([
      expect.objectContaining({ actor_kind: 'api_key', action: 'customer.export', subject_id: customerId }),
    ]);
  });

  it('answers NOT_FOUND for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect(codesOf(await gql(t.base, EXPORT, { key: supportKey, variables: { id } }))).toEqual(['NOT_FOUND']);
    }
  });
});

describe('eraseCustomer', () => {
  it('leaves no marker in any text or JSON column of any table, keeps orders, lines and totals, and audits', async () => {
    const ids = orders.map((o) => o.id);
    const before = await financials(ids);
    // The scan reaches plain, JSON and nested-JSON columns: every place the setup hid a marker is found.
    expect(await markerHits(MARKERS)).toEqual(
      expect.arrayContaining([
        `customer.name: ${M.name}`,
        `customer.addresses: ${M.home}`,
        `order.hold_reason: ${M.phone}`,
        `order.billing_address: ${M.billPostal}`,
        `order_event.data: ${M.newStreet}`,
        `outbox_event.payload: ${M.name}`,
        `return_request.reason: ${M.email}`,
      ]),
    );

    const res = await gql<{ eraseCustomer: Record<string, unknown> }>(t.base, ERASE, {
      key: supportKey,
      variables: { id: customerId, reason: `GDPR request 42 from ${M.email}` },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.eraseCustomer).toMatchObject({
      id: customerId,
      email: null,
      name: null,
      phone: null,
      addresses: [],
    });
    expect(res.body.data!.eraseCustomer.erasedAt).toEqual(expect.any(String));

    expect(await markerHits(MARKERS)).toEqual([]);
    expect(await markerHits([BYSTANDER])).not.toEqual([]);
    expect(await financials(ids)).toEqual(before);
    const kept = await sql(
      t.db.url,
      `select email, shipping_address, billing_address from "order" where id = any($1)`,
      [ids],
    );
    expect(kept).toEqual([
      { email: null, shipping_address: { countryCode: 'US' }, billing_address: { countryCode: 'DE' } },
      { email: null, shipping_address: { countryCode: 'US' }, billing_address: { countryCode: 'DE' } },
    ]);
    const [event] = await sql<{ data: Record<string, unknown> }>(
      t.db.url,
      `select data from order_event where type = 'edited' and order_id = $1`,
      [ids[0]],
    );
    expect(event!.data).toEqual({
      before: { shippingAddress: { countryCode: 'US' }, totals: { total: 1 } },
      after: { shippingAddress: { countryCode: 'US' } },
      note: 'customer email [erased]',
    });
    const audit = await sql(
      t.db.url,
      `select actor_kind, actor_id, action, subject_type, subject_id, data from audit_log where action = 'customer.erase'`,
    );
    expect(audit).toEqual([
      expect.objectContaining({
        actor_kind: 'api_key',
        action: 'customer.erase',
        subject_type: 'customer',
        subject_id: customerId,
        data: expect.objectContaining({ reason: 'GDPR request 42 from [erased]', orders: 2, alreadyErased: false }),
      }),
    ]);
  });

  it('is idempotent: erasing again changes nothing but writes another audit row', async () => {
    const [before] = await sql(t.db.url, 'select * from customer where id = $1', [customerId]);
    const res = await gql(t.base, ERASE, { key: supportKey, variables: { id: customerId, reason: 'again' } });
    expect(res.body.errors).toBeUndefined();
    const [after] = await sql(t.db.url, 'select * from customer where id = $1', [customerId]);
    expect(after).toEqual(before);
    const audit = await sql(t.db.url, `select data from audit_log where action = 'customer.erase' order by id`);
    expect(audit.map((a) => (a.data as { alreadyErased: boolean }).alreadyErased)).toEqual([false, true]);
  });

  it('refuses an unknown customer (NOT_FOUND) and a missing reason (BAD_USER_INPUT naming reason)', async () => {
    const unknown = await gql(t.base, ERASE, {
      key: supportKey,
      variables: { id: '00000000-0000-4000-8000-000000000000', reason: 'x' },
    });
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    const blank = await gql(t.base, ERASE, { key: supportKey, variables: { id: customerId, reason: '  ' } });
    expect(codesOf(blank)).toEqual(['BAD_USER_INPUT']);
    expect(blank.body.errors![0]!.extensions).toMatchObject({ field: 'reason' });
  });

  it('keeps the audit log append-only: UPDATE and DELETE are refused', async () => {
    await expect(sql(t.db.url, `update audit_log set actor_id = 'x'`)).rejects.toThrow(/append-only/);
    await expect(sql(t.db.url, `delete from audit_log`)).rejects.toThrow(/append-only/);
  });
});

describe('channel-scoped keys', () => {
  it('may export a customer whose orders are all on the key’s channel, not one with orders elsewhere (FORBIDDEN) or none there (NOT_FOUND)', async () => {
    const scoped = await createKey('SUPPORT', 'shop-a');
    const onlyA = (await place('shop-a', { email: 'only-a@example.com', name: 'Only A' })).customer!.id;
    const both = (await place('shop-a', { email: 'both@example.com', name: 'Both' })).customer!.id;
    await place('direct', { email: 'both@example.com', name: 'Both' });
    const onlyDirect = (await place('direct', { email: 'only-direct@example.com', name: 'Only Direct' })).customer!.id;

    expect((await gql(t.base, EXPORT, { key: scoped, variables: { id: onlyA } })).body.errors).toBeUndefined();
    expect(codesOf(await gql(t.base, EXPORT, { key: scoped, variables: { id: both } }))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.base, ERASE, { key: scoped, variables: { id: both, reason: 'x' } }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codesOf(await gql(t.base, ERASE, { key: scoped, variables: { id: onlyDirect, reason: 'x' } }))).toEqual([
      'NOT_FOUND',
    ]);
    const [still] = await sql(t.db.url, 'select name from customer where id = $1', [both]);
    expect(still).toEqual({ name: 'Both' });
  });
});
