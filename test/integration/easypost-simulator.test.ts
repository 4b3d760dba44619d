import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as easypost from '@easypost/api';
import { createServer, type Server } from 'node:http';
import { EasyPostCarrier } from '../../src/connectors/carriers/easypost/easypost.carrier.js';
import { EasyPostSimulator } from '../../src/connectors/carriers/easypost/simulator/easypost-simulator.js';
import { CarrierError } from '../../src/domain/shipping/carrier.js';

const EasyPostClient = easypost.default as unknown as (typeof easypost.default)['default'];
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = 'EZTK_simulator_test_key';
const FROM = { name: 'Warehouse DAL', street1: '1 Depot Rd', city: 'Dallas', state: 'TX', zip: '75201', country: 'US' };
const TO = { name: 'Ada Buyer', street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' };
const HUB_FROM = { line1: '1 Depot Rd', city: 'Dallas', region: 'TX', postalCode: '75201', countryCode: 'US' };
const HUB_TO = {
  name: 'Ada Buyer',
  line1: '1 Main St',
  city: 'Austin',
  region: 'TX',
  postalCode: '78701',
  countryCode: 'US',
};

let sim: EasyPostSimulator;
beforeAll(async () => {
  sim = await EasyPostSimulator.start({ apiKey: KEY, seed: 7 });
});
afterAll(async () => {
  await sim.stop();
});

const client = (key = KEY) => new EasyPostClient(key, { baseUrl: sim.baseUrl });
const carrier = (options: { timeoutMs?: number } = {}) =>
  new EasyPostCarrier({
    apiKey: KEY,
    baseUrl: sim.baseUrl,
    timeoutMs: options.timeoutMs ?? 2_000,
    retry: { attempts: 3, baseDelayMs: 10, maxWaitMs: 1_000 },
  });
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e as Json,
  );

describe('EasyPost simulator with the official client', () => {
  it('creates a shipment with rates, buys one, reads it back, refuses a second buy and refunds it once', async () => {
    const ep = client();
    const shipment = (await ep.Shipment.create({
      to_address: TO,
      from_address: FROM,
      parcel: { weight: 21.2, length: 10, width: 8, height: 4 },
      reference: 'shipment-1-label-1',
    } as never)) as unknown as Json;
    expect(shipment.id).toMatch(/^shp_[0-9a-f]{32}$/);
    expect(shipment.reference).toBe('shipment-1-label-1');
    expect(shipment.rates.length).toBeGreaterThan(3);
    for (const rate of shipment.rates) {
      expect(rate.id).toMatch(/^rate_[0-9a-f]{32}$/);
      expect(rate.rate).toMatch(/^\d+\.\d{2}$/);
      expect(rate.currency).toBe('USD');
      expect(rate.shipment_id).toBe(shipment.id);
    }
    const cheapest = [...shipment.rates].sort((a: Json, b: Json) => Number(a.rate) - Number(b.rate))[0];
    const bought = (await ep.Shipment.buy(shipment.id, cheapest.id)) as unknown as Json;
    expect(bought.selected_rate.id).toBe(cheapest.id);
    expect(bought.postage_label.label_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/labels\/pl_/);
    expect(bought.tracking_code).toMatch(/^EZ\d{10}$/);
    expect(bought.tracker.status).toBe('pre_transit');

    const read = (await ep.Shipment.retrieve(shipment.id)) as unknown as Json;
    expect(read.postage_label.id).toBe(bought.postage_label.id);
    const label = await fetch(read.postage_label.label_url);
    expect(label.headers.get('content-type')).toBe('image/png');

    const again = await errorOf(ep.Shipment.buy(shipment.id, cheapest.id));
    expect({ status: again?.statusCode, code: again?.code }).toEqual({ status: 422, code: 'SHIPMENT.POSTAGE.EXISTS' });
    expect(sim.purchasesByReference().get('shipment-1-label-1')).toBe(1);

    const refunded = (await ep.Shipment.refund(shipment.id)) as unknown as Json;
    expect(refunded.refund_status).toBe('submitted');
    const twice = await errorOf(ep.Shipment.refund(shipment.id));
    expect(twice?.statusCode).toBe(422);

    const tracker = (await ep.Tracker.retrieve(bought.tracker.id)) as unknown as Json;
    expect(tracker.tracking_code).toBe(bought.tracking_code);
  });

  it('answers 401 with an EasyPost error body to a wrong key, and 422 naming the missing fields', async () => {
    const unauthorized = await errorOf(client('EZTK_wrong').Shipment.retrieve('shp_x'));
    expect({ status: unauthorized?.statusCode, code: unauthorized?.code }).toEqual({
      status: 401,
      code: 'APIKEY.INACTIVE',
    });
    const raw = await fetch(`${sim.baseUrl}shipments`, { method: 'POST', body: '{}' });
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as Json).error.code).toBe('APIKEY.REQUIRED');

    const invalid = await errorOf(
      client().Shipment.create({ to_address: { city: 'Austin' }, from_address: FROM, parcel: {} } as never),
    );
    expect(invalid?.statusCode).toBe(422);
    expect((invalid?.errors as Json[]).map((e) => e.field)).toEqual(
      expect.arrayContaining(['to_address.street1', 'to_address.country', 'parcel.weight']),
    );
  });

  it('logs every request, in process and at GET /__sim/requests, without the key', async () => {
    const before = sim.requests().length;
    await client().Shipment.create({ to_address: TO, from_address: FROM, parcel: { weight: 5 } } as never);
    const log = sim.requests().slice(before);
    expect(log).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v2/shipments', status: 201, fault: 'none' }),
    ]);
    const over = (await (await fetch(`${sim.url}/__sim/requests`)).json()) as { requests: unknown[] };
    expect(over.requests.length).toBe(sim.requests().length);
    expect(JSON.stringify(over)).not.toContain(KEY);
  });
});

describe('EasyPost carrier (the port over the official client)', () => {
  it('quotes in minor units and grams/millimetres become ounces/inches rounded up', async () => {
    const shipment = await carrier().createShipment({
      reference: 'ref-quote',
      from: HUB_FROM,
      to: HUB_TO,
      parcel: { weightGrams: 600, lengthMm: 254, widthMm: 203, heightMm: 101 },
    });
    const sent = sim.shipment(shipment.id)!;
    expect(sent.parcel).toEqual(expect.objectContaining({ weight: 21.2, length: 10, width: 8, height: 4 }));
    expect(sent.to_address).toEqual(expect.objectContaining({ street1: '1 Main St', zip: '78701', country: 'US' }));
    expect(shipment.rates.length).toBe(sent.rates.length);
    for (const [i, rate] of shipment.rates.entries()) {
      expect(rate.amount).toBe(Math.round(Number(sent.rates[i]!.rate) * 100));
      expect(Number.isInteger(rate.amount)).toBe(true);
    }
    expect(shipment.label).toBeNull();
  });

  it('a buy cut off after it committed is TRANSIENT, and a re-read finds the label it bought', async () => {
    const port = carrier();
    const shipment = await port.createShipment({
      reference: 'ref-ambiguous',
      from: HUB_FROM,
      to: HUB_TO,
      parcel: { weightGrams: 300, lengthMm: null, widthMm: null, heightMm: null },
    });
    sim.setFaults({ ambiguous: 1 });
    try {
      const lost = await errorOf(port.buy(shipment.id, shipment.rates[0]!.id));
      expect(lost).toBeInstanceOf(CarrierError);
      expect(lost?.kind).toBe('TRANSIENT');
    } finally {
      sim.setFaults({});
    }
    expect(sim.purchasesByReference().get('ref-ambiguous')).toBe(1);
    const truth = await port.retrieveShipment(shipment.id);
    expect(truth.label).toEqual(
      expect.objectContaining({ rateId: shipment.rates[0]!.id, trackingCode: expect.stringMatching(/^EZ/) }),
    );
    expect(truth.label!.amount).toBe(shipment.rates[0]!.amount);
  });

  it('retries reads through 5xx, maps 429 with its Retry-After, and times out a hang', async () => {
    const port = carrier({ timeoutMs: 300 });
    const shipment = await port.createShipment({
      reference: 'ref-faults',
      from: HUB_FROM,
      to: HUB_TO,
      parcel: { weightGrams: 300, lengthMm: null, widthMm: null, heightMm: null },
    });
    const count = () => sim.requests().filter((r) => r.path === `/v2/shipments/${shipment.id}`).length;
    try {
      sim.setFaults({ serverError: 1 });
      const down = await errorOf(port.retrieveShipment(shipment.id));
      expect(down?.kind).toBe('TRANSIENT');
      expect(count()).toBe(3);

      sim.setFaults({ tooManyRequests: 1, retryAfterSeconds: 30 });
      const limited = await errorOf(port.retrieveShipment(shipment.id));
      expect({ kind: limited?.kind, wait: limited?.details.retryAfterMs }).toEqual({
        kind: 'RATE_LIMITED',
        wait: 30_000,
      });
      expect(count()).toBe(4); // a 30 s wait is the job's, not waited in place

      sim.setFaults({ timeout: 1 });
      const started = Date.now();
      const hung = await errorOf(port.buy(shipment.id, shipment.rates[0]!.id));
      expect(hung?.kind).toBe('TRANSIENT');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      sim.setFaults({});
    }
    expect(sim.purchasesByReference().get('ref-faults')).toBeUndefined();
  });

  it('maps an unknown shipment to NOT_FOUND and a wrong key to AUTH', async () => {
    expect((await errorOf(carrier().retrieveShipment('shp_nope')))?.kind).toBe('NOT_FOUND');
    const wrong = new EasyPostCarrier({ apiKey: 'EZTK_wrong', baseUrl: sim.baseUrl });
    expect((await errorOf(wrong.retrieveShipment('shp_nope')))?.kind).toBe('AUTH');
  });
});

describe('tracker driver', () => {
  let receiver: Server;
  const received: { body: string; signature: string }[] = [];
  let url: string;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['x-hmac-signature']),
        });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/webhooks/easypost`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
  });

  it('sends each step as a tracker.updated the official verifier accepts, duplicated and out of order on request', async () => {
    const secret = 'sécret-ﬁ';
    sim.setWebhook({ url, secret });
    const ep = client();
    const shipment = (await ep.Shipment.create({
      to_address: TO,
      from_address: FROM,
      parcel: { weight: 16 },
    } as never)) as unknown as Json;
    const bought = (await ep.Shipment.buy(shipment.id, shipment.rates[0].id)) as unknown as Json;
    const trackerId = bought.tracker.id as string;

    const deliveries = await sim.advanceTracker(trackerId, { steps: 3, order: 'reversed', duplicate: true });
    expect(deliveries.map((d) => d.status)).toEqual([
      'delivered',
      'delivered',
      'out_for_delivery',
      'out_for_delivery',
      'in_transit',
      'in_transit',
    ]);
    expect(deliveries.every((d) => d.httpStatus === 200)).toBe(true);
    expect(received).toHaveLength(6);
    const updatedAt: string[] = [];
    for (const r of received) {
      // The official client's verifier (NFKD secret, its weight rewrite) accepts every one.
      const event = ep.Utils.validateWebhook(Buffer.from(r.body), { 'X-Hmac-Signature': r.signature }, secret) as Json;
      expect(event.description).toBe('tracker.updated');
      expect(event.result.id).toBe(trackerId);
      expect(r.body).toContain('"weight":16.0');
      updatedAt.push(event.result.updated_at);
    }
    expect(new Set(updatedAt).size).toBe(3);
    expect(sim.tracker(trackerId)!.status).toBe('delivered');
    expect(await sim.advanceTracker(trackerId)).toEqual([]);
    // A rate of another shipment is refused; the driver answers over HTTP too (nothing left to send).
    const fresh = (await ep.Shipment.create({
      to_address: TO,
      from_address: FROM,
      parcel: { weight: 3 },
    } as never)) as unknown as Json;
    const wrongRate = await errorOf(ep.Shipment.buy(fresh.id, shipment.rates[0].id));
    expect({ status: wrongRate?.statusCode, code: wrongRate?.code }).toEqual({
      status: 422,
      code: 'SHIPMENT.RATE.INVALID',
    });
    const control = await fetch(`${sim.url}/__sim/trackers/${trackerId}/advance`, { method: 'POST', body: '{}' });
    expect(((await control.json()) as { deliveries: unknown[] }).deliveries).toEqual([]);
    expect(() =>
      ep.Utils.validateWebhook(Buffer.from(received[0]!.body), { 'X-Hmac-Signature': received[0]!.signature }, 'other'),
    ).toThrow();
  });
});
