import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnrecoverableError, type Job } from 'bullmq';
import { EasyPostCarrier } from '../../src/connectors/carriers/easypost/easypost.carrier.js';
import { EasyPostSimulator } from '../../src/connectors/carriers/easypost/simulator/easypost-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { buyShippingLabel, voidShippingLabel } from '../../src/domain/shipping/buy-shipping-label.js';
import { labelsAwaitingJobs } from '../../src/domain/shipping/label-jobs.js';
import { labelProcessor } from '../../src/jobs/label.worker.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, orderDeps, stock } from '../support/commerce.js';
import { contextFor, quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { timelineOf } from '../support/order-lifecycle.js';
import { createParcelSku } from '../support/shipping.js';

/**
 * The labels worker when the carrier fails, driven job by job (no queue: each call is one
 * attempt as BullMQ would make it), on PostgreSQL and the simulator: what the label says, what
 * the job throws (and so whether BullMQ retries it), and that asking again buys under the same key.
 */
const KEY = 'EZTK_failures';
let db: TestDatabase;
let orm: Orm;
let sim: EasyPostSimulator;
let location: string;
let n = 0;
const rateLimits: number[] = [];
const runtime = { worker: { rateLimit: async (ms: number) => void rateLimits.push(ms) } } as never;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 5 });
  sim = await EasyPostSimulator.start({ apiKey: KEY, seed: 9 });
  location = (await createLocations(contextFor(orm.em), [{ code: 'FLR' }])).FLR!;
});
afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await sim.stop();
  await orm.close(true);
  await db.drop();
});

const ctx = () => contextFor(orm.em);
const carrier = (apiKey = KEY) =>
  new EasyPostCarrier({
    apiKey,
    baseUrl: sim.baseUrl,
    timeoutMs: 1_000,
    retry: { attempts: 2, baseDelayMs: 5, maxWaitMs: 100 },
  });
const job = (shipmentId: string, attemptsMade = 0, action: 'buy' | 'void' = 'buy') =>
  ({ id: `j-${shipmentId}`, data: { shipmentId, action }, attemptsMade, opts: { attempts: 5 } }) as unknown as Job<
    QueuePayloads['labels']
  >;
const labelOf = async (shipmentId: string) =>
  (
    await sql<{
      status: string;
      last_error: string | null;
      idempotency_key: string;
      provider_shipment_id: string | null;
    }>(
      db.url,
      "select status, last_error, idempotency_key, provider_shipment_id from shipping_label where shipment_id = $1 and status <> 'voided'",
      [shipmentId],
    )
  )[0];

async function requested(): Promise<{ orderId: string; shipmentId: string }> {
  const sku = `FLR-${++n}`;
  await createParcelSku(ctx(), sku);
  await stock(ctx(), sku, location, 5);
  const order = await placeOrder(ctx(), orderDeps, {
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku, quantity: 1 }],
  });
  const shipmentId = (await createShipment(ctx(), order.id)).shipments[0]!.shipment.id;
  await buyShippingLabel(ctx(), { carrierId: 'easypost' }, shipmentId);
  return { orderId: order.id, shipmentId };
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );
}

describe('the labels worker when the carrier fails', () => {
  it('fails at once on a refused key: FAILED with the reason, an unrecoverable (visible) job', async () => {
    const { orderId, shipmentId } = await requested();
    const error = await thrown(
      labelProcessor({ orm, carrier: carrier('EZTK_wrong'), logger: quietLogger })(job(shipmentId), runtime),
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toBe('AUTH: EasyPost 401 APIKEY.INACTIVE: The API key provided is not valid.');
    expect(await labelOf(shipmentId)).toMatchObject({ status: 'failed', last_error: error.message });
    expect((await timelineOf(db.url, orderId)).map((e) => e.type)).toContain('label_failed');
    expect(JSON.stringify(await sql(db.url, 'select * from shipping_label'))).not.toContain('EZTK_');
  });

  it('keeps a label PENDING with the reason while retries remain, FAILED after the last, and buys it when asked again', async () => {
    const { shipmentId } = await requested();
    const worker = labelProcessor({ orm, carrier: carrier(), logger: quietLogger });
    sim.setFaults({ serverError: 1 });
    try {
      const first = await thrown(worker(job(shipmentId, 0), runtime));
      expect(first).not.toBeInstanceOf(UnrecoverableError);
      expect(await labelOf(shipmentId)).toMatchObject({
        status: 'pending',
        last_error: expect.stringMatching(/^TRANSIENT: EasyPost 5\d\d/),
      });
      await thrown(worker(job(shipmentId, 4), runtime));
      expect((await labelOf(shipmentId))!.status).toBe('failed');
    } finally {
      sim.setFaults({});
    }
    expect(await labelsAwaitingJobs(orm.em.fork(), -60_000, 100)).not.toContainEqual({ shipmentId, action: 'buy' });
    const again = await buyShippingLabel(ctx(), { carrierId: 'easypost' }, shipmentId);
    expect(again.label.status).toBe('pending');
    // A pending label is what the sweeper re-enqueues when its job was lost.
    expect(await labelsAwaitingJobs(orm.em.fork(), -60_000, 100)).toContainEqual({ shipmentId, action: 'buy' });
    expect(await worker(job(shipmentId), runtime)).toMatch(/^purchased /);
    const label = (await labelOf(shipmentId))!;
    expect(label.status).toBe('purchased');
    expect(sim.purchasesByReference().get(label.idempotency_key)).toBe(1);
    expect(await worker(job(shipmentId), runtime)).toBe('already purchased');
  });

  it('holds the queue for the carrier’s Retry-After without touching the label', async () => {
    const { shipmentId } = await requested();
    sim.setFaults({ tooManyRequests: 1, retryAfterSeconds: 7 });
    try {
      const error = await thrown(
        labelProcessor({ orm, carrier: carrier(), logger: quietLogger })(job(shipmentId), runtime),
      );
      expect(error.name).toBe('RateLimitError');
    } finally {
      sim.setFaults({});
    }
    expect(rateLimits.at(-1)).toBe(7_000);
    expect(await labelOf(shipmentId)).toMatchObject({ status: 'pending', last_error: null });
  });

  it('voids a failed label whose purchase was never confirmed: nothing bought, nothing refunded', async () => {
    const { shipmentId } = await requested();
    const worker = labelProcessor({ orm, carrier: carrier(), logger: quietLogger });
    // The carrier answers nothing but 5xx: no carrier shipment is ever made, nothing is known to be bought.
    sim.setFaults({ serverError: 1 });
    try {
      await thrown(worker(job(shipmentId, 4), runtime));
    } finally {
      sim.setFaults({});
    }
    expect((await labelOf(shipmentId))!.status).toBe('failed');
    expect((await voidShippingLabel(ctx(), shipmentId)).label.status).toBe('voiding');
    expect(await worker(job(shipmentId, 0, 'void'), runtime)).toBe('voided: nothing had been bought');
    const [row] = await sql(db.url, 'select status, voided_at from shipping_label where shipment_id = $1', [
      shipmentId,
    ]);
    expect(row!.status).toBe('voided');
    expect(row!.voided_at).not.toBeNull();
  });
});
