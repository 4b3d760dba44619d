import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { OutboxMessage } from '../../src/domain/outbox/outbox-message.js';
import { recordOutboxEvent } from '../../src/domain/outbox/outbox.js';
import { OutboxRelay, redisOutboxPublisher, type OutboxPublisher } from '../../src/jobs/outbox-relay.js';
import { outboxLagSeconds } from '../../src/jobs/outbox-store.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * "Nothing leaves before it is committed": the relay publishes committed outbox rows only, in
 * id order, marks them published in the same transaction, and two relays together still publish
 * each event (at least) once and every aggregate's events in order.
 */
let db: TestDatabase;
let orm: Orm;
let redis: Redis;
let listener: Redis;
const prefix = `{relay-${randomBytes(4).toString('hex')}}`;
const received: OutboxMessage[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  redis = new Redis(process.env.TEST_REDIS_URL!);
  listener = new Redis(process.env.TEST_REDIS_URL!);
  listener.on('pmessage', (_pattern: string, _channel: string, text: string) =>
    received.push(JSON.parse(text) as OutboxMessage),
  );
  await listener.psubscribe(`${prefix}:events:*`);
});
afterEach(async () => {
  // Each test starts from an empty outbox and an empty inbox.
  await sql(db.url, 'delete from outbox_event');
  received.length = 0;
});
afterAll(async () => {
  listener.disconnect();
  redis.disconnect();
  await orm.close(true);
  await db.drop();
});

function relay(
  options: Partial<ConstructorParameters<typeof OutboxRelay>[2]> = {},
  publisher: OutboxPublisher = redisOutboxPublisher(redis, prefix),
  on: Orm = orm,
) {
  return new OutboxRelay(on, publisher, {
    logger: quietLogger,
    busyDelayMs: 5,
    idleDelayMs: 20,
    errorDelayMs: 20,
    ...options,
  });
}

async function record(events: { aggregateId: string; seq: number }[]): Promise<void> {
  await orm.em.fork().transactional(async (tx) => {
    for (const e of events)
      recordOutboxEvent(tx, 'order.status_changed', e.aggregateId, { orderId: e.aggregateId, seq: e.seq });
  });
}

/** Waits until Redis has delivered `count` distinct ids to the listener. */
async function waitForReceived(count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (new Set(received.map((m) => m.id)).size < count) {
    if (Date.now() > deadline)
      throw new Error(`received ${new Set(received.map((m) => m.id)).size} of ${count} events`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function unpublished(): Promise<number> {
  return Number(
    (await sql<{ n: string }>(db.url, 'select count(*) as n from outbox_event where published_at is null'))[0]!.n,
  );
}

/** The seqs of each aggregate in the order they arrived, first delivery of each id only. */
function arrivalsByAggregate(): Map<string, number[]> {
  const seen = new Set<number>();
  const out = new Map<string, number[]>();
  for (const m of received) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.set(m.aggregateId, [...(out.get(m.aggregateId) ?? []), Number(m.payload.seq)]);
  }
  return out;
}

const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);

describe('outbox relay', () => {
  it('publishes committed events in id order as {id, topic, aggregateId, payload, createdAt} and marks them published', async () => {
    await record([
      { aggregateId: 'order-a', seq: 1 },
      { aggregateId: 'order-b', seq: 1 },
      { aggregateId: 'order-a', seq: 2 },
    ]);
    expect(await relay().publishBatch()).toBe(3);
    await waitForReceived(3);
    const rows = await sql<{ id: string; published_at: Date | null }>(
      db.url,
      'select id, published_at from outbox_event order by id',
    );
    expect(received.map((m) => m.id)).toEqual(rows.map((r) => Number(r.id)));
    expect(received[0]).toEqual({
      id: Number(rows[0]!.id),
      topic: 'order.status_changed',
      aggregateId: 'order-a',
      payload: { orderId: 'order-a', seq: 1 },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(rows.every((r) => r.published_at !== null)).toBe(true);
    expect(await relay().publishBatch()).toBe(0);
  });

  it('publishes nothing for a transaction that rolled back', async () => {
    await expect(
      orm.em.fork().transactional(async (tx) => {
        recordOutboxEvent(tx, 'order.status_changed', 'order-rolled-back', { seq: 1 });
        await tx.flush();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await record([{ aggregateId: 'order-kept', seq: 1 }]);
    expect(await relay().publishBatch()).toBe(1);
    await waitForReceived(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(received.map((m) => m.aggregateId)).toEqual(['order-kept']);
  });

  it('does not publish an event while its transaction is still open, and publishes it once committed (even with a lower id)', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(
        "insert into outbox_event (topic, aggregate_id, payload) values ('order.status_changed', 'order-slow', '{\"seq\":1}')",
      );
      // Committed after the open one drew its id: a higher id, published first.
      await record([{ aggregateId: 'order-fast', seq: 1 }]);
      expect(await relay().publishBatch()).toBe(1);
      await waitForReceived(1);
      expect(received.map((m) => m.aggregateId)).toEqual(['order-fast']);
      await client.query('commit');
    } finally {
      await client.end();
    }
    // No high-water mark: the lower id committed late is not skipped.
    expect(await relay().publishBatch()).toBe(1);
    await waitForReceived(2);
    expect(received.map((m) => m.aggregateId)).toEqual(['order-fast', 'order-slow']);
    expect(await unpublished()).toBe(0);
  });

  it('leaves a batch unpublished when Redis refuses it, and publishes it again later (at least once)', async () => {
    await record([
      { aggregateId: 'order-a', seq: 1 },
      { aggregateId: 'order-a', seq: 2 },
    ]);
    const down: OutboxPublisher = {
      publish: async () => {
        throw new Error('redis is away');
      },
    };
    await expect(relay({}, down).publishBatch()).rejects.toThrow('redis is away');
    expect(await unpublished()).toBe(2);
    // Published, then the process "dies" before marking: the rows are published again.
    const real = redisOutboxPublisher(redis, prefix);
    const dies: OutboxPublisher = {
      publish: async (messages) => {
        await real.publish(messages);
        throw new Error('killed before commit');
      },
    };
    await expect(relay({}, dies).publishBatch()).rejects.toThrow('killed before commit');
    expect(await unpublished()).toBe(2);
    expect(await relay().publishBatch()).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(received.map((m) => Number(m.payload.seq))).toEqual([1, 2, 1, 2]);
    expect(arrivalsByAggregate().get('order-a')).toEqual([1, 2]);
    expect(await unpublished()).toBe(0);
  });

  it('waits while another relay holds the relay lock', async () => {
    await record([{ aggregateId: 'order-a', seq: 1 }]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(7316001)');
      expect(await relay().publishBatch()).toBe(0);
      await client.query('commit');
    } finally {
      await client.end();
    }
    expect(await relay().publishBatch()).toBe(1);
  });

  it('runs as a loop until stopped, batch after batch, in id order', async () => {
    for (let i = 0; i < 12; i++)
      await record(Array.from({ length: 100 }, (_, j) => ({ aggregateId: `order-${j % 7}`, seq: i * 100 + j })));
    const r = relay({ batchSize: 250 });
    r.start();
    await waitForReceived(1_200);
    await r.stop();
    expect(ascending(received.map((m) => m.id))).toBe(true);
    for (const seqs of arrivalsByAggregate().values()) expect(ascending(seqs)).toBe(true);
    expect(await unpublished()).toBe(0);
  });

  it('two relays on separate pools publish each event once and every aggregate in order, while writers commit', async () => {
    const ormB = await createOrm({ kind: 'postgres', url: db.url, poolMax: 5 });
    const redisB = new Redis(process.env.TEST_REDIS_URL!);
    const counts = { a: 0, b: 0 };
    // Publishing takes a random 0-4 ms, so two claimers, were they allowed, would overtake each other.
    const slow = (publisher: OutboxPublisher): OutboxPublisher => ({
      publish: async (messages) => {
        await new Promise((r) => setTimeout(r, Math.random() * 4));
        await publisher.publish(messages);
      },
    });
    const a = relay({ batchSize: 40, onPublished: (n) => (counts.a += n) }, slow(redisOutboxPublisher(redis, prefix)));
    const b = relay(
      { batchSize: 40, onPublished: (n) => (counts.b += n) },
      slow(redisOutboxPublisher(redisB, prefix)),
      ormB,
    );
    const AGGREGATES = 20;
    const PER_AGGREGATE = 40;
    const TOTAL = 200 + AGGREGATES * PER_AGGREGATE;
    try {
      // A backlog first (both relays start on it at once), then more while they run.
      await record(Array.from({ length: 200 }, (_, i) => ({ aggregateId: `agg-${i % AGGREGATES}`, seq: -1000 + i })));
      a.start();
      b.start();
      // Each aggregate's events are written one transaction after another (as one order's
      // changes are), 1 to 3 per transaction; the 20 aggregates write concurrently.
      await Promise.all(
        Array.from({ length: AGGREGATES }, async (_, agg) => {
          for (let seq = 0; seq < PER_AGGREGATE;) {
            const n = Math.min(1 + ((agg + seq) % 3), PER_AGGREGATE - seq);
            await record(Array.from({ length: n }, (_, k) => ({ aggregateId: `agg-${agg}`, seq: seq + k })));
            seq += n;
          }
        }),
      );
      await waitForReceived(TOTAL, 30_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      redisB.disconnect();
      await ormB.close(true);
    }
    const byAggregate = arrivalsByAggregate();
    const duplicates = received.length - new Set(received.map((m) => m.id)).size;
    process.stdout.write(
      `outbox relays: ${JSON.stringify({ events: TOTAL, deliveries: received.length, duplicates, relayA: counts.a, relayB: counts.b })}\n`,
    );
    expect(byAggregate.size).toBe(AGGREGATES);
    for (const [aggregate, seqs] of byAggregate) {
      const backlog = Array.from(
        { length: 200 / AGGREGATES },
        (_, i) => -1000 + Number(aggregate.slice(4)) + i * AGGREGATES,
      );
      expect({ aggregate, seqs }).toEqual({
        aggregate,
        seqs: [...backlog, ...Array.from({ length: PER_AGGREGATE }, (_, i) => i)],
      });
    }
    // One claimer at a time: nobody published a row the other had already published.
    expect(duplicates).toBe(0);
    expect(counts.a + counts.b).toBe(TOTAL);
    expect(await unpublished()).toBe(0);
  });

  it('reports the lag of the oldest unpublished event', async () => {
    expect(await outboxLagSeconds(orm.em.fork())).toBe(0);
    await sql(
      db.url,
      "insert into outbox_event (topic, aggregate_id, payload, created_at) values ('stock.low', 'v', '{}', now() - interval '90 seconds')",
    );
    expect(await outboxLagSeconds(orm.em.fork())).toBeGreaterThanOrEqual(90);
  });

  it('deletes published rows past retention, never unpublished ones', async () => {
    await sql(
      db.url,
      `insert into outbox_event (topic, aggregate_id, payload, created_at, published_at) values
         ('stock.low', 'old-published', '{}', now() - interval '9 days', now() - interval '8 days'),
         ('stock.low', 'recent-published', '{}', now() - interval '2 days', now() - interval '1 day'),
         ('stock.low', 'old-unpublished', '{}', now() - interval '9 days', null)`,
    );
    expect(await relay().trimPublished()).toBe(1);
    const left = await sql<{ aggregate_id: string }>(db.url, 'select aggregate_id from outbox_event order by id');
    expect(left.map((r) => r.aggregate_id)).toEqual(['recent-published', 'old-unpublished']);
  });
});
