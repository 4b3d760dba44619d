import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EasyPostSimulator } from '../../src/connectors/carriers/easypost/simulator/easypost-simulator.js';
import { waitFor } from '../support/channel-jobs.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Shipping through the whole hub (`all` in this process, PostgreSQL, Redis) and the EasyPost
 * simulator, over HTTP only: a catalogue with weights and sizes, a label bought by rule through
 * GraphQL and the labels queue, the warehouse's pick list and packing slips, the carrier's signed
 * tracking webhooks to POST /webhooks/easypost moving the order to DELIVERED, and a void.
 */
// GraphQL answers, read as the test walks them.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const API_KEY = 'EZTK_e2e_journey';
const WEBHOOK_SECRET = 'whsec_e2e_journey';

let sim: EasyPostSimulator;
let hub: TestHub;
let locationId: string;

async function ok<T = Json>(query: string, variables: Record<string, unknown> = {}, key = hub.adminKey) {
  const res = await gql<T>(hub.base, query, { key, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

const SHIPMENT_FIELDS = `id status carrier trackingNumber
  label { status provider rule { kind withinDays } chosenBecause carrier service cost { amount currency }
          trackingCode trackingUrl labelUrl trackingStatus lastError }
  ratesConsidered { carrier service cost { amount currency } deliveryDays chosen }
  trackingEvents { status message occurredAt city }`;

async function placeAndShip(sku: string, quantity: number, name = 'Ada <Buyer>') {
  const { placeOrder } = await ok(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id number status } }`,
    {
      input: {
        currency: 'USD',
        shippingAddress: {
          name,
          line1: '1 Main St',
          city: 'Austin',
          region: 'TX',
          postalCode: '78701',
          countryCode: 'US',
        },
        lines: [{ sku, quantity }],
      },
    },
  );
  const { createShipment } = await ok(
    `mutation($orderId: ID!) { createShipment(orderId: $orderId) { shipments { id } } }`,
    { orderId: placeOrder.id },
  );
  return {
    orderId: placeOrder.id as string,
    number: placeOrder.number as string,
    shipmentId: createShipment.shipments[0].id as string,
  };
}

const shipmentOf = async (orderId: string) =>
  (await ok(`query($id: ID!) { order(id: $id) { status shipments { ${SHIPMENT_FIELDS} } } }`, { id: orderId })).order;

beforeAll(async () => {
  sim = await EasyPostSimulator.start({ apiKey: API_KEY, seed: 3 });
  hub = await startTestHub('all', {
    EASYPOST_API_KEY: API_KEY,
    EASYPOST_API_BASE: sim.baseUrl,
    EASYPOST_WEBHOOK_SECRET: WEBHOOK_SECRET,
    EASYPOST_TIMEOUT_MS: '3000',
  });
  sim.setWebhook({ url: `${hub.base}/webhooks/easypost`, secret: WEBHOOK_SECRET });
  const { createLocation } = await ok(
    `mutation($input: CreateLocationInput!) { createLocation(input: $input) { id } }`,
    {
      input: {
        code: 'DAL',
        name: 'Dallas DC',
        address: { line1: '1 Depot Rd', city: 'Dallas', region: 'TX', postalCode: '75201', countryCode: 'US' },
      },
    },
  );
  locationId = createLocation.id;
}, 60_000);

afterAll(async () => {
  await hub.stop();
  await sim.stop();
});

describe('shipping through the hub', () => {
  it('takes weights and sizes on variants, refusing impossible ones', async () => {
    const bad = await gql(
      hub.base,
      `mutation { createProduct(input: { title: "Crate", variants: [{ sku: "CRATE-1", priceAmount: 100, currency: "USD", lengthMm: 0 }] }) { id } }`,
      {
        key: hub.adminKey,
      },
    );
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.body.errors![0]!.message).toBe(
      'variants[0].lengthMm: must be a whole number of millimetres from 1 to 10000',
    );
    const { createProduct } = await ok(
      `mutation { createProduct(input: { title: "Mug <b>bold</b>", variants: [
          { sku: "MUG-E2E", priceAmount: 1200, currency: "USD", weightGrams: 350, lengthMm: 120, widthMm: 100, heightMm: 95 },
          { sku: "BOX-E2E", priceAmount: 3000, currency: "USD", weightGrams: 900 }] }) {
        variants { sku weightGrams lengthMm widthMm heightMm } } }`,
    );
    expect(createProduct.variants.find((v: Json) => v.sku === 'MUG-E2E')).toEqual({
      sku: 'MUG-E2E',
      weightGrams: 350,
      lengthMm: 120,
      widthMm: 100,
      heightMm: 95,
    });
    for (const sku of ['MUG-E2E', 'BOX-E2E'])
      await ok(
        `mutation($l: ID!, $sku: String!) { receiveStock(locationId: $l, sku: $sku, quantity: 50) { onHand } }`,
        {
          l: locationId,
          sku,
        },
      );
  });

  it('lists the waiting parcels on a pick list and packing slips, escaped, for the roles allowed', async () => {
    const a = await placeAndShip('MUG-E2E', 3);
    const b = await placeAndShip('BOX-E2E', 1, 'Bob <script>alert(1)</script>');
    const c = await placeAndShip('MUG-E2E', 1);
    const get = (path: string, key: string | null = hub.adminKey) =>
      fetch(`${hub.base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

    const pick = await get('/warehouse/locations/dal/pick-list');
    expect(pick.status).toBe(200);
    expect(pick.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(pick.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await pick.text();
    const row = (sku: string) =>
      new RegExp(`<td>${sku}</td><td>[^<]*</td><td class="qty">(\\d+)</td><td>([^<]*)</td>`).exec(html);
    expect(row('MUG-E2E')![1]).toBe('4');
    expect(row('MUG-E2E')![2]).toBe(`${a.number} ×3, ${c.number} ×1`);
    expect(row('BOX-E2E')![1]).toBe('1');
    expect(html).toContain('Mug &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('3 parcels, 5 units');
    expect(html).not.toContain('<script>');

    const slips = await (
      await get(`/warehouse/locations/${locationId}/packing-slips?shipment=${b.shipmentId},${c.shipmentId}`)
    ).text();
    const sections = slips.split('<section class="slip"').slice(1);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toContain(`order ${b.number}`);
    expect(sections[0]).toContain('Bob &lt;script&gt;alert(1)&lt;/script&gt;\n1 Main St\n78701 Austin TX\nUS');
    expect(sections[0]).toMatch(/<td>BOX-E2E<\/td><td>Mug &lt;b&gt;bold&lt;\/b&gt;<\/td><td class="qty">1<\/td>/);
    expect(sections[1]).toContain(`order ${c.number}`);
    expect(sections[1]).not.toContain('BOX-E2E');
    const one = await (await get(`/warehouse/shipments/${a.shipmentId}/packing-slip`)).text();
    expect(one).toMatch(/<td>MUG-E2E<\/td><td>[^<]*<\/td><td class="qty">3<\/td>/);
    expect(one).toContain('no label yet');

    expect((await get('/warehouse/locations/DAL/pick-list', null)).status).toBe(401);
    const { createApiKey } = await ok(`mutation { createApiKey(input: { name: "viewer", role: READ_ONLY }) { key } }`);
    const forbidden = await get('/warehouse/locations/DAL/pick-list', createApiKey.key);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(
      'Role READ_ONLY may not print warehouse documents; allowed: ADMIN, OPS',
    );
    expect((await get('/warehouse/locations/NOPE/pick-list')).status).toBe(404);
    expect((await get(`/warehouse/locations/DAL/packing-slips?shipment=${locationId}`)).status).toBe(400);
  });

  it('buys a label by rule, ships and delivers the order from the carrier’s tracking webhooks', async () => {
    const { orderId, shipmentId, number } = await placeAndShip('MUG-E2E', 2);
    const asked = await ok(
      `mutation($id: ID!) { buyShippingLabel(shipmentId: $id, rule: { kind: CHEAPEST_WITHIN_DAYS, withinDays: 3 }) {
         label { status rule { kind withinDays } } shipment { id status } } }`,
      { id: shipmentId },
    );
    expect(asked.buyShippingLabel.label).toEqual({
      status: 'PENDING',
      rule: { kind: 'CHEAPEST_WITHIN_DAYS', withinDays: 3 },
    });
    let shipment: Json = {};
    await waitFor(
      async () => {
        shipment = (await shipmentOf(orderId)).shipments[0];
        return shipment.label.status === 'PURCHASED';
      },
      30_000,
      'the label',
    );
    const within = shipment.ratesConsidered.filter((r: Json) => r.deliveryDays !== null && r.deliveryDays <= 3);
    const chosen = shipment.ratesConsidered.filter((r: Json) => r.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0].cost.amount).toBe(Math.min(...within.map((r: Json) => r.cost.amount)));
    expect(shipment.label.cost).toEqual(chosen[0].cost);
    expect(shipment.label).toEqual(
      expect.objectContaining({ carrier: chosen[0].carrier, service: chosen[0].service, provider: 'easypost' }),
    );
    expect(shipment.label.trackingCode).toMatch(/^EZ\d{10}$/);
    expect(shipment.label.chosenBecause).toMatch(/^CHEAPEST_WITHIN_DAYS\(3\): cheapest of \d+ within 3 days: /);
    const slip = await (
      await fetch(`${hub.base}/warehouse/shipments/${shipmentId}/packing-slip`, {
        headers: { authorization: `Bearer ${hub.adminKey}` },
      })
    ).text();
    expect(slip).toContain(`tracking ${shipment.label.trackingCode}`);

    const trackerId = sim.purchases().find((p) => p.trackingCode === shipment.label.trackingCode)!.shipmentId;
    const tracker = sim.shipment(trackerId)!.tracker!.id;
    const sent = await sim.advanceTracker(tracker, { steps: 3 });
    expect(sent.map((d) => d.httpStatus)).toEqual([200, 200, 200]);
    await waitFor(async () => (await shipmentOf(orderId)).status === 'DELIVERED', 30_000, 'delivery');
    const done = await shipmentOf(orderId);
    expect(done.shipments[0]).toEqual(
      expect.objectContaining({
        status: 'DELIVERED',
        trackingNumber: shipment.label.trackingCode,
        carrier: chosen[0].carrier,
      }),
    );
    expect(done.shipments[0].label.trackingStatus).toBe('delivered');
    expect(done.shipments[0].trackingEvents.map((e: Json) => e.status)).toEqual([
      'pre_transit',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ]);
    const storedDeliveries = () =>
      sql(
        hub.db.url,
        "select status from webhook_delivery where channel_id = 'provider:easypost' order by received_at",
      );
    // The order can be DELIVERED while an older update still waits for its (concurrent) turn.
    await waitFor(
      async () => (await storedDeliveries()).every((r) => r.status !== 'pending' && r.status !== 'processing'),
      30_000,
      'every delivery applied',
    );
    const stored = await storedDeliveries();
    // Three events stored; processed concurrently, an update overtaken by a newer one is ignored as stale.
    expect(stored).toHaveLength(3);
    for (const r of stored) expect(['processed', 'ignored']).toContain(r.status);
    expect(number).toMatch(/^SY-/);
  });

  it('voids a label and answers what cannot be done with clear errors', async () => {
    const { orderId, shipmentId } = await placeAndShip('BOX-E2E', 1);
    await ok(`mutation($id: ID!) { buyShippingLabel(shipmentId: $id) { label { status } } }`, { id: shipmentId });
    await waitFor(
      async () => (await shipmentOf(orderId)).shipments[0].label.status === 'PURCHASED',
      30_000,
      'the label',
    );
    const voiding = await ok(`mutation($id: ID!) { voidShippingLabel(shipmentId: $id) { label { status } } }`, {
      id: shipmentId,
    });
    expect(voiding.voidShippingLabel.label.status).toBe('VOIDING');
    await waitFor(async () => (await shipmentOf(orderId)).shipments[0].label.status === 'VOIDED', 30_000, 'the void');

    const unknown = await gql(
      hub.base,
      `mutation { buyShippingLabel(shipmentId: "00000000-0000-4000-8000-000000000000") { label { id } } }`,
      {
        key: hub.adminKey,
      },
    );
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    const badRule = await gql(
      hub.base,
      `mutation($id: ID!) { buyShippingLabel(shipmentId: $id, rule: { kind: FASTEST, withinDays: 2 }) { label { id } } }`,
      {
        key: hub.adminKey,
        variables: { id: shipmentId },
      },
    );
    expect(codesOf(badRule)).toEqual(['BAD_USER_INPUT']);
    expect(badRule.body.errors![0]!.message).toBe('rule.withinDays: is only for CHEAPEST_WITHIN_DAYS, not FASTEST');
    const { createApiKey } = await ok(`mutation { createApiKey(input: { name: "support", role: SUPPORT }) { key } }`);
    const forbidden = await gql(hub.base, `mutation($id: ID!) { buyShippingLabel(shipmentId: $id) { label { id } } }`, {
      key: createApiKey.key,
      variables: { id: shipmentId },
    });
    expect(codesOf(forbidden)).toEqual(['FORBIDDEN']);
  });
});
