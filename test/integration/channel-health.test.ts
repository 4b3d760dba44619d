import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { graphql } from 'graphql';
import { entities } from '../../src/domain/entities.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { bullJobInspector } from '../../src/jobs/job-inspector.js';
import { closeQueueRegistry, createQueueRegistry } from '../../src/jobs/queues.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { buildGraphQLSchema } from '../../src/schema/build-schema.js';
import { RequestContext, type GraphQLServices } from '../../src/schema/context.js';
import type { JobInspector } from '../../src/schema/jobs/job-inspector.js';
import { ADMIN, quietLogger } from '../support/context.js';
import { sql } from '../support/database.js';
import { waitFor } from '../support/channel-jobs.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Channel health beyond the channel row: the webhook inbox (lag, pending, failed) and the
 * channel's jobs (waiting, failed), for a list of channels in a fixed number of queries. The
 * hub runs as `api` only, so nothing here is processed behind the test's back.
 */
let t: TestHub;
let orm: Orm;
const redis = { url: process.env.TEST_REDIS_URL };
const queues: Queue[] = [];

const CHANNELS = ['health-a', 'health-b', 'health-c'] as const;

interface Health {
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  syncLagSeconds: number | null;
  webhookLagSeconds: number;
  deliveriesPending: number;
  deliveriesFailed: number;
  jobsWaiting: number | null;
  jobsFailed: number | null;
}

const HEALTH = `{ channels { id health { lastSyncAt lastError lastErrorAt syncLagSeconds webhookLagSeconds
  deliveriesPending deliveriesFailed jobsWaiting jobsFailed } } }`;

async function healthOf(): Promise<Map<string, Health>> {
  const res = await gql<{ channels: { id: string; health: Health }[] }>(t.base, HEALTH, { key: t.adminKey });
  expect(res.body.errors).toBeUndefined();
  return new Map(res.body.data!.channels.map((c) => [c.id, c.health]));
}

async function deliveries(channelId: string, status: string, count: number, ageSeconds: number): Promise<void> {
  await sql(
    t.db.url,
    `insert into webhook_delivery (id, channel_id, delivery_id, topic, received_at, body, status)
     select gen_random_uuid(), $1, $2 || '-' || n, 'orders/create', now() - make_interval(secs => $4 + n), '{}', $3
     from generate_series(0, $5 - 1) n`,
    [channelId, `${channelId}-${status}-${ageSeconds}`, status, ageSeconds, count],
  );
}

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  for (const id of CHANNELS)
    await sql(
      t.db.url,
      `insert into channel (id, kind, name, enabled, stock_buffer, backorder_policy) values ($1, 'shopify', $1, true, 0, 'backorder')`,
      [id],
    );
  for (const name of ['channel-sync', 'stock-push'])
    queues.push(new Queue(name, { connection: redis, prefix: t.queuePrefix }));
});

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await orm.close(true);
  await t.stop();
});

describe('channel health', () => {
  it('is all zero for a quiet channel, with the row fields as before', async () => {
    const health = await healthOf();
    expect(health.get('health-c')).toEqual({
      lastSyncAt: null,
      lastError: null,
      lastErrorAt: null,
      syncLagSeconds: null,
      webhookLagSeconds: 0,
      deliveriesPending: 0,
      deliveriesFailed: 0,
      jobsWaiting: 0,
      jobsFailed: 0,
    });
  });

  it('counts pending and failed deliveries, and the lag is the age of the oldest pending one', async () => {
    await sql(
      t.db.url,
      `update channel set last_sync_at = now() - interval '90 seconds', last_error = 'AUTH: token revoked',
       last_error_at = now() - interval '10 seconds' where id = 'health-a'`,
    );
    // health-a: 3 pending (oldest ~120 s), 2 processing (~30 s), 4 failed, 5 processed (old, not counted).
    await deliveries('health-a', 'pending', 3, 118);
    await deliveries('health-a', 'processing', 2, 30);
    await deliveries('health-a', 'failed', 4, 600);
    await deliveries('health-a', 'processed', 5, 3_600);
    // health-b: only processed and ignored ones: nothing waiting, no lag.
    await deliveries('health-b', 'processed', 7, 5);
    await deliveries('health-b', 'ignored', 2, 5);

    const health = await healthOf();
    const a = health.get('health-a')!;
    process.stdout.write(`channel-health: health-a ${JSON.stringify(a)}\n`);
    expect(a).toMatchObject({ deliveriesPending: 5, deliveriesFailed: 4, lastError: 'AUTH: token revoked' });
    expect(a.webhookLagSeconds).toBeGreaterThanOrEqual(120);
    expect(a.webhookLagSeconds).toBeLessThan(180);
    expect(a.syncLagSeconds).toBeGreaterThanOrEqual(90);
    expect(new Date(a.lastErrorAt!).getTime()).toBeLessThan(Date.now());
    expect(health.get('health-b')).toMatchObject({ deliveriesPending: 0, deliveriesFailed: 0, webhookLagSeconds: 0 });
  });

  it("counts each channel's waiting and failed jobs (sync and stock push), not other channels'", async () => {
    const [sync, push] = queues as [Queue, Queue];
    // Failed for good: run once by a worker that refuses them, then the worker is gone.
    await push.add('push', { channelId: 'health-a' }, { jobId: 'h-fail-1', attempts: 1 });
    await push.add('push', { channelId: 'health-a' }, { jobId: 'h-fail-2', attempts: 1 });
    await push.add('push', { channelId: 'health-b' }, { jobId: 'h-fail-3', attempts: 1 });
    const refusing = new Worker(
      'stock-push',
      async () => {
        throw new UnrecoverableError('INVALID: refused by the test');
      },
      { connection: redis, prefix: t.queuePrefix, concurrency: 3 },
    );
    try {
      await waitFor(async () => (await push.getJobCounts('failed')).failed === 3, 20_000, 'three failed jobs');
    } finally {
      await refusing.close();
    }
    // Waiting: a sync and a delayed push for health-a; a prioritized sync for health-b; one for a channel not listed.
    await sync.add('sync', { channelId: 'health-a', mode: 'pull' }, { jobId: 'h-wait-1' });
    await push.add('push', { channelId: 'health-a' }, { jobId: 'h-wait-2', delay: 3_600_000 });
    await sync.add('sync', { channelId: 'health-b', mode: 'reconcile' }, { jobId: 'h-wait-3', priority: 5 });
    await sync.add('sync', { channelId: 'elsewhere', mode: 'pull' }, { jobId: 'h-wait-4' });

    const health = await healthOf();
    const counts = CHANNELS.map(
      (id) => `${id} waiting ${health.get(id)!.jobsWaiting} failed ${health.get(id)!.jobsFailed}`,
    );
    process.stdout.write(`channel-health: jobs ${counts.join('; ')}\n`);
    expect(health.get('health-a')).toMatchObject({ jobsWaiting: 2, jobsFailed: 2 });
    expect(health.get('health-b')).toMatchObject({ jobsWaiting: 1, jobsFailed: 1 });
    expect(health.get('health-c')).toMatchObject({ jobsWaiting: 0, jobsFailed: 0 });
  });

  it('reads the health of a list of channels in one inbox query and one job scan, whatever its length', async () => {
    for (let i = 0; i < 20; i++)
      await sql(
        t.db.url,
        `insert into channel (id, kind, name, enabled, stock_buffer, backorder_policy) values ($1, 'shopify', $1, true, 0, 'backorder')`,
        [`health-many-${String(i).padStart(2, '0')}`],
      );
    // The schema run directly over an ORM whose onQuery hook sees every statement, and a
    // JobInspector that counts its calls (the real one over this hub's queues underneath).
    const statements: string[] = [];
    const options: Partial<Options> = {
      entities,
      driver: PostgreSqlDriver,
      clientUrl: t.db.url,
      pool: { min: 0, max: 2 },
      allowGlobalContext: false,
      discovery: { warnWhenNoEntities: false },
      onQuery: (text: string) => {
        statements.push(text);
        return text;
      },
    };
    const counting = await MikroORM.init(options as Options);
    const registry = createQueueRegistry(redis, t.queuePrefix);
    const real = bullJobInspector(registry);
    let scans = 0;
    const jobs: JobInspector = {
      ...real,
      channelJobCounts: (ids) => {
        scans += 1;
        return real.channelJobCounts(ids);
      },
    };
    try {
      const schema = await buildGraphQLSchema();
      const contextValue = new RequestContext(ADMIN, 'health-test', { jobs } as GraphQLServices, counting, quietLogger);
      const result = await graphql({ schema, source: HEALTH, contextValue });
      expect(result.errors).toBeUndefined();
      const listed = (result.data as { channels: { id: string; health: Health }[] }).channels;
      const inbox = statements.filter((s) => s.includes('from webhook_delivery')).length;
      const all = statements.filter(
        (s) => !/^\s*(begin|commit|rollback)/i.test(s) && !s.includes('from pg_database'),
      ).length;
      process.stdout.write(
        `channel-health: ${listed.length} channels, ${all} statements (${inbox} on the inbox), ${scans} job scan(s)\n`,
      );
      expect(listed).toHaveLength(24); // and the built-in `direct`
      expect(listed.find((c) => c.id === 'health-a')!.health).toMatchObject({ deliveriesPending: 5, jobsWaiting: 2 });
      expect(inbox).toBe(1);
      expect(scans).toBe(1);
      // channels + credential flags + the inbox
      expect(all).toBe(3);
    } finally {
      await counting.close(true);
      await closeQueueRegistry(registry);
    }
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  });
});
