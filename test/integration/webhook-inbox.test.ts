import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queue } from 'bullmq';
import { createHmac } from 'node:crypto';
import { WebhookSweeper } from '../../src/jobs/webhook-sweeper.js';
import { enqueueWebhookDelivery } from '../../src/jobs/webhook-queue.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { createOrm, runPendingMigrations, type Orm } from '../../src/platform/database.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { startPostgres } from '../support/postgres-server.js';
import {
  newQueuePrefix,
  post,
  secretsFrom,
  serveInbox,
  signedDelivery,
  webhooksQueue,
  type Signed,
} from '../support/webhook-inbox.js';

const SECRET = 'shop-a-client-secret';
const SECRETS = { 'shop-a': SECRET, 'shop-off': 'off-secret', 'shop-gone': 'gone-secret' };
const ORDER = (n: number) => ({
  id: `${820982911946154508n + BigInt(n)}`,
  admin_graphql_api_id: `gid://shopify/Order/${820982911946154508n + BigInt(n)}`,
  email: 'jon@example.com',
  updated_at: '2026-12-07T10:00:00Z',
});

let db: TestDatabase;
let orm: Orm;
let queue: Queue<QueuePayloads['webhooks'], unknown, string>;
let inbox: { base: string; close: () => Promise<void> };

const signatureOf = (bytes: Buffer) => createHmac('sha256', SECRET).update(bytes).digest('base64');
const rowCount = async () => Number((await sql(db.url, 'select count(*)::int as n from webhook_delivery'))[0]!.n);
const jobCount = async () => await queue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
const totalJobs = async () => Object.values(await jobCount()).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  await sql(
    db.url,
    `insert into channel (id, kind, name, enabled, disconnected_at) values
       ('shop-a', 'shopify', 'Shop A', true, null),
       ('shop-off', 'shopify', 'Shop Off', false, null),
       ('shop-gone', 'shopify', 'Shop Gone', true, now()),
       ('amzn', 'amazon', 'Amazon', true, null)`,
  );
  queue = webhooksQueue(newQueuePrefix());
  inbox = await serveInbox(orm, {
    secretFor: secretsFrom(SECRETS),
    enqueue: (id) => enqueueWebhookDelivery(queue, id),
  });
});
afterAll(async () => {
  await inbox.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await orm.close(true);
  await db.drop();
});

describe('POST /webhooks/:channelId', () => {
  it('stores a verified delivery as received, answers 200 fast, then enqueues its id under the row id', async () => {
    const raw = '{"id":820982911946154508,"note":"caf\\u00e9 \u2615",  "spaces":  true}';
    const signed = signedDelivery(SECRET, raw, { eventId: 'ev-first', triggeredAt: '2026-12-07T10:00:00.250Z' });
    const res = await post(inbox.base, 'shop-a', signed);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
    const [row] = await sql(db.url, 'select * from webhook_delivery where delivery_id = $1', ['ev-first']);
    expect(row).toMatchObject({
      id: res.body.id,
      channel_id: 'shop-a',
      topic: 'orders/create',
      body: raw,
      status: 'pending',
      attempts: 0,
    });
    expect((row!.triggered_at as Date).toISOString()).toBe('2026-12-07T10:00:00.250Z');
    // The job follows the answer; give it a moment.
    let job = await queue.getJob(String(res.body.id));
    for (let i = 0; i < 50 && !job; i++) {
      await new Promise((r) => setTimeout(r, 20));
      job = await queue.getJob(String(res.body.id));
    }
    expect(job?.data).toEqual({ deliveryId: res.body.id });
  });

  it('acknowledges within milliseconds: 400 deliveries from 20 senders, every one stored once', async () => {
    const before = await rowCount();
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, sender) => {
        for (let i = 0; i < 20; i++) {
          const res = await post(inbox.base, 'shop-a', signedDelivery(SECRET, ORDER(1000 + sender * 20 + i)));
          expect(res.status).toBe(200);
          latencies.push(res.ms);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    process.stdout.write(`webhook acks: ${latencies.length} from 20 senders, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms\n`);
    expect(await rowCount()).toBe(before + 400);
    // Only Shopify's own limit is asserted (it gives up after 5 s): test machines are shared and
    // loaded, so the figure is printed; docs/BENCHMARKS.md is where the ack p99 is measured.
    expect(Number(p(0.99))).toBeLessThan(5_000);
  });

  it('dedupes on the event id, else the webhook id: 20 concurrent copies store one row', async () => {
    const before = await rowCount();
    const signed = signedDelivery(SECRET, ORDER(1), { eventId: 'ev-dup' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(inbox.base, 'shop-a', signed)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.filter((a) => a.body.status === 'accepted')).toHaveLength(1);
    expect(answers.filter((a) => a.body.status === 'duplicate')).toHaveLength(19);
    const noEvent = signedDelivery(SECRET, ORDER(2), { eventId: '', webhookId: 'wh-only' });
    expect((await post(inbox.base, 'shop-a', noEvent)).body.status).toBe('accepted');
    expect((await post(inbox.base, 'shop-a', noEvent)).body.status).toBe('duplicate');
    expect(await rowCount()).toBe(before + 2);
    const [row] = await sql(db.url, `select delivery_id from webhook_delivery where delivery_id = 'wh-only'`);
    expect(row).toBeDefined();
  });

  it('S1: forged, truncated, wrong-secret, 1-byte-edited and replayed deliveries: 0 accepted, 0 side effects, 0 5xx', async () => {
    const genuine = signedDelivery(SECRET, ORDER(3), { eventId: 'ev-genuine' });
    expect((await post(inbox.base, 'shop-a', genuine)).body.status).toBe('accepted');
    await new Promise((r) => setTimeout(r, 100));
    const rowsBefore = await rowCount();
    const jobsBefore = await totalJobs();
    const attacks: { kind: string; signed: Signed }[] = [];
    const sig = genuine.headers['x-shopify-hmac-sha256']!;
    for (let i = 0; i < 60; i++) {
      const fresh = signedDelivery(SECRET, ORDER(100 + i), { eventId: `ev-attack-${i}` });
      const s = fresh.headers['x-shopify-hmac-sha256']!;
      const { 'x-shopify-hmac-sha256': _drop, ...unsigned } = fresh.headers;
      const edited = Buffer.from(fresh.body);
      edited[i % edited.length] = edited[i % edited.length]! ^ (1 << (i % 8));
      attacks.push(
        { kind: 'missing', signed: { body: fresh.body, headers: unsigned } },
        { kind: 'wrong', signed: { body: fresh.body, headers: { ...fresh.headers, 'x-shopify-hmac-sha256': sig } } },
        {
          kind: 'truncated-signature',
          signed: {
            body: fresh.body,
            headers: { ...fresh.headers, 'x-shopify-hmac-sha256': s.slice(0, 1 + (i % 43)) },
          },
        },
        {
          kind: 'truncated-body',
          signed: { body: fresh.body.subarray(0, fresh.body.length - 1 - (i % 10)), headers: fresh.headers },
        },
        { kind: 'wrong-secret', signed: signedDelivery(`${SECRET}-not`, ORDER(200 + i), { eventId: `ev-ws-${i}` }) },
        { kind: 'one-byte-edit', signed: { body: edited, headers: fresh.headers } },
        { kind: 'replayed', signed: genuine },
      );
    }
    const answers = await Promise.all(
      attacks.map(async (a) => ({ kind: a.kind, ...(await post(inbox.base, 'shop-a', a.signed)) })),
    );
    const accepted = answers.filter((a) => a.body.status === 'accepted').length;
    const fiveXX = answers.filter((a) => a.status >= 500).length;
    const forged = answers.filter((a) => a.kind !== 'replayed');
    const replays = answers.filter((a) => a.kind === 'replayed');
    const rowsAdded = (await rowCount()) - rowsBefore;
    const jobsAdded = (await totalJobs()) - jobsBefore;
    process.stdout.write(
      `S1 webhooks: ${answers.length} hostile requests (${forged.length} forged, ${replays.length} replayed): ` +
        `${accepted} accepted, ${rowsAdded} rows stored, ${jobsAdded} jobs enqueued, ${fiveXX} 5xx; ` +
        `forged → ${[...new Set(forged.map((a) => a.status))].join('/')}, replays → ${[...new Set(replays.map((a) => `${a.status} ${String(a.body.status)}`))].join('/')}\n`,
    );
    expect(accepted).toBe(0);
    expect(fiveXX).toBe(0);
    expect(rowsAdded).toBe(0);
    expect(jobsAdded).toBe(0);
    expect(forged.every((a) => a.status === 401)).toBe(true);
    expect(replays.every((a) => a.status === 200 && a.body.status === 'duplicate')).toBe(true);
    // A refusal never echoes what was sent.
    expect(forged.every((a) => !JSON.stringify(a.body).includes('jon@example.com'))).toBe(true);
  });

  it('refuses unknown, direct, other-platform, disabled and disconnected channels with a clear 4xx, storing nothing', async () => {
    const before = await rowCount();
    const s = (secret: string, topic = 'orders/create') => signedDelivery(secret, ORDER(4), { topic });
    const cases = [
      ['nope', s(SECRET), 404],
      ['direct', s(SECRET), 404],
      ['amzn', s(SECRET), 404],
      [encodeURIComponent('bad\u0000id'), s(SECRET), 404],
      ['x'.repeat(300), s(SECRET), 404],
      ['shop-off', s('off-secret'), 409],
      ['shop-gone', s('gone-secret'), 410],
      // A forged data-protection request to a channel that is off is refused like anything else.
      ['shop-off', s('wrong', 'customers/redact'), 409],
    ] as const;
    for (const [channel, signed, status] of cases) {
      const res = await post(inbox.base, channel, signed);
      expect([channel.slice(0, 20), res.status]).toEqual([channel.slice(0, 20), status]);
      expect(JSON.stringify(res.body)).toMatch(/NOT_FOUND|CONFLICT|GONE/);
    }
    expect(await rowCount()).toBe(before);
  });

  it('still takes signed data-protection requests from a disabled or disconnected channel', async () => {
    const off = signedDelivery('off-secret', { customer: { email: 'x@example.com' } }, { topic: 'customers/redact' });
    expect((await post(inbox.base, 'shop-off', off)).status).toBe(200);
    const gone = signedDelivery('gone-secret', { shop_id: 1 }, { topic: 'shop/redact' });
    expect((await post(inbox.base, 'shop-gone', gone)).status).toBe(200);
  });

  it('refuses unknown topics (422), bodies that are not JSON (400) and bodies over 1 MB (413), storing nothing', async () => {
    const before = await rowCount();
    expect(
      (await post(inbox.base, 'shop-a', signedDelivery(SECRET, ORDER(5), { topic: 'products/create' }))).status,
    ).toBe(422);
    expect((await post(inbox.base, 'shop-a', signedDelivery(SECRET, '{"id": 1,'))).status).toBe(400);
    // {"a":"<0xff>"}: correctly signed, but not UTF-8, so it could not be stored as the text that was signed.
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const headers = { ...signedDelivery(SECRET, '{}').headers, 'x-shopify-hmac-sha256': signatureOf(bytes) };
    expect((await post(inbox.base, 'shop-a', { body: bytes, headers })).status).toBe(400);
    // A raw NUL byte, correctly signed: text cannot hold it, so it is refused, not a 503 on every retry.
    const nul = Buffer.from('{"a":"\u0000"}', 'utf8');
    const nulHeaders = { ...signedDelivery(SECRET, '{}').headers, 'x-shopify-hmac-sha256': signatureOf(nul) };
    expect((await post(inbox.base, 'shop-a', { body: nul, headers: nulHeaders })).status).toBe(400);
    const huge = signedDelivery(SECRET, { pad: 'x'.repeat(1024 * 1024) });
    expect((await post(inbox.base, 'shop-a', huge)).status).toBe(413);
    expect(await rowCount()).toBe(before);
  });
});

describe('when Redis is away', () => {
  it('still stores and answers 200; the sweeper enqueues the delivery once the queue is back', async () => {
    const down = await serveInbox(orm, {
      secretFor: secretsFrom(SECRETS),
      enqueue: async () => {
        throw new Error('Connection is closed.');
      },
    });
    try {
      const res = await post(down.base, 'shop-a', signedDelivery(SECRET, ORDER(6), { eventId: 'ev-redis-down' }));
      expect(res.status).toBe(200);
      const id = String(res.body.id);
      await new Promise((r) => setTimeout(r, 100));
      expect(await queue.getJob(id)).toBeUndefined();
      const [row] = await sql(db.url, 'select status from webhook_delivery where id = $1', [id]);
      expect(row?.status).toBe('pending');
      const sweeper = new WebhookSweeper(orm, {
        enqueue: (deliveryId) => enqueueWebhookDelivery(queue, deliveryId, true),
        logger: quietLogger,
        olderThanSeconds: 0,
      });
      const swept = await sweeper.sweep();
      expect(swept).toBeGreaterThanOrEqual(1);
      expect((await queue.getJob(id))?.data).toEqual({ deliveryId: id });
      // A second pass adds no second job: the job id is the row id.
      const jobs = await totalJobs();
      await sweeper.sweep();
      expect(await totalJobs()).toBe(jobs);
      await sweeper.stop();
    } finally {
      await down.close();
    }
  });
});

describe('when PostgreSQL is away', () => {
  it('answers 503 to every signed delivery (never 2xx, never 500)', async () => {
    const server = await startPostgres({ maxConnections: 20 });
    let pgOrm: Orm | undefined;
    let routed: { base: string; close: () => Promise<void> } | undefined;
    try {
      pgOrm = await createOrm({ kind: 'postgres', url: server.url, poolMax: 4 });
      await runPendingMigrations(pgOrm);
      await sql(server.url, `insert into channel (id, kind, name) values ('shop-a', 'shopify', 'Shop A')`);
      routed = await serveInbox(pgOrm, {
        secretFor: secretsFrom(SECRETS),
        enqueue: (id) => enqueueWebhookDelivery(queue, id),
        databaseTimeoutMs: 2_000,
      });
      expect((await post(routed.base, 'shop-a', signedDelivery(SECRET, ORDER(7)))).status).toBe(200);
      await server.stop();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => post(routed!.base, 'shop-a', signedDelivery(SECRET, ORDER(300 + i)))),
      );
      const statuses = answers.map((a) => a.status);
      process.stdout.write(
        `PostgreSQL down: ${answers.length} signed deliveries → ${[...new Set(statuses)].join('/')}\n`,
      );
      expect(statuses).toEqual(answers.map(() => 503));
      expect(answers.every((a) => JSON.stringify(a.body).includes('UNAVAILABLE'))).toBe(true);
    } finally {
      await routed?.close();
      await pgOrm?.close(true).catch(() => undefined);
      await server.stop().catch(() => undefined);
    }
  });
});
