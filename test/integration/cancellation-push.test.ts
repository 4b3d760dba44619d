import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PlatformError, type ChannelConnector } from '../../src/connectors/connector.js';
import { SYSTEM_PRINCIPAL } from '../../src/domain/auth/principal.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { cancelOrder } from '../../src/domain/orders/lifecycle/cancel-order.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { cancellationPushProcessor } from '../../src/jobs/channel-push.worker.js';
import { PLATFORM_QUEUE_LIMITER } from '../../src/jobs/platform-error-policy.js';
import type { QueueRegistry } from '../../src/jobs/queues.js';
import { startChannelPushRig, type ChannelPushRig } from '../support/channel-push-rig.js';
import type { Orm } from '../../src/platform/database.js';
import { createShopifyChannel, waitFor } from '../support/channel-jobs.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql, type TestDatabase } from '../support/database.js';

/** The platform's side of cancellations: each call, by idempotency key. */
class CancellationRecorder implements ChannelConnector {
  readonly cancelled: { externalOrderId: string; reason: string; key: string }[] = [];
  async pushCancellation(externalOrderId: string, reason: string, key: string): Promise<void> {
    this.cancelled.push({ externalOrderId, reason, key });
  }
  async pullOrders(): Promise<never> {
    throw new PlatformError('INVALID', 'not used');
  }
  async pushStock(): Promise<never> {
    throw new PlatformError('INVALID', 'not used');
  }
  async pushFulfilment(): Promise<never> {
    throw new PlatformError('INVALID', 'not used');
  }
}

let db: TestDatabase;
let orm: Orm;
let queues: QueueRegistry;
let rig: ChannelPushRig;
const platform = new CancellationRecorder();
const deps = { payments: manualPaymentProvider, policy: { holdTotalAbove: null } };
let location: string;
let n = 0;

beforeAll(async () => {
  rig = await startChannelPushRig({
    stockPushIntervalMs: 200,
    poolMax: 5,
    processors: ({ orm, producer, prefix }) => ({
      'cancellation-push': {
        process: cancellationPushProcessor({
          orm,
          connectors: async () => ({ connector: platform, stockBatchLimit: 250 }),
          redis: producer,
          prefix,
        }),
        concurrency: 2,
        limiter: PLATFORM_QUEUE_LIMITER,
      },
    }),
  });
  ({ db, orm, queues } = rig);
  await createShopifyChannel(db.url, 'shop-c');
  location = (await createLocations(contextFor(orm.em), [{ code: 'C1' }])).C1!;
});

afterAll(async () => {
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await rig.close();
});

async function channelOrder(channelId: string) {
  const sku = `C-${++n}`;
  await createSku(contextFor(orm.em), sku);
  await stock(contextFor(orm.em), sku, location, 5);
  return placeOrder(contextFor(orm.em), deps, {
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku, quantity: 2 }],
    channelId,
    externalId: `gid://shopify/Order/${9_007_199_254_740_993n + BigInt(n)}`,
  });
}

const drained = async () => {
  const [{ unpublished }] = (await sql(
    db.url,
    'select count(*)::int as unpublished from outbox_event where published_at is null',
  )) as [{ unpublished: number }];
  const counts = await queues['cancellation-push'].getJobCounts('waiting', 'delayed', 'active');
  return unpublished === 0 && Object.values(counts).every((c) => c === 0);
};

describe('cancellation push', () => {
  it('cancels on the platform, once, an order the hub cancelled through the API', async () => {
    const order = await channelOrder('shop-c');
    await cancelOrder(contextFor(orm.em), deps, order.id, { reason: 'customer called' });
    await waitFor(drained, 20_000, 'the cancellation push');
    expect(platform.cancelled).toEqual([
      { externalOrderId: order.externalId, reason: 'customer called', key: `cancellation-${order.id}` },
    ]);
    // The same job again (a redelivered event, a rerun): the push record makes it a no-op.
    await queues['cancellation-push'].add('cancel', { orderId: order.id }, { jobId: `again-${order.id}` });
    await waitFor(drained, 20_000, 'the repeated job');
    expect(platform.cancelled).toHaveLength(1);
  });

  it('never echoes back a cancellation made by the system actor (the platform’s own, ingested)', async () => {
    const before = platform.cancelled.length;
    const order = await channelOrder('shop-c');
    await cancelOrder({ ...contextFor(orm.em), actor: SYSTEM_PRINCIPAL }, deps, order.id, {
      reason: 'cancelled on Shopify',
    });
    await waitFor(drained, 20_000, 'the job');
    // The job ran and decided not to push.
    const job = await queues['cancellation-push'].getJob(`cancellation-push.${order.id}`);
    expect(job?.returnvalue).toBe(false);
    expect(platform.cancelled).toHaveLength(before);
  });

  it('pushes nothing for orders of the direct channel', async () => {
    const before = platform.cancelled.length;
    const order = await channelOrder('direct');
    await cancelOrder(contextFor(orm.em), deps, order.id, { reason: 'duplicate' });
    await waitFor(drained, 20_000, 'the outbox');
    expect(await queues['cancellation-push'].getJob(`cancellation-push.${order.id}`)).toBeUndefined();
    expect(platform.cancelled).toHaveLength(before);
  });
});
