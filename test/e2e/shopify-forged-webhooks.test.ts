import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { shopifyHmac } from '../../src/connectors/shopify/simulator/webhook-sender.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { gql } from '../support/hub.js';
import {
  connectSimChannel,
  countOf,
  inboxSettled,
  startShopifyE2E,
  stockSkus,
  type ShopifyE2E,
} from '../support/shopify-e2e.js';

/**
 * S1 over real HTTP to a real hub: a channel connected over GraphQL with the simulator's secret;
 * hostile deliveries signed (or not) as the simulator's sender signs. Nothing forged is stored or
 * ingested, no answer is a 5xx; a replay of a genuine delivery is a 200 no-op.
 */
const CHANNEL = 'forge';
let e: ShopifyE2E;

interface Attempt {
  kind: string;
  channel: string;
  body: Buffer;
  headers: Record<string, string>;
}

async function post(a: Attempt): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${e.t.base}/webhooks/${encodeURIComponent(a.channel)}`, {
    method: 'POST',
    headers: a.headers,
    body: a.body,
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

function signed(topic: string, body: string, eventId: string, secretOverride?: string): Attempt {
  const headers = e.sim.webhooks.headersFor(topic, body, eventId, `wh-${eventId}`, new Date());
  // Signed as the simulator signs, but under another secret.
  if (secretOverride !== undefined) headers['X-Shopify-Hmac-Sha256'] = shopifyHmac(secretOverride, body);
  return { kind: 'genuine', channel: CHANNEL, body: Buffer.from(body, 'utf8'), headers };
}

const inboxRows = () => countOf(e.t.db.url, 'select count(*) as n from webhook_delivery');
const orders = () => countOf(e.t.db.url, `select count(*) as n from "order" where channel_id <> 'direct'`);

beforeAll(async () => {
  e = await startShopifyE2E();
  await stockSkus(e, ['FORGE-1', 'FORGE-2'], [100, 100]);
  await connectSimChannel(e, CHANNEL);
  await connectSimChannel(e, 'forge-off', { enabled: false });
  await connectSimChannel(e, 'forge-gone');
  const res = await gql(e.t.base, 'mutation { disconnectChannel(id: "forge-gone") { id } }', { key: e.t.adminKey });
  expect(res.body.errors).toBeUndefined();
});
afterAll(async () => {
  await e?.stop();
});

describe('S1: forged webhooks to the real hub', () => {
  it('accepts none of the forged, missing, truncated, wrong-secret and 1-byte-edited deliveries; replays are 200 no-ops', async () => {
    const genuineOrder = e.sim.createOrder({ lines: [{ sku: 'FORGE-1', quantity: 1, price: '10.00' }] });
    const genuine = signed('orders/create', JSON.stringify(genuineOrder), 'ev-genuine');
    const first = await post(genuine);
    expect([first.status, first.body.status]).toEqual([200, 'accepted']);
    await inboxSettled(e.t.db.url, 30_000);
    const rowsBefore = await inboxRows();
    const ordersBefore = await orders();
    expect([rowsBefore, ordersBefore]).toEqual([1, 1]);

    const attacks: Attempt[] = [];
    for (let i = 0; i < 40; i++) {
      const order = e.sim.createOrder({ lines: [{ sku: 'FORGE-2', quantity: 1 + (i % 3), price: '12.50' }] });
      const body = JSON.stringify(order);
      const fresh = signed('orders/create', body, `ev-attack-${i}`);
      const sig = fresh.headers['X-Shopify-Hmac-Sha256']!;
      const { 'X-Shopify-Hmac-Sha256': _drop, ...unsigned } = fresh.headers;
      const edited = Buffer.from(fresh.body);
      edited[(i * 37) % edited.length] = edited[(i * 37) % edited.length]! ^ (1 << (i % 8));
      const forged = Buffer.from(body.replace(/"quantity":\d+/g, '"quantity":999'), 'utf8');
      attacks.push(
        { ...fresh, kind: 'missing', headers: unsigned },
        { ...fresh, kind: 'empty', headers: { ...fresh.headers, 'X-Shopify-Hmac-Sha256': '' } },
        {
          ...fresh,
          kind: 'other-body-signature',
          headers: { ...fresh.headers, 'X-Shopify-Hmac-Sha256': genuine.headers['X-Shopify-Hmac-Sha256']! },
        },
        {
          ...fresh,
          kind: 'truncated-signature',
          headers: { ...fresh.headers, 'X-Shopify-Hmac-Sha256': sig.slice(0, 1 + (i % 43)) },
        },
        { ...fresh, kind: 'truncated-body', body: fresh.body.subarray(0, fresh.body.length - 1 - (i % 20)) },
        { ...signed('orders/create', body, `ev-ws-${i}`, `${e.sim.webhookSecret}x`), kind: 'wrong-secret' },
        { ...fresh, kind: 'one-byte-edit', body: edited },
        { ...fresh, kind: 'forged-body', body: forged },
        { ...genuine, kind: 'replayed' },
      );
    }
    const answers = await Promise.all(attacks.map(async (a) => ({ kind: a.kind, ...(await post(a)) })));
    await new Promise((r) => setTimeout(r, 500));
    await inboxSettled(e.t.db.url, 30_000);
    const forged = answers.filter((a) => a.kind !== 'replayed');
    const replays = answers.filter((a) => a.kind === 'replayed');
    const accepted = answers.filter((a) => a.body.status === 'accepted').length;
    const fiveXX = answers.filter((a) => a.status >= 500).length;
    const rowsAdded = (await inboxRows()) - rowsBefore;
    const ordersAdded = (await orders()) - ordersBefore;
    const byKind = new Map<string, Set<number>>();
    for (const a of answers) byKind.set(a.kind, (byKind.get(a.kind) ?? new Set()).add(a.status));
    process.stdout.write(
      `S1 e2e: ${answers.length} hostile requests (${forged.length} forged in 8 ways, ${replays.length} replays): ` +
        `${accepted} accepted, ${rowsAdded} inbox rows, ${ordersAdded} orders, ${fiveXX} 5xx; ` +
        `${[...byKind].map(([k, s]) => `${k} ${[...s].join('/')}`).join(', ')}\n`,
    );
    expect(accepted).toBe(0);
    expect(fiveXX).toBe(0);
    expect(rowsAdded).toBe(0);
    expect(ordersAdded).toBe(0);
    expect(forged.every((a) => a.status === 401)).toBe(true);
    expect(replays.every((a) => a.status === 200 && a.body.status === 'duplicate')).toBe(true);
    expect(await checkInvariants(e.orm.em.fork())).toEqual([]);
  }, 120_000);

  it('refuses unknown, disabled and disconnected channels, unknown and missing topics with a 4xx, storing nothing', async () => {
    const rowsBefore = await inboxRows();
    const ordersBefore = await orders();
    const body = JSON.stringify(e.sim.createOrder({ lines: [{ sku: 'FORGE-1', quantity: 1, price: '10.00' }] }));
    const at = (channel: string, a: Attempt): Attempt => ({ ...a, channel });
    const noTopic = signed('orders/create', body, 'ev-no-topic');
    delete noTopic.headers['X-Shopify-Topic'];
    const noIds = signed('orders/create', body, 'ev-no-ids');
    delete noIds.headers['X-Shopify-Event-Id'];
    delete noIds.headers['X-Shopify-Webhook-Id'];
    const cases: [string, Attempt, number][] = [
      ['unknown channel', at('no-such-store', signed('orders/create', body, 'ev-c1')), 404],
      ['direct channel', at('direct', signed('orders/create', body, 'ev-c2')), 404],
      ['unreadable channel id', at('bad\u0000id', signed('orders/create', body, 'ev-c3')), 404],
      ['disabled channel', at('forge-off', signed('orders/create', body, 'ev-c4')), 409],
      ['disconnected channel', at('forge-gone', signed('orders/create', body, 'ev-c5')), 410],
      ['unknown topic', signed('products/create', body, 'ev-c6'), 422],
      ['unknown topic, forged', signed('products/create', body, 'ev-c7', 'nope'), 401],
      ['missing topic', noTopic, 400],
      ['no event or webhook id', noIds, 400],
    ];
    const got: string[] = [];
    for (const [label, attempt, status] of cases) {
      const res = await post(attempt);
      got.push(`${label} ${res.status}`);
      expect([label, res.status]).toEqual([label, status]);
      expect(JSON.stringify(res.body)).not.toContain(body.slice(0, 40));
    }
    await new Promise((r) => setTimeout(r, 300));
    const rowsAdded = (await inboxRows()) - rowsBefore;
    const ordersAdded = (await orders()) - ordersBefore;
    process.stdout.write(`S1 refusals: ${got.join(', ')}; ${rowsAdded} inbox rows, ${ordersAdded} orders\n`);
    expect(rowsAdded).toBe(0);
    expect(ordersAdded).toBe(0);
  }, 60_000);
});
