import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProviderDelivery, ProviderWebhook } from '../../src/connectors/provider-webhook.js';
import type { WebhookAdapter } from '../../src/connectors/webhook-adapter.js';
import { validChannelId } from '../../src/domain/channels/channel-input.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { webhookProcessor } from '../../src/jobs/webhook.worker.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { post, secretsFrom, serveInbox, type Signed } from '../support/webhook-inbox.js';

/**
 * Webhooks of platforms that are not channels (Stripe, EasyPost) through the channels' inbox: a
 * provider named `acme` (hex HMAC in X-Acme-Signature, event id in X-Acme-Event) stands for them,
 * so what is tested here is the route and the worker, not a platform's signature scheme.
 */
const SECRET = 'acme-endpoint-secret';

const acmeAdapter: WebhookAdapter = {
  verify(raw, headers, secret) {
    const given = Buffer.from(String(headers['x-acme-signature'] ?? ''), 'hex');
    const expected = createHmac('sha256', secret).update(raw).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, status: 401, reason: 'X-Acme-Signature does not match' };
    const deliveryId = headers['x-acme-event'];
    if (typeof deliveryId !== 'string') return { ok: false, status: 400, reason: 'X-Acme-Event is missing' };
    return { ok: true, delivery: { deliveryId, topic: 'thing.updated', triggeredAt: null } };
  },
};

const handled: ProviderDelivery[] = [];
let failNext = false;
const acme: ProviderWebhook = {
  provider: 'acme',
  adapter: acmeAdapter,
  secret: () => SECRET,
  async handle(_ctx, delivery) {
    if (failNext) {
      failNext = false;
      throw new Error('acme is down');
    }
    handled.push(delivery);
    return { status: 'processed', outcome: `applied ${delivery.deliveryId}` };
  },
};
const unconfigured: ProviderWebhook = { ...acme, provider: 'dormant', secret: () => undefined };

let db: TestDatabase;
let orm: Orm;
let inbox: { base: string; close: () => Promise<void> };
const enqueued: string[] = [];

function signed(body: string, eventId = `evt_${randomBytes(6).toString('hex')}`, secret = SECRET): Signed {
  const bytes = Buffer.from(body, 'utf8');
  return {
    body: bytes,
    headers: {
      'content-type': 'application/json',
      'x-acme-signature': createHmac('sha256', secret).update(bytes).digest('hex'),
      'x-acme-event': eventId,
    },
  };
}

const rows = () =>
  sql<{ id: string; channel_id: string; delivery_id: string; status: string; outcome: string | null }>(
    db.url,
    'select id, channel_id, delivery_id, status, outcome, last_error from webhook_delivery order by received_at',
  );

const job = (deliveryId: string, attemptsMade = 0) =>
  ({ data: { deliveryId }, attemptsMade, opts: { attempts: 3 } }) as unknown as Job<QueuePayloads['webhooks']>;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 5 });
  inbox = await serveInbox(orm, {
    secretFor: secretsFrom({}),
    enqueue: async (id) => void enqueued.push(id),
    providers: new Map([
      ['acme', acme],
      ['dormant', unconfigured],
    ]),
  });
});
afterAll(async () => {
  await inbox.close();
  await orm.close(true);
  await db.drop();
});

describe('POST /webhooks/<provider>', () => {
  it('stores a verified delivery under provider:<name>, once, and hands it to the queue', async () => {
    const first = await post(inbox.base, 'acme', signed('{"id":"evt_1","n":1}', 'evt_1'));
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('accepted');
    const again = await post(inbox.base, 'acme', signed('{"id":"evt_1","n":1}', 'evt_1'));
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ channel_id: 'provider:acme', delivery_id: 'evt_1', status: 'pending' });
    await new Promise((r) => setTimeout(r, 20));
    expect(enqueued).toEqual([stored[0]!.id]);
  });

  it('refuses forged, unconfigured and malformed deliveries and stores none of them', async () => {
    const before = (await rows()).length;
    const forged = await post(inbox.base, 'acme', signed('{"id":"evt_f"}', 'evt_f', 'not-the-secret'));
    expect(forged.status).toBe(401);
    expect(JSON.stringify(forged.body)).not.toContain('evt_f');
    const dormant = await post(inbox.base, 'dormant', signed('{"id":"evt_d"}', 'evt_d'));
    expect(dormant.status).toBe(404);
    expect(JSON.stringify(dormant.body.errors)).toContain('no dormant webhooks');
    const notJson = await post(inbox.base, 'acme', signed('{"id": nope', 'evt_bad'));
    expect(notJson.status).toBe(400);
    // The inbox id of a provider is not a route: only the provider's name is.
    const byInboxId = await post(inbox.base, 'provider:acme', signed('{"id":"evt_p"}', 'evt_p'));
    expect(byInboxId.status).toBe(404);
    expect((await rows()).length).toBe(before);
  });

  it('no channel may take a provider route name as its id', () => {
    for (const id of ['stripe', 'easypost', 'Stripe']) expect(() => validChannelId(id)).toThrow(/reserved/);
    expect(validChannelId('stripe-eu')).toBe('stripe-eu');
  });
});

describe('the webhooks worker and a provider delivery', () => {
  it("applies it through the provider's handler and records the outcome; a duplicate job is a no-op", async () => {
    const res = await post(inbox.base, 'acme', signed('{"id":"evt_2"}', 'evt_2'));
    const id = res.body.id as string;
    const process = webhookProcessor({
      orm,
      logger: quietLogger,
      leaseSeconds: 60,
      batchSize: 10,
      ingest: { policy: { maxLines: 100, maxTotal: 10_000_000 } } as never,
      providers: [acme],
    });
    expect(await process(job(id))).toBe('processed: applied evt_2');
    expect(handled.map((d) => [d.id, d.deliveryId, d.topic, d.body])).toContainEqual([
      id,
      'evt_2',
      'thing.updated',
      '{"id":"evt_2"}',
    ]);
    expect((await rows()).find((r) => r.id === id)).toMatchObject({ status: 'processed', outcome: 'applied evt_2' });
    const count = handled.length;
    expect(await process(job(id))).toBe('already processed');
    expect(handled.length).toBe(count);
  });

  it('a failing handler leaves the row retryable, then failed after the last attempt; no handler fails it at once', async () => {
    const res = await post(inbox.base, 'acme', signed('{"id":"evt_3"}', 'evt_3'));
    const id = res.body.id as string;
    const deps = {
      orm,
      logger: quietLogger,
      leaseSeconds: 60,
      batchSize: 10,
      ingest: { policy: {} } as never,
    };
    failNext = true;
    await expect(webhookProcessor({ ...deps, providers: [acme] })(job(id))).rejects.toThrow('acme is down');
    expect((await rows()).find((r) => r.id === id)?.status).toBe('pending');

    await expect(webhookProcessor({ ...deps, providers: [] })(job(id, 1))).rejects.toThrow(
      /No handler for provider:acme/,
    );
    const [row] = await sql<{ status: string; last_error: string }>(
      db.url,
      'select status, last_error from webhook_delivery where id = $1',
      [id],
    );
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.last_error).toContain('configured');
  });
});
