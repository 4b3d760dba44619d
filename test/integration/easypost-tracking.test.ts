import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { EasyPostCarrier } from '../../src/connectors/carriers/easypost/easypost.carrier.js';
import { easyPostSignatureOf, easyPostWebhook } from '../../src/connectors/carriers/easypost/easypost-webhook.js';
import { EasyPostSimulator } from '../../src/connectors/carriers/easypost/simulator/easypost-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import type { OutboxMessage } from '../../src/domain/outbox/outbox-message.js';
import { buyShippingLabel } from '../../src/domain/shipping/buy-shipping-label.js';
import { channelJobDispatcher } from '../../src/jobs/channel-job-dispatcher.js';
import type { QueueRegistry } from '../../src/jobs/queues.js';
import { enqueueWebhookDelivery } from '../../src/jobs/webhook-queue.js';
import { webhookProcessor } from '../../src/jobs/webhook.worker.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createShopifyChannel, waitFor } from '../support/channel-jobs.js';
import { ADDRESS, createLocations, orderDeps, stock } from '../support/commerce.js';
import { contextFor, quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { timelineOf } from '../support/order-lifecycle.js';
import { createParcelSku, startLabelPipeline, type LabelPipeline } from '../support/shipping.js';
import { post, secretsFrom, serveInbox, type Signed } from '../support/webhook-inbox.js';

const KEY = 'EZTK_tracking_test';
const SECRET = 'whsec-éasypost-ﬁ';
const provider = easyPostWebhook(() => SECRET);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/easypost/${name}`, import.meta.url));

let db: TestDatabase;
let orm: Orm;
let sim: EasyPostSimulator;
let pipeline: LabelPipeline;
let inbox: { base: string; close: () => Promise<void> };
let location: string;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  sim = await EasyPostSimulator.start({ apiKey: KEY, seed: 5 });
  const carrier = new EasyPostCarrier({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 2_000 });
  pipeline = await startLabelPipeline(orm, carrier, () => ({
    webhooks: {
      process: webhookProcessor({
        orm,
        logger: quietLogger,
        leaseSeconds: 60,
        batchSize: 10,
        ingest: { policy: orderDeps.policy },
        providers: [provider],
      }),
      concurrency: 10,
    },
  }));
  inbox = await serveInbox(orm, {
    secretFor: secretsFrom({}),
    enqueue: (id) => enqueueWebhookDelivery(pipeline.queues.webhooks, id),
    providers: new Map([['easypost', provider]]),
  });
  sim.setWebhook({ url: `${inbox.base}/webhooks/easypost`, secret: SECRET });
  location = (await createLocations(contextFor(orm.em), [{ code: 'TRK' }])).TRK!;
  await createShopifyChannel(db.url, 'shop-t');
});

afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await inbox.close();
  await pipeline.stop();
  await sim.stop();
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

/** A Shopify order of one SKU with its shipment's label bought from the simulator. */
async function labelledShipment(): Promise<{ orderId: string; shipmentId: string; trackerId: string; code: string }> {
  const sku = `TRK-${++n}`;
  await createParcelSku(ctx(), sku);
  await stock(ctx(), sku, location, 5);
  const order = await placeOrder(ctx(), orderDeps, {
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku, quantity: 1 }],
    channelId: 'shop-t',
    externalId: `gid://shopify/Order/${7000 + n}`,
  });
  const { shipments } = await createShipment(ctx(), order.id);
  const shipmentId = shipments[0]!.shipment.id;
  await buyShippingLabel(ctx(), { carrierId: 'easypost' }, shipmentId);
  let label: { tracker_id: string; tracking_code: string } | undefined;
  await waitFor(
    async () =>
      (label = (
        await sql<{ tracker_id: string; tracking_code: string }>(
          db.url,
          "select tracker_id, tracking_code from shipping_label where shipment_id = $1 and status = 'purchased'",
          [shipmentId],
        )
      )[0]) !== undefined,
    20_000,
    'the label',
  );
  return { orderId: order.id, shipmentId, trackerId: label!.tracker_id, code: label!.tracking_code };
}

const deliveries = () =>
  sql<{ id: string; delivery_id: string; topic: string; status: string; outcome: string | null; body: string }>(
    db.url,
    "select id, delivery_id, topic, status, outcome, body from webhook_delivery where channel_id = 'provider:easypost' order by received_at",
  );
const idle = async () => (await deliveries()).every((d) => d.status !== 'pending' && d.status !== 'processing');
const statusOf = async (table: 'order' | 'shipment', id: string) =>
  (await sql<{ status: string }>(db.url, `select status from "${table}" where id = $1`, [id]))[0]!.status;

function signed(body: Buffer, secret = SECRET): Signed {
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-hmac-signature': easyPostSignatureOf(body, secret) },
  };
}

describe('EasyPost tracking webhooks', () => {
  it('in_transit ships the shipment and the order, and the tracking goes to the channel through the outbox', async () => {
    const s = await labelledShipment();
    const sent = await sim.advanceTracker(s.trackerId);
    expect(sent.map((d) => d.httpStatus)).toEqual([200]);
    await waitFor(async () => (await statusOf('shipment', s.shipmentId)) === 'shipped', 20_000, 'the shipment');
    expect(await statusOf('order', s.orderId)).toBe('SHIPPED');
    const [shipment] = await sql(db.url, 'select carrier, tracking_number, tracking_url from shipment where id = $1', [
      s.shipmentId,
    ]);
    expect(shipment).toEqual({
      carrier: sim.tracker(s.trackerId)!.carrier,
      tracking_number: s.code,
      tracking_url: sim.tracker(s.trackerId)!.public_url,
    });
    // The committed shipment_shipped event is what asks the channel job dispatcher for the push.
    const rows = await sql<{
      id: string;
      topic: string;
      aggregate_id: string;
      payload: Record<string, unknown>;
      created_at: Date;
    }>(
      db.url,
      "select id, topic, aggregate_id, payload, created_at from outbox_event where topic = 'order.event_recorded' and payload->>'type' = 'shipment_shipped' and aggregate_id = $1",
      [s.orderId],
    );
    expect(rows).toHaveLength(1);
    const added: unknown[] = [];
    const fake = { addBulk: async (jobs: unknown[]) => void added.push(...jobs) };
    await channelJobDispatcher({
      orm,
      queues: { 'fulfilment-push': fake, 'stock-push': fake, 'cancellation-push': fake } as unknown as QueueRegistry,
      stockPushIntervalMs: 1000,
      logger: quietLogger,
    }).publish(
      rows.map(
        (r) =>
          ({
            id: Number(r.id),
            topic: r.topic,
            aggregateId: r.aggregate_id,
            payload: r.payload,
            createdAt: r.created_at.toISOString(),
          }) as OutboxMessage,
      ),
    );
    expect(added).toEqual([expect.objectContaining({ data: { shipmentId: s.shipmentId } })]);
    const scans = await sql(
      db.url,
      'select status from shipment_tracking_event where shipment_id = $1 order by occurred_at',
      [s.shipmentId],
    );
    expect(scans.map((r) => r.status)).toEqual(['pre_transit', 'in_transit']);
  });

  it('delivered, arriving first and twice, delivers the order; the older update and the duplicates change nothing', async () => {
    const s = await labelledShipment();
    await sim.advanceTracker(s.trackerId);
    await waitFor(async () => (await statusOf('shipment', s.shipmentId)) === 'shipped', 20_000, 'the shipment');
    const sent = await sim.advanceTracker(s.trackerId, { steps: 2, order: 'reversed', duplicate: true });
    expect(sent.map((d) => d.status)).toEqual(['delivered', 'delivered', 'out_for_delivery', 'out_for_delivery']);
    await waitFor(
      async () => (await statusOf('order', s.orderId)) === 'DELIVERED' && (await idle()),
      20_000,
      'delivery',
    );
    expect(await statusOf('shipment', s.shipmentId)).toBe('delivered');

    const mine = (await deliveries()).filter((d) => d.body.includes(s.code));
    // Each event stored once (the duplicates were answered "duplicate" at the door).
    expect(new Set(mine.map((d) => d.delivery_id)).size).toBe(3);
    for (const d of sent) expect(mine.map((m) => m.delivery_id)).toContain(d.eventId);
    expect(mine).toHaveLength(3);
    const outForDelivery = mine.find(
      (d) => d.delivery_id === sent.find((x) => x.status === 'out_for_delivery')!.eventId,
    )!;
    // Processed concurrently with delivered: applied before it, or found stale after it.
    expect(['processed', 'ignored']).toContain(outForDelivery.status);

    const [label] = await sql(db.url, 'select tracking_status from shipping_label where shipment_id = $1', [
      s.shipmentId,
    ]);
    expect(label!.tracking_status).toBe('delivered');
    const scans = await sql(
      db.url,
      'select status from shipment_tracking_event where shipment_id = $1 order by occurred_at',
      [s.shipmentId],
    );
    expect(scans.map((r) => r.status)).toEqual(['pre_transit', 'in_transit', 'out_for_delivery', 'delivered']);
    const tracking = (await timelineOf(db.url, s.orderId)).filter((e) => e.type === 'tracking_updated');
    expect(tracking.map((e) => (e.data as { to: string }).to).at(-1)).toBe('delivered');

    // An older update under a new event id (EasyPost retrying a late one): stored, stale, nothing moves.
    const events = await sql(db.url, 'select count(*)::int as n from order_event');
    const staleId = `evt_stale_${s.code}`;
    const stale = Buffer.from(outForDelivery.body.replace(outForDelivery.delivery_id, staleId));
    const answer = await post(inbox.base, 'easypost', signed(stale));
    expect(answer).toMatchObject({ status: 200, body: { status: 'accepted' } });
    await waitFor(idle, 20_000, 'the stale update');
    const late = (await deliveries()).find((d) => d.delivery_id === staleId)!;
    expect(late.status).toBe('ignored');
    expect(late.outcome).toMatch(/^stale update of EZ\d+: not newer than what we hold/);
    expect(await sql(db.url, 'select count(*)::int as n from order_event')).toEqual(events);
    expect(await statusOf('shipment', s.shipmentId)).toBe('delivered');

    // A replay of a stored event: a duplicate at the door, nothing else.
    const before = await sql(db.url, 'select count(*)::int as n from order_event');
    const replay = await post(inbox.base, 'easypost', signed(Buffer.from(mine[0]!.body)));
    expect(replay).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(await sql(db.url, 'select count(*)::int as n from order_event')).toEqual(before);
  });

  it('refuses forged, wrong-secret and edited deliveries with 401 and stores none', async () => {
    const body = fixture('tracker-updated.guide-example.json');
    const before = (await deliveries()).length;
    const edited = Buffer.from(body.toString().replace('John Tester', 'John Tester!'));
    const cases: Signed[] = [
      { body, headers: { 'content-type': 'application/json' } },
      signed(body, 'wrong secret'),
      { body: edited, headers: signed(body).headers },
      {
        body,
        headers: {
          ...signed(body).headers,
          'x-hmac-signature': signed(body).headers['x-hmac-signature']!.slice(0, 40),
        },
      },
    ];
    for (const c of cases) {
      const res = await post(inbox.base, 'easypost', c);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain('evt_');
    }
    expect((await deliveries()).length).toBe(before);
  });

  it('applies the official fixtures unchanged: the guide’s delivered tracker ships and delivers its shipment', async () => {
    const s = await labelledShipment();
    // The guide's tracker is EZ4000000004: give this shipment's label that code, as if EasyPost had.
    await sql(
      db.url,
      "update shipping_label set tracking_code = 'EZ4000000004', tracker_id = null where shipment_id = $1",
      [s.shipmentId],
    );
    const guide = await post(inbox.base, 'easypost', signed(fixture('tracker-updated.guide-example.json')));
    expect(guide).toMatchObject({ status: 200, body: { status: 'accepted' } });
    // The event-body fixture tracks FedEx "1": no label of ours; stored, then ignored.
    const fedex = await post(inbox.base, 'easypost', signed(fixture('tracker-updated.event-body.json')));
    expect(fedex).toMatchObject({ status: 200, body: { status: 'accepted' } });
    await waitFor(idle, 20_000, 'the fixtures');
    expect(await statusOf('shipment', s.shipmentId)).toBe('delivered');
    expect(await statusOf('order', s.orderId)).toBe('DELIVERED');
    const byId = new Map((await deliveries()).map((d) => [d.delivery_id, d]));
    expect(byId.get('evt_...')).toMatchObject({ status: 'processed', topic: 'tracker.updated' });
    expect(byId.get('evt_...')!.outcome).toBe('EZ4000000004 delivered; shipment shipped, shipment delivered');
    expect(byId.get('evt_1')).toMatchObject({ status: 'ignored', outcome: 'no label of ours has tracking code 1' });
    const scans = await sql(db.url, 'select count(*)::int as n from shipment_tracking_event where shipment_id = $1', [
      s.shipmentId,
    ]);
    expect(scans[0]!.n).toBe(6);
    const [shipment] = await sql(db.url, 'select carrier, tracking_number from shipment where id = $1', [s.shipmentId]);
    expect(shipment!.tracking_number).toBe('EZ4000000004');
  });
});
