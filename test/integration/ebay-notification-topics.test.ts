import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { EBAY_DAILY_QUOTAS } from '../../src/connectors/ebay/ebay-quota.js';
import { ebayAppKey } from '../../src/jobs/ebay-daily-quota.js';
import { createRedis, waitForRedis } from '../../src/platform/redis.js';
import { sql } from '../support/database.js';
import { ebayOrderFixture } from '../support/fixtures.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * eBay notifications processed by a real hub's webhook worker (real PostgreSQL and Redis), sent
 * signed by the eBay simulator: order topics re-read the order from eBay and ingest it, and the
 * account deletion erases that account's personal data on the channel, once, however often it
 * comes.
 */
const CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret', refreshToken: 'v^1.1#refresh-ok' };
const ADA = {
  username: 'ada_buys',
  userId: 'ma8vp1jySJC',
  eiasToken: 'nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJnY+gAZGEpwmdj6x9nY+seQ==',
};
/** Every personal value of Ada's orders as eBay sends them (paid-two-lines-usd.json). */
const ADA_PII = [
  'Ada Lovelace',
  'ada.7f3k@members.ebay.com',
  'ada_buys',
  '2 Elm St',
  'Apt 4',
  '5125550100',
  'gift wrap',
];

let t: TestHub;
let sim: EbaySimulator;

function adaOrder(orderId: string, withEmail = true): EbayOrder {
  const order = ebayOrderFixture<EbayOrder>('paid-two-lines-usd.json');
  if (!withEmail) delete order.fulfillmentStartInstructions![0]!.shippingStep!.shipTo!.email;
  return { ...order, orderId };
}

function bobOrder(orderId: string): EbayOrder {
  const order = ebayOrderFixture<EbayOrder>('paid-two-lines-usd.json');
  const shipTo = order.fulfillmentStartInstructions![0]!.shippingStep!.shipTo!;
  shipTo.fullName = 'Bob Builder';
  shipTo.email = 'bob.9x@members.ebay.com';
  shipTo.primaryPhone = { phoneNumber: '5125550199' };
  shipTo.contactAddress = { ...shipTo.contactAddress, addressLine1: '9 Oak Rd', addressLine2: undefined };
  return { ...order, orderId, buyer: { ...order.buyer, username: 'bob_builds' }, buyerCheckoutNotes: undefined };
}

beforeAll(async () => {
  sim = new EbaySimulator({ ...CLIENT, refreshTokens: [CLIENT.refreshToken] });
  const endpoint = await sim.start();
  t = await startTestHub('all', { SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  const res = await gql(t.base, 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }', {
    key: t.adminKey,
    variables: {
      input: {
        kind: 'EBAY',
        name: 'eBay US',
        endpoint,
        credentials: { ...CLIENT, verificationToken: 'switchyard-verification-token_0123456789' },
      },
    },
  });
  expect(res.body.errors).toBeUndefined();
  sim.addOrder(adaOrder('12-00001-00001'));
  sim.addOrder(adaOrder('12-00001-00002', false));
  sim.addOrder(bobOrder('12-00002-00001'));
});
afterAll(async () => {
  await t.stop();
  await sim.stop();
});

/** Sends a notification signed by the simulator's key and waits until the worker finished it. */
async function notify(topic: string, data: Record<string, unknown>): Promise<{ status: string; outcome: string }> {
  const notificationId = randomUUID();
  const message = {
    metadata: { topic, schemaVersion: '1.0', deprecated: false },
    notification: { notificationId, eventDate: new Date().toISOString(), publishAttemptCount: 1, data },
  };
  const res = await fetch(`${t.base}/webhooks/ebay-us`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ebay-signature': sim.signer.signatureHeader(message) },
    body: JSON.stringify(message),
  });
  expect(res.status).toBe(200);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await sql<{ status: string; outcome: string | null; error: string | null }>(
      t.db.url,
      'select status, outcome, last_error as error from webhook_delivery where channel_id = $1 and delivery_id = $2',
      ['ebay-us', notificationId],
    );
    if (row && !['pending', 'processing'].includes(row.status))
      return { status: row.status, outcome: row.outcome ?? row.error ?? '' };
    if (Date.now() > deadline) throw new Error(`delivery ${notificationId} still ${row?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const orders = () =>
  sql<{ external_id: string; channel_buyer: string | null; email: string | null; status: string }>(
    t.db.url,
    `select external_id, channel_buyer, email, status from "order" where channel_id = 'ebay-us' order by external_id`,
  );

/** Rows of the tables that can hold a buyer's data, as text, that contain `value`. */
async function hits(value: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of ['"order"', 'customer', 'order_event', 'outbox_event', 'webhook_delivery', 'audit_log']) {
    const [row] = await sql<{ n: string }>(
      t.db.url,
      `select count(*) as n from ${table} x where position(lower($1) in lower(x::text)) > 0`,
      [value],
    );
    if (Number(row!.n) > 0) found.push(`${table}: ${row!.n}`);
  }
  return found;
}

describe('eBay order notifications', () => {
  it('ORDER_CONFIRMATION re-reads each order from eBay (getOrder) and ingests it, buyer account recorded', async () => {
    for (const id of ['12-00001-00001', '12-00001-00002', '12-00002-00001'])
      // The hub's own scheduled pull may have ingested it first: then the re-read is unchanged.
      expect({ id, ...(await notify('ORDER_CONFIRMATION', { orderId: id })) }).toMatchObject({
        id,
        outcome: expect.stringMatching(/^(created|unchanged) order /),
      });
    expect(await orders()).toEqual([
      expect.objectContaining({ external_id: '12-00001-00001', channel_buyer: 'ada_buys', email: ADA_PII[1] }),
      expect.objectContaining({ external_id: '12-00001-00002', channel_buyer: 'ada_buys', email: null }),
      expect.objectContaining({ external_id: '12-00002-00001', channel_buyer: 'bob_builds' }),
    ]);
    const reads = sim.state.log.filter((c) => c.method === 'GET' && /\/order\/12-/.test(c.path));
    expect(reads.map((c) => [c.path.split('/').at(-1), c.status])).toEqual([
      ['12-00001-00001', 200],
      ['12-00001-00002', 200],
      ['12-00002-00001', 200],
    ]);
  });

  it('ITEM_MARKED_SHIPPED re-reads the order: a version not newer changes nothing', async () => {
    expect(await notify('ITEM_MARKED_SHIPPED', { orderId: '12-00002-00001' })).toMatchObject({
      status: 'ignored',
      outcome: expect.stringContaining('unchanged order'),
    });
  });

  it("with the app's Sell Fulfillment quota spent, the notice makes no call and is left to the pull", async () => {
    const redis = createRedis(process.env.TEST_REDIS_URL!, 'producer');
    await waitForRedis(redis, process.env.TEST_REDIS_URL!, 5_000);
    const key = `${t.queuePrefix}:ebay-quota:${ebayAppKey(sim.baseUrl, CLIENT.clientId)}:fulfillment:${new Date().toISOString().slice(0, 10)}`;
    const spent = await redis.get(key);
    try {
      await redis.set(key, String(EBAY_DAILY_QUOTAS.fulfillment));
      const calls = sim.state.log.length;
      expect(await notify('ORDER_CONFIRMATION', { orderId: '12-00001-00001' })).toMatchObject({
        status: 'ignored',
        outcome: expect.stringContaining("the channel's next pull brings order 12-00001-00001"),
      });
      expect(sim.state.log.slice(calls).filter((c) => c.api === 'fulfillment')).toEqual([]);
    } finally {
      await redis.set(key, spent ?? '0');
      await redis.quit();
    }
  });

  it('an order eBay does not know is ignored, not retried', async () => {
    expect(await notify('ORDER_CONFIRMATION', { orderId: '12-99999-99999' })).toMatchObject({
      status: 'ignored',
      outcome: expect.stringContaining('does not know'),
    });
  });
});

describe('MARKETPLACE_ACCOUNT_DELETION', () => {
  it("erases the account's personal data on the channel: 0 hits after, the other buyer untouched", async () => {
    for (const v of ADA_PII) expect(await hits(v)).not.toEqual([]);
    const result = await notify('MARKETPLACE_ACCOUNT_DELETION', ADA);
    expect(result).toEqual({
      status: 'processed',
      outcome: 'account erased: 2 orders, 1 customers erased, 0 kept (other orders)',
    });
    for (const v of [...ADA_PII, ADA.userId, ADA.eiasToken])
      expect({ v, hits: await hits(v) }).toEqual({ v, hits: [] });
    // Bob's order and customer keep their data; the orders themselves (totals, lines, status) stay.
    expect(await hits('Bob Builder')).not.toEqual([]);
    expect(await hits('bob_builds')).not.toEqual([]);
    expect((await orders()).map((o) => o.external_id)).toEqual(['12-00001-00001', '12-00001-00002', '12-00002-00001']);
    const [audit] = await sql<{ n: string }>(
      t.db.url,
      "select count(*) as n from audit_log where action = 'channel.buyer_erase' and subject_id = 'ebay-us'",
    );
    expect(Number(audit!.n)).toBe(1);
  });

  it('a second notice for the same account changes nothing more (twice = once)', async () => {
    const snapshot = async () => ({
      orders: await sql(t.db.url, `select * from "order" where channel_id = 'ebay-us' order by id`),
      customers: await sql(t.db.url, 'select * from customer order by id'),
      events: await sql(t.db.url, 'select * from order_event order by id'),
    });
    const before = await snapshot();
    expect(await notify('MARKETPLACE_ACCOUNT_DELETION', ADA)).toEqual({
      status: 'processed',
      outcome: 'account erased: 0 orders, 0 customers erased, 0 kept (other orders)',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('is taken while the channel is disabled (eBay requires it), and stored only once verified', async () => {
    const res = await gql(t.base, 'mutation { updateChannel(id: "ebay-us", input: { enabled: false }) { enabled } }', {
      key: t.adminKey,
    });
    expect(res.body.errors).toBeUndefined();
    expect(await notify('MARKETPLACE_ACCOUNT_DELETION', { username: 'someone_else' })).toMatchObject({
      status: 'processed',
    });
  });
});
