import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDRESS } from '../support/commerce.js';
import { sql } from '../support/database.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';
import { startSmtpCapture, type CapturedMail } from '../support/smtp-capture.js';

/**
 * Customer emails end to end: a hub (api + worker) with SMTP pointed at a local capturing
 * server. A direct order is confirmed, shipped (the mail server refuses the first try), delivered
 * and partly returned; another waits on backorder past the configured time. Each customer gets
 * each email exactly once, whatever retries and replayed jobs happen; the merchant's template
 * replaces the built-in one; customer-given text is escaped in HTML; a channel that does not
 * notify its customers sends nothing.
 */
let hub: TestHub;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let templates: string;
const queues: Queue[] = [];
const HOSTILE_NAME = '<b>Zoë</b> & "Co"';

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(hub.base, query, { key: hub.adminKey, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mailsFor = (email: string) => smtp.messages.filter((m) => m.to === email);
const byKind = (mails: CapturedMail[], kind: string) => mails.filter((m) => m.notificationKey.startsWith(`${kind}:`));

async function placeOrder(
  email: string,
  sku: string,
  quantity: number,
): Promise<{ id: string; status: string; lines: { id: string }[] }> {
  const data = await ok<{ placeOrder: { id: string; status: string; lines: { id: string }[] } }>(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status lines { id } } }`,
    {
      input: {
        channelId: 'direct',
        currency: 'USD',
        customer: { email, name: HOSTILE_NAME },
        shippingAddress: ADDRESS,
        lines: [{ sku, quantity }],
      },
    },
  );
  return data.placeOrder;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  templates = mkdtempSync(join(tmpdir(), 'switchyard-templates-'));
  writeFileSync(join(templates, 'confirmed.subject.mustache'), 'Thanks! Order {{order.name}} at {{store.name}}');
  hub = await startTestHub('all', {
    SMTP_URL: smtp.url,
    NOTIFY_FROM: 'Test Shop <orders@shop.example>',
    NOTIFY_STORE_NAME: 'Test Shop',
    NOTIFY_TEMPLATES_DIR: templates,
    NOTIFY_DELAYED_AFTER_HOURS: '1',
  });
  const loc = await ok<{ createLocation: { id: string } }>(
    'mutation { createLocation(input: { code: "NTF", name: "Notify DC", address: { line1: "1 Main St", city: "Austin", countryCode: "US" } }) { id } }',
  );
  await ok(
    'mutation { createProduct(input: { title: "Notify tee", variants: [{ sku: "NTF-TEE", priceAmount: 2500, currency: "USD" }, { sku: "NTF-GONE", priceAmount: 900, currency: "USD" }] }) { id } }',
  );
  await ok('mutation($loc: ID!) { receiveStock(sku: "NTF-TEE", locationId: $loc, quantity: 20) { onHand } }', {
    loc: loc.createLocation.id,
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await hub?.stop();
  await smtp?.close();
  rmSync(templates, { recursive: true, force: true });
});

describe('customer notifications', () => {
  it('emails confirmed, shipped, delivered and refunded once each, through a refused first try and replayed jobs', async () => {
    const email = 'journey@example.com';
    smtp.failNext(1, /has shipped/);
    const order = await placeOrder(email, 'NTF-TEE', 3);
    expect(order.status).toBe('ALLOCATED');
    const confirmed = await waitFor('the confirmation', () => byKind(mailsFor(email), 'confirmed')[0]);
    expect(confirmed.subject).toMatch(/^Thanks! Order \S+ at Test Shop$/);
    // Customer text is data: escaped in HTML, as given in plain text.
    expect(confirmed.html).toContain('Hello &lt;b&gt;Zoë&lt;&#x2F;b&gt; &amp; &quot;Co&quot;,');
    expect(confirmed.html).not.toContain('<b>Zoë</b>');
    expect(confirmed.text).toContain(`Hello ${HOSTILE_NAME},`);
    expect(confirmed.text).toContain('3 × Notify tee (NTF-TEE)');
    expect(confirmed.messageId).toBe(`<notify.confirmed.${order.id}@shop.example>`);

    const created = await ok<{ createShipment: { shipments: { id: string }[] } }>(
      'mutation($id: ID!) { createShipment(orderId: $id) { shipments { id } } }',
      { id: order.id },
    );
    const shipmentId = created.createShipment.shipments[0]!.id;
    await ok(
      'mutation($id: ID!) { markShipmentShipped(shipmentId: $id, input: { carrier: "UPS", trackingNumber: "1ZNOTIFY", trackingUrl: "https://track.example/1ZNOTIFY?a=1&b=2" }) { order { status } } }',
      { id: shipmentId },
    );
    const shipped = await waitFor('the shipping email', () => byKind(mailsFor(email), 'shipped')[0]);
    expect(smtp.refused).toBe(1);
    expect(shipped.text).toContain('Tracking number: 1ZNOTIFY');
    // Mustache escapes attribute text by entity (browsers read it back as the URL given).
    expect(shipped.html).toContain('href="https:&#x2F;&#x2F;track.example&#x2F;1ZNOTIFY?a&#x3D;1&amp;b&#x3D;2"');
    await ok('mutation($id: ID!) { markShipmentDelivered(shipmentId: $id) { order { status } } }', { id: shipmentId });
    await waitFor('the delivery email', () => byKind(mailsFor(email), 'delivered')[0]);

    const lineId = order.lines[0]!.id;
    const requested = await ok<{ requestReturn: { return: { id: string } } }>(
      'mutation($id: ID!, $input: RequestReturnInput!) { requestReturn(orderId: $id, input: $input) { return { id } } }',
      { id: order.id, input: { reason: 'too small', lines: [{ lineId, quantity: 1 }] } },
    );
    const returnId = requested.requestReturn.return.id;
    await ok('mutation($id: ID!) { approveReturn(returnId: $id, note: "ok") { return { id } } }', { id: returnId });
    await ok(
      'mutation($id: ID!, $input: ReceiveReturnInput!) { receiveReturn(returnId: $id, input: $input) { return { status } } }',
      { id: returnId, input: { lines: [{ lineId, quantity: 1, restock: true }] } },
    );
    const refunded = await waitFor('the refund email', () => byKind(mailsFor(email), 'refunded')[0]);
    expect(refunded.text).toContain('we refunded 25.00 USD');

    // Replay every job of this order (as an operator retrying from the dashboard would): none sends again.
    const notifications = new Queue('notifications', {
      connection: { url: process.env.TEST_REDIS_URL },
      prefix: hub.queuePrefix,
    });
    queues.push(notifications);
    const rows = await sql<{ key: string; kind: string; status: string; attempts: number }>(
      hub.db.url,
      'select key, kind, status, attempts from notification where order_id = $1 order by key',
      [order.id],
    );
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['confirmed', 'sent'],
      ['delivered', 'sent'],
      ['refunded', 'sent'],
      ['shipped', 'sent'],
    ]);
    expect(rows.find((r) => r.kind === 'shipped')!.attempts).toBe(2);
    const replays = await notifications.addBulk([
      { name: 'confirmed', data: { kind: 'confirmed', orderId: order.id }, opts: { jobId: `replay-c-${order.id}` } },
      {
        name: 'shipped',
        data: { kind: 'shipped', orderId: order.id, shipmentId },
        opts: { jobId: `replay-s-${order.id}` },
      },
    ]);
    const results = await Promise.all(
      replays.map((job) => waitFor('the replayed job', async () => ((await job.isCompleted()) ? true : undefined))),
    );
    expect(results).toEqual([true, true]);
    const mails = mailsFor(email);
    for (const kind of ['confirmed', 'shipped', 'delivered', 'refunded']) expect(byKind(mails, kind)).toHaveLength(1);
    expect(mails).toHaveLength(4);
  });

  it('tells a customer once when an order stays backordered past the configured time', async () => {
    const email = 'waiting@example.com';
    const order = await placeOrder(email, 'NTF-GONE', 1);
    expect(order.status).toBe('BACKORDERED');
    await waitFor('the confirmation', () => byKind(mailsFor(email), 'confirmed')[0]);
    const scans = new Queue('notification-delays', {
      connection: { url: process.env.TEST_REDIS_URL },
      prefix: hub.queuePrefix,
    });
    queues.push(scans);
    // Not yet an hour: a scan finds nothing.
    const early = await scans.add('scan', {});
    await waitFor('the first scan', async () => ((await early.isCompleted()) ? true : undefined));
    expect(byKind(mailsFor(email), 'delayed')).toHaveLength(0);
    // Two hours later, as far as the timeline says.
    await sql(hub.db.url, `update order_event set created_at = now() - interval '2 hours' where order_id = $1`, [
      order.id,
    ]);
    for (let i = 0; i < 2; i++) {
      const scan = await scans.add('scan', {});
      await waitFor('a scan', async () => ((await scan.isCompleted()) ? true : undefined));
    }
    const delayed = await waitFor('the delay email', () => byKind(mailsFor(email), 'delayed')[0]);
    expect(delayed.subject).toContain('is delayed');
    const again = await scans.add('scan', {});
    await waitFor('a last scan', async () => ((await again.isCompleted()) ? true : undefined));
    expect(byKind(mailsFor(email), 'delayed')).toHaveLength(1);
  });

  it('sends nothing for a channel that does not notify its customers', async () => {
    const channel = await ok<{ updateChannel: { notifyCustomers: boolean } }>(
      'mutation { updateChannel(id: "direct", input: { notifyCustomers: false }) { notifyCustomers } }',
    );
    expect(channel.updateChannel.notifyCustomers).toBe(false);
    const quiet = await placeOrder('quiet@example.com', 'NTF-TEE', 1);
    // The setting counts when the order's events are handed on: wait for that before turning it back on.
    await waitFor("the quiet order's events to be dispatched", async () => {
      const pending = await sql(
        hub.db.url,
        'select 1 from outbox_event where aggregate_id = $1 and published_at is null',
        [quiet.id],
      );
      return pending.length === 0 ? true : undefined;
    });
    await ok('mutation { updateChannel(id: "direct", input: { notifyCustomers: true }) { notifyCustomers } }');
    await placeOrder('loud@example.com', 'NTF-TEE', 1);
    await waitFor('the later confirmation', () => byKind(mailsFor('loud@example.com'), 'confirmed')[0]);
    expect(mailsFor('quiet@example.com')).toHaveLength(0);
    const rows = await sql(hub.db.url, 'select 1 from notification where order_id = $1', [quiet.id]);
    expect(rows).toHaveLength(0);
  });
});
