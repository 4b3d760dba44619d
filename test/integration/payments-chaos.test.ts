import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { approveReturn } from '../../src/domain/orders/lifecycle/decide-return.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { receiveReturn } from '../../src/domain/orders/lifecycle/receive-return.js';
import { requestReturn } from '../../src/domain/orders/lifecycle/request-return.js';
import { placeOrder, type PlaceOrderDeps } from '../../src/domain/orders/place-order.service.js';
import type { PaymentGateway } from '../../src/domain/payments/payment-gateway.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { startWorkers, type WorkerRunner } from '../../src/jobs/worker-runner.js';
import { cardPayments } from '../../src/platform/payments.js';
import { createRedis } from '../../src/platform/redis.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor, quietLogger } from '../support/context.js';
import { sql } from '../support/database.js';
import { invariantViolationsAt } from '../support/order-lifecycle.js';
import {
  orderStatusOf,
  paymentOf,
  startPaymentsRig,
  stepsOf,
  waitFor,
  type PaymentsRig,
} from '../support/payments-rig.js';

/**
 * Payments under the faults RELIABILITY.md names (R4, R8): a worker dies after the gateway
 * moved the money but before the answer was stored, and the job is taken over by another worker
 * once its lock lapses; the simulator commits captures and refunds and then drops the connection
 * (ambiguous timeouts). Every retry carries the step's stored key, so the simulator's own effect
 * count shows exactly one capture and one refund per step.
 */
const deps: PlaceOrderDeps = {
  payments: manualPaymentProvider,
  policy: { holdTotalAbove: null },
  cardPayments: { provider: 'stripe' },
};
const lifecycle = { payments: manualPaymentProvider };
const LOCK_MS = 1_000;

describe('a worker killed after the gateway call', () => {
  let rig: PaymentsRig;
  let redis: Redis;
  const runners: WorkerRunner[] = [];
  let releaseHung: (error: Error) => void = () => {};

  beforeAll(async () => {
    rig = await startPaymentsRig({ workers: false, jobLockMs: LOCK_MS });
    redis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  });
  afterAll(async () => {
    releaseHung(new Error('test over'));
    for (const r of runners) await r.close(1_000);
    redis.disconnect();
    const violations = await invariantViolationsAt(rig.db.url);
    await rig.close();
    expect(violations).toEqual([]);
  });

  /** A worker process's payments worker, with its own gateway (as the hub's worker role starts it). */
  function startPaymentsWorker(gateway: PaymentGateway): WorkerRunner {
    const { processors } = cardPayments({
      orm: rig.orm,
      queues: rig.queues,
      gateway,
      config: { captureMarginMs: 86_400_000, scanEveryMs: 3_600_000 },
      jobLockMs: LOCK_MS,
      logger: quietLogger,
    });
    const runner = startWorkers({ payments: processors.payments }, redis, rig.prefix, quietLogger, LOCK_MS);
    runners.push(runner);
    return runner;
  }

  it('the job rerun by another worker sends the same key: one capture at the gateway, recorded once', async () => {
    const ctx = () => contextFor(rig.orm.em);
    const { KIL } = (await createLocations(ctx(), [{ code: 'KIL' }])) as { KIL: string };
    await createSku(ctx(), 'KILL-1', 4_200);
    await stock(ctx(), 'KILL-1', KIL, 5);

    // The first worker makes the capture call, then never answers: it "dies" holding the job.
    let captured = false;
    const dying: PaymentGateway = Object.assign(Object.create(rig.gateway) as PaymentGateway, {
      capture: async (request: Parameters<PaymentGateway['capture']>[0]) => {
        await rig.gateway.capture(request);
        captured = true;
        return new Promise<never>((_, reject) => (releaseHung = reject));
      },
    });
    const first = startPaymentsWorker(dying);
    const order = await placeOrder(ctx(), deps, {
      currency: 'USD',
      shippingAddress: ADDRESS,
      lines: [{ sku: 'KILL-1', quantity: 1 }],
      paymentMethod: 'pm_card_visa',
    });
    await waitFor('allocation', async () =>
      (await orderStatusOf(rig.db.url, order.id)).status === 'ALLOCATED' ? true : undefined,
    );
    const { shipments } = await createShipment(ctx(), order.id);
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'K1' });
    await waitFor('the capture at the gateway', async () => (captured ? true : undefined));
    const intentId = (await paymentOf(rig.db.url, order.id))!.intent_id!;
    expect(rig.sim.effectsFor(intentId, 'capture')).toHaveLength(1);
    expect((await stepsOf(rig.db.url, order.id))[1]).toMatchObject({ kind: 'capture', status: 'pending', attempts: 1 });

    // Killed: its lock is no longer renewed. Another worker takes the stalled job over.
    await Promise.all(first.workers.map((w) => w.close(true)));
    startPaymentsWorker(rig.gateway);
    const steps = await waitFor(
      'the rerun',
      async () => {
        const s = await stepsOf(rig.db.url, order.id);
        return s[1]?.status === 'succeeded' ? s : undefined;
      },
      30_000,
    );
    const key = `order-${order.id}-capture-1`;
    expect(steps[1]).toMatchObject({ key, amount: 4_200, final: true });
    expect(steps[1]!.attempts).toBeGreaterThanOrEqual(2);
    // One capture moved money; the rerun's request was answered from the idempotency store.
    expect(rig.sim.effectsFor(intentId, 'capture')).toHaveLength(1);
    const calls = rig.sim.requests.filter((r) => r.idempotencyKey === key && r.status === 200);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await paymentOf(rig.db.url, order.id)).toMatchObject({ intent_status: 'succeeded', captured_amount: 4_200 });
    const [events] = await sql<{ n: number }>(
      rig.db.url,
      "select count(*)::int as n from order_event where order_id = $1 and type = 'payment_captured'",
      [order.id],
    );
    expect(events!.n).toBe(1);
  });
});

describe('a job Redis lost', () => {
  let rig: PaymentsRig;
  let redis: Redis;
  let runner: WorkerRunner | undefined;

  beforeAll(async () => {
    rig = await startPaymentsRig({ workers: false });
    redis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  });
  afterAll(async () => {
    await runner?.close(5_000);
    redis.disconnect();
    const violations = await invariantViolationsAt(rig.db.url);
    await rig.close();
    expect(violations).toEqual([]);
  });

  it('the step pending in PostgreSQL is enqueued again under its key, and the order moves on', async () => {
    const ctx = () => contextFor(rig.orm.em);
    const { LOST } = (await createLocations(ctx(), [{ code: 'LOST' }])) as { LOST: string };
    await createSku(ctx(), 'LOST-1', 1_800);
    await stock(ctx(), 'LOST-1', LOST, 5);
    const order = await placeOrder(ctx(), deps, {
      currency: 'USD',
      shippingAddress: ADDRESS,
      lines: [{ sku: 'LOST-1', quantity: 1 }],
      paymentMethod: 'pm_card_visa',
    });
    const key = `order-${order.id}-authorize`;
    await waitFor('the job', async () => ((await rig.queues.payments.getJob(key)) ? true : undefined));
    // Redis comes back without it (AOF everysec loses the last second).
    await rig.queues.payments.obliterate({ force: true });
    expect(await rig.queues.payments.getJob(key)).toBeUndefined();

    const payments = cardPayments({
      orm: rig.orm,
      queues: rig.queues,
      gateway: rig.gateway,
      config: { captureMarginMs: 86_400_000, scanEveryMs: 3_600_000 },
      jobLockMs: 30_000,
      logger: quietLogger,
    });
    expect(await payments.sweep(0)).toBe(1);
    expect(await payments.sweep(0)).toBe(1); // the same job id: still one job
    expect(await rig.queues.payments.getWaitingCount()).toBe(1);
    runner = startWorkers({ payments: payments.processors.payments }, redis, rig.prefix, quietLogger, 30_000);
    await waitFor('allocation', async () =>
      (await orderStatusOf(rig.db.url, order.id)).status === 'ALLOCATED' ? true : undefined,
    );
    expect(rig.sim.effectsFor((await paymentOf(rig.db.url, order.id))!.intent_id!, 'authorise')).toHaveLength(1);
    expect(rig.sim.requests.filter((r) => r.idempotencyKey === key)).toHaveLength(1);
  });
});

describe('ambiguous timeouts on captures and refunds', () => {
  let rig: PaymentsRig;
  const ORDERS = 20;

  beforeAll(async () => {
    rig = await startPaymentsRig({ sim: { seed: 42 } });
  });
  afterAll(async () => {
    const violations = await invariantViolationsAt(rig.db.url);
    await rig.close();
    expect(violations).toEqual([]);
  });

  it(`10 % of captures and refunds committed and then dropped: ${ORDERS} orders, exactly one capture and one refund each`, async () => {
    const ctx = () => contextFor(rig.orm.em);
    const { AMB } = (await createLocations(ctx(), [{ code: 'AMB' }])) as { AMB: string };
    await createSku(ctx(), 'AMB-1', 2_500);
    await stock(ctx(), 'AMB-1', AMB, ORDERS * 2);
    const orders = [];
    for (let i = 0; i < ORDERS; i++)
      orders.push(
        await placeOrder(ctx(), deps, {
          currency: 'USD',
          shippingAddress: ADDRESS,
          lines: [{ sku: 'AMB-1', quantity: 2 }],
          paymentMethod: 'pm_card_visa',
        }),
      );
    for (const o of orders)
      await waitFor('allocation', async () =>
        (await orderStatusOf(rig.db.url, o.id)).status === 'ALLOCATED' ? true : undefined,
      );

    rig.sim.setFaults({ ambiguous: 0.1 });
    for (const o of orders) {
      const { shipments } = await createShipment(ctx(), o.id);
      await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: `A${o.number}` });
    }
    for (const o of orders)
      await waitFor('the capture', async () =>
        (await paymentOf(rig.db.url, o.id))!.intent_status === 'succeeded' ? true : undefined,
      );
    for (const o of orders) {
      const [line] = await sql<{ id: string }>(rig.db.url, 'select id from order_line where order_id = $1', [o.id]);
      const ret = await requestReturn(ctx(), o.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
      await approveReturn(ctx(), ret.returnRequest.id);
      await receiveReturn(ctx(), lifecycle, ret.returnRequest.id, {
        lines: [{ lineId: line!.id, quantity: 1, restock: true }],
      });
    }
    for (const o of orders)
      await waitFor(
        'the refund',
        async () => ((await paymentOf(rig.db.url, o.id))!.refunded_amount > 0 ? true : undefined),
        30_000,
      );

    const dropped = rig.sim.requests.filter((r) => r.fault === 'ambiguous');
    expect(dropped.length).toBeGreaterThan(0);
    for (const o of orders) {
      const payment = (await paymentOf(rig.db.url, o.id))!;
      expect(payment).toMatchObject({ captured_amount: 5_000, refunded_amount: 2_500 });
      expect(rig.sim.effectsFor(payment.intent_id!, 'capture').map((e) => e.amount)).toEqual([5_000]);
      expect(rig.sim.effectsFor(payment.intent_id!, 'refund').map((e) => e.amount)).toEqual([2_500]);
      expect((await stepsOf(rig.db.url, o.id)).map((s) => `${s.kind}:${s.status}`)).toEqual([
        'authorize:succeeded',
        'capture:succeeded',
        'refund:succeeded',
      ]);
    }
    // eslint-disable-next-line no-console
    console.log(
      `ambiguous: ${ORDERS} orders, ${dropped.length} answers dropped after commit, ` +
        `${rig.sim.effectsFor(undefined, 'capture').length} captures, ${rig.sim.effectsFor(undefined, 'refund').length} refunds`,
    );
  });
});
