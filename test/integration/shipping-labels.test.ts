import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EasyPostCarrier } from '../../src/connectors/carriers/easypost/easypost.carrier.js';
import { EasyPostSimulator } from '../../src/connectors/carriers/easypost/simulator/easypost-simulator.js';
import { updateProduct } from '../../src/domain/catalog/update-product.service.js';
import { DomainError, type ErrorCode } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { buyShippingLabel, voidShippingLabel } from '../../src/domain/shipping/buy-shipping-label.js';
import { setShippingRule } from '../../src/domain/shipping/shipping-rules.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { waitFor } from '../support/channel-jobs.js';
import { ADDRESS, createLocations, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { orderState, timelineOf } from '../support/order-lifecycle.js';
import { createParcelSku, startLabelPipeline, type LabelPipeline } from '../support/shipping.js';
import { SIM_SERVICES } from '../../src/connectors/carriers/easypost/simulator/sim-rates.js';

const KEY = 'EZTK_labels_test';
const SHIPPING = { carrierId: 'easypost' };

let db: TestDatabase;
let orm: Orm;
let sim: EasyPostSimulator;
let pipeline: LabelPipeline;
let loc: Record<string, string>;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  sim = await EasyPostSimulator.start({ apiKey: KEY, seed: 11 });
  pipeline = await startLabelPipeline(
    orm,
    new EasyPostCarrier({
      apiKey: KEY,
      baseUrl: sim.baseUrl,
      timeoutMs: 2_000,
      retry: { attempts: 3, baseDelayMs: 20, maxWaitMs: 1_000 },
    }),
  );
  loc = await createLocations(ctx(), [{ code: 'DAL' }, { code: 'AUS' }]);
});

afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await pipeline.stop();
  await sim.stop();
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);

/** An allocated order of `quantity` units of a new SKU at `where`, with its shipment created. */
async function shipmentFor(
  size?: Parameters<typeof createParcelSku>[2],
  where = 'DAL',
  quantity = 2,
): Promise<{ orderId: string; shipmentId: string; sku: string }> {
  const sku = `LBL-${++n}`;
  await createParcelSku(ctx(), sku, size);
  await stock(ctx(), sku, loc[where]!, 10);
  const order = await placeOrder(ctx(), orderDeps, {
    currency: 'USD',
    shippingAddress: { ...ADDRESS, name: 'Ada Buyer' },
    lines: [{ sku, quantity }],
  });
  const { shipments } = await createShipment(ctx(), order.id);
  return { orderId: order.id, shipmentId: shipments[0]!.shipment.id, sku };
}

type LabelRow = {
  id: string;
  status: string;
  idempotency_key: string;
  rule: string;
  provider_shipment_id: string | null;
  rate_id: string | null;
  carrier: string | null;
  service: string | null;
  cost_amount: string | null;
  currency: string | null;
  tracking_code: string | null;
  label_url: string | null;
  tracker_id: string | null;
  chosen_because: string | null;
  last_error: string | null;
  rates: { id: string; amount: number; deliveryDays: number | null }[];
};
const labelsOf = (shipmentId: string) =>
  sql<LabelRow>(db.url, 'select * from shipping_label where shipment_id = $1 order by requested_at', [shipmentId]);
const settled = (shipmentId: string, status: string) => async () =>
  (await labelsOf(shipmentId)).some((l) => l.status === status);

async function refusedUnchanged(orderId: string, change: () => Promise<unknown>, code: ErrorCode) {
  const before = {
    state: await orderState(db.url, orderId),
    labels: await sql(db.url, 'select * from shipping_label'),
  };
  const error = await change().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  expect({
    state: await orderState(db.url, orderId),
    labels: await sql(db.url, 'select * from shipping_label'),
  }).toEqual(before);
  return error as DomainError;
}

describe('buying a label', () => {
  it('buys at the cheapest rate through the outbox and the labels queue, and puts every rate and why on the timeline', async () => {
    const { orderId, shipmentId } = await shipmentFor();
    const asked = await buyShippingLabel(ctx(), SHIPPING, shipmentId);
    expect(asked.label.status).toBe('pending');
    expect(asked.label.idempotencyKey).toBe(`shipment-${shipmentId}-label-1`);
    await waitFor(settled(shipmentId, 'purchased'), 20_000, 'the label purchase');

    const [label] = await labelsOf(shipmentId);
    const carrierShipment = sim.shipment(label!.provider_shipment_id!)!;
    expect(carrierShipment.reference).toBe(label!.idempotency_key);
    const offered = carrierShipment.rates.map((r) => Math.round(Number(r.rate) * 100));
    const cheapest = Math.min(...offered);
    expect(Number(label!.cost_amount)).toBe(cheapest);
    expect(label!.currency).toBe('USD');
    expect(label!.rate_id).toBe(carrierShipment.selected_rate!.id);
    expect(label!.tracking_code).toBe(carrierShipment.tracking_code);
    expect(label!.label_url).toBe((carrierShipment.postage_label as { label_url: string }).label_url);
    expect(label!.tracker_id).toBe(carrierShipment.tracker!.id);
    expect(label!.rates).toHaveLength(offered.length);
    expect(label!.chosen_because).toMatch(/^CHEAPEST: cheapest of 7 rates: /);
    expect(sim.purchasesByReference().get(label!.idempotency_key)).toBe(1);

    const timeline = (await timelineOf(db.url, orderId)).filter((e) => e.type.startsWith('label_'));
    expect(timeline.map((e) => e.type)).toEqual(['label_requested', 'label_rate_chosen', 'label_purchased']);
    const chosen = timeline[1]!.data as { rule: string; chosen: { id: string }; considered: unknown[] };
    expect(chosen.rule).toBe('CHEAPEST');
    expect(chosen.chosen.id).toBe(label!.rate_id);
    expect(chosen.considered).toHaveLength(7);
    expect(timeline[1]!.reason).toContain('next:');
    expect(timeline[2]!.reason).toMatch(/^\w+ \w+ \d+\.\d{2} USD, tracking EZ\d{10}$/);

    // Asking again is the same label; nothing more is bought.
    const again = await buyShippingLabel(ctx(), SHIPPING, shipmentId, { rule: { kind: 'FASTEST' } });
    expect(again.label.id).toBe(label!.id);
    expect(again.label.status).toBe('purchased');
    expect(sim.purchasesByReference().get(label!.idempotency_key)).toBe(1);
  });

  it('takes the rule given, else the location’s, else the channel’s', async () => {
    const fastest = await shipmentFor();
    await buyShippingLabel(ctx(), SHIPPING, fastest.shipmentId, { rule: { kind: 'FASTEST' } });
    await setShippingRule(ctx(), { locationId: loc.AUS!, rule: { kind: 'CHEAPEST_WITHIN_DAYS', withinDays: 2 } });
    await setShippingRule(ctx(), { channelId: 'direct', rule: { kind: 'FASTEST' } });
    const atAus = await shipmentFor(undefined, 'AUS');
    const atDal = await shipmentFor(undefined, 'DAL');
    await buyShippingLabel(ctx(), SHIPPING, atAus.shipmentId);
    await buyShippingLabel(ctx(), SHIPPING, atDal.shipmentId);
    for (const s of [fastest, atAus, atDal]) await waitFor(settled(s.shipmentId, 'purchased'), 20_000, 'the purchases');
    // Leaving the rule out is refused, never taken for "remove" (the fuzzer's INTERNAL, once).
    await expect(setShippingRule(ctx(), { channelId: 'direct' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'rule: give a rule, or rule: null to remove the one set here',
    });
    await setShippingRule(ctx(), { channelId: 'direct', rule: null });

    const [f] = await labelsOf(fastest.shipmentId);
    const [a] = await labelsOf(atAus.shipmentId);
    const [d] = await labelsOf(atDal.shipmentId);
    const daysOf = (l: LabelRow) => l.rates.find((r) => r.id === l.rate_id)!.deliveryDays;
    const minDays = Math.min(...f!.rates.flatMap((r) => (r.deliveryDays === null ? [] : [r.deliveryDays])));
    expect({ rule: f!.rule, days: daysOf(f!) }).toEqual({ rule: 'FASTEST', days: minDays });
    expect({ rule: d!.rule, days: daysOf(d!) }).toEqual({ rule: 'FASTEST', days: minDays });
    // The location's rule: the cheapest of those delivering within 2 days.
    const withinTwo = a!.rates.filter((r) => r.deliveryDays !== null && r.deliveryDays <= 2);
    expect(a!.rule).toBe('CHEAPEST_WITHIN_DAYS(2)');
    expect(Number(a!.cost_amount)).toBe(Math.min(...withinTwo.map((r) => r.amount)));
    expect(a!.chosen_because).toMatch(/cheapest of \d within 2 days: .*slower or of unknown transit time left out$/);
    const requested = (await timelineOf(db.url, atAus.orderId)).find((e) => e.type === 'label_requested')!;
    expect(requested.reason).toBe(
      "label asked for: shipment from AUS, rate by CHEAPEST_WITHIN_DAYS(2) (the location's rule)",
    );
  });

  it('fails a label no rate fits, with the reason, and buys it under the same key when asked again', async () => {
    const { orderId, shipmentId } = await shipmentFor();
    sim.setRateCard(SIM_SERVICES.filter((s) => s.deliveryDays !== null && s.deliveryDays >= 4));
    try {
      await buyShippingLabel(ctx(), SHIPPING, shipmentId, { rule: { kind: 'CHEAPEST_WITHIN_DAYS', withinDays: 2 } });
      await waitFor(settled(shipmentId, 'failed'), 20_000, 'the failed attempt');
    } finally {
      sim.setRateCard();
    }
    const [failed] = await labelsOf(shipmentId);
    const ups = sim.shipment(failed!.provider_shipment_id!)!.rates.find((r) => r.carrier === 'UPS')!;
    expect(failed!.last_error).toBe(
      `no rate bought: none of 2 rates delivers within 2 days; the fastest is UPS Ground ${ups.rate as string} USD (4 days)`,
    );
    expect(failed!.rates).toHaveLength(2);
    expect(sim.purchasesByReference().get(failed!.idempotency_key)).toBeUndefined();

    const retried = await buyShippingLabel(ctx(), SHIPPING, shipmentId, { rule: { kind: 'CHEAPEST' } });
    expect({ id: retried.label.id, status: retried.label.status }).toEqual({ id: failed!.id, status: 'pending' });
    await waitFor(settled(shipmentId, 'purchased'), 20_000, 'the second attempt');
    const [bought] = await labelsOf(shipmentId);
    // The same carrier shipment, re-read (its two slow rates), bought once under the same key.
    expect(bought!.provider_shipment_id).toBe(failed!.provider_shipment_id);
    expect(bought!.service).toBe('GroundAdvantage');
    expect(sim.purchasesByReference().get(failed!.idempotency_key)).toBe(1);
    const types = (await timelineOf(db.url, orderId)).filter((e) => e.type.startsWith('label_')).map((e) => e.type);
    expect(types).toEqual([
      'label_requested',
      'label_failed',
      'label_requested',
      'label_rate_chosen',
      'label_purchased',
    ]);
  });

  it('refuses, changing nothing, what it can tell a carrier would refuse', async () => {
    const unweighed = await shipmentFor({ weightGrams: null });
    const noWeight = await refusedUnchanged(
      unweighed.orderId,
      () => buyShippingLabel(ctx(), SHIPPING, unweighed.shipmentId),
      'BAD_USER_INPUT',
    );
    expect(noWeight.message).toBe(
      `No weight for ${unweighed.sku}: set weightGrams on the variant (updateProduct) before buying a label`,
    );
    await refusedUnchanged(
      unweighed.orderId,
      () => buyShippingLabel(ctx(), { carrierId: null }, unweighed.shipmentId),
      'UNAVAILABLE',
    );
    await refusedUnchanged(
      unweighed.orderId,
      () => buyShippingLabel(ctx(), SHIPPING, unweighed.shipmentId, { rule: { kind: 'CHEAPEST_WITHIN_DAYS' } }),
      'BAD_USER_INPUT',
    );
    // Weighed now: the same shipment can be labelled.
    const product = (
      await sql<{ product_id: string }>(db.url, 'select product_id from variant where sku = $1', [unweighed.sku])
    )[0]!.product_id;
    await updateProduct(ctx(), product, { variants: [{ sku: unweighed.sku, weightGrams: 250 }] });
    await buyShippingLabel(ctx(), SHIPPING, unweighed.shipmentId);
    await waitFor(settled(unweighed.shipmentId, 'purchased'), 20_000, 'the purchase');

    const shipped = await shipmentFor();
    await markShipmentShipped(ctx(), shipped.shipmentId, { carrier: 'UPS', trackingNumber: '1Z999' });
    const error = await refusedUnchanged(
      shipped.orderId,
      () => buyShippingLabel(ctx(), SHIPPING, shipped.shipmentId),
      'ILLEGAL_TRANSITION',
    );
    expect(error.details).toEqual(expect.objectContaining({ current: 'SHIPPED', allowed: ['CREATED'] }));
    await refusedUnchanged(
      shipped.orderId,
      () => buyShippingLabel(ctx(), SHIPPING, '00000000-0000-4000-8000-000000000000'),
      'NOT_FOUND',
    );
  });

  it('makes one label of two requests racing for one shipment', async () => {
    const { shipmentId } = await shipmentFor();
    const results = await Promise.allSettled([
      buyShippingLabel(ctx(), SHIPPING, shipmentId),
      buyShippingLabel(ctx(), SHIPPING, shipmentId),
      buyShippingLabel(ctx(), SHIPPING, shipmentId),
    ]);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as DomainError).code).toBe('CONFLICT');
    }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    await waitFor(settled(shipmentId, 'purchased'), 20_000, 'the purchase');
    const labels = await labelsOf(shipmentId);
    expect(labels).toHaveLength(1);
    expect(sim.purchasesByReference().get(labels[0]!.idempotency_key)).toBe(1);
  });
});

describe('ambiguous purchases (R8)', () => {
  it('buys exactly one label per shipment while the carrier commits buys and cuts the answer', async () => {
    const count = 16;
    const shipments: Awaited<ReturnType<typeof shipmentFor>>[] = [];
    for (let i = 0; i < count; i++) shipments.push(await shipmentFor(undefined, i % 2 ? 'AUS' : 'DAL', 1));
    const before = sim.requests().length;
    sim.setFaults({ ambiguous: 0.3, serverError: 0.05 }, 2026);
    try {
      await Promise.all(shipments.map((s) => buyShippingLabel(ctx(), SHIPPING, s.shipmentId)));
      // At-least-once on top: every job delivered a second time, while the first may be running.
      await pipeline.queues.labels.addBulk(
        shipments.map((s) => ({
          name: 'buy',
          data: { shipmentId: s.shipmentId, action: 'buy' as const },
          opts: { jobId: `dup-${s.shipmentId}` },
        })),
      );
      await waitFor(
        async () =>
          (
            await sql<{ n: number }>(
              db.url,
              "select count(*)::int as n from shipping_label where status = 'purchased' and shipment_id = any($1)",
              [shipments.map((s) => s.shipmentId)],
            )
          )[0]!.n === count,
        60_000,
        'every label',
      );
    } finally {
      sim.setFaults({});
    }
    const faults = sim.requests().slice(before);
    const cut = faults.filter((r) => r.fault === 'ambiguous').length;
    const byReference = sim.purchasesByReference();
    const counts = [];
    for (const s of shipments) {
      const [label] = await labelsOf(s.shipmentId);
      counts.push(byReference.get(label!.idempotency_key) ?? 0);
      const bought = sim.purchases().find((p) => p.reference === label!.idempotency_key)!;
      expect(label!.tracking_code).toBe(bought.trackingCode);
      expect(label!.provider_shipment_id).toBe(bought.shipmentId);
    }
    process.stdout.write(
      `R8 labels: ${count} shipments, ambiguous p=0.3 + 5xx p=0.05, ${cut} buys cut after commit, ${faults.filter((r) => r.fault === '5xx').length} 5xx; labels bought per shipment: ${JSON.stringify(counts)}\n`,
    );
    expect(cut).toBeGreaterThan(0);
    expect(counts).toEqual(Array(count).fill(1));
  });
});

describe('voiding a label', () => {
  it('voids a bought label before the parcel leaves, then a new label can be bought', async () => {
    const { orderId, shipmentId } = await shipmentFor();
    await buyShippingLabel(ctx(), SHIPPING, shipmentId);
    await waitFor(settled(shipmentId, 'purchased'), 20_000, 'the purchase');
    const voiding = await voidShippingLabel(ctx(), shipmentId);
    expect(voiding.label.status).toBe('voiding');
    await waitFor(settled(shipmentId, 'voided'), 20_000, 'the void');
    const [voided] = await labelsOf(shipmentId);
    expect(sim.shipment(voided!.provider_shipment_id!)!.refund_status).toBe('submitted');
    expect((await voidShippingLabel(ctx(), shipmentId)).label.status).toBe('voided');

    await buyShippingLabel(ctx(), SHIPPING, shipmentId);
    await waitFor(
      async () => (await labelsOf(shipmentId)).length === 2 && (await settled(shipmentId, 'purchased')()),
      20_000,
      'the new label',
    );
    const labels = await labelsOf(shipmentId);
    expect(labels.map((l) => [l.status, l.idempotency_key])).toEqual([
      ['voided', `shipment-${shipmentId}-label-1`],
      ['purchased', `shipment-${shipmentId}-label-2`],
    ]);
    const types = (await timelineOf(db.url, orderId)).filter((e) => e.type.startsWith('label_')).map((e) => e.type);
    expect(types).toEqual([
      'label_requested',
      'label_rate_chosen',
      'label_purchased',
      'label_void_requested',
      'label_voided',
      'label_requested',
      'label_rate_chosen',
      'label_purchased',
    ]);
  });

  it('puts the label back when the carrier refuses the refund of a scanned parcel', async () => {
    const { shipmentId } = await shipmentFor();
    await buyShippingLabel(ctx(), SHIPPING, shipmentId);
    await waitFor(settled(shipmentId, 'purchased'), 20_000, 'the purchase');
    const [label] = await labelsOf(shipmentId);
    sim.setWebhook(null);
    await sim.advanceTracker(label!.tracker_id!); // scanned: in_transit, no webhook sent
    await voidShippingLabel(ctx(), shipmentId);
    await waitFor(
      async () =>
        (await labelsOf(shipmentId))[0]!.status === 'purchased' && (await labelsOf(shipmentId))[0]!.last_error !== null,
      20_000,
      'the refusal',
    );
    const [back] = await labelsOf(shipmentId);
    expect(back!.last_error).toBe('void refused: the carrier rejected the refund');
  });

  it('refuses a void while the label is being bought, and after the parcel left', async () => {
    const { orderId, shipmentId } = await shipmentFor();
    sim.setFaults({ timeout: 1 });
    try {
      await buyShippingLabel(ctx(), SHIPPING, shipmentId);
      await refusedUnchanged(orderId, () => voidShippingLabel(ctx(), shipmentId), 'CONFLICT');
    } finally {
      sim.setFaults({});
    }
    await waitFor(settled(shipmentId, 'purchased'), 30_000, 'the purchase');
    await markShipmentShipped(ctx(), shipmentId, { carrier: 'USPS', trackingNumber: 'EZ-MANUAL' });
    await refusedUnchanged(orderId, () => voidShippingLabel(ctx(), shipmentId), 'ILLEGAL_TRANSITION');
    const none = await shipmentFor();
    await refusedUnchanged(none.orderId, () => voidShippingLabel(ctx(), none.shipmentId), 'NOT_FOUND');
  });
});
