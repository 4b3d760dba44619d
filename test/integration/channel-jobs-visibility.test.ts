import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { sql } from '../support/database.js';
import { waitFor } from '../support/channel-jobs.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

let t: TestHub;
let stockPush: Queue;
const keys: Record<'ops' | 'readOnly', string> = { ops: '', readOnly: '' };

async function createKey(role: string): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    `mutation { createApiKey(input: { name: "visibility ${role}", role: ${role} }) { key } }`,
    { key: t.adminKey },
  );
  return res.body.data!.createApiKey.key;
}

interface FailedJob {
  id: string;
  queue: string;
  name: string;
  data: string;
  failedReason: string | null;
  attemptsMade: number;
  createdAt: string;
  processedAt: string | null;
  finishedAt: string | null;
}

const FAILED_JOBS = `query($first: Int!) { failedJobs(queue: STOCK_PUSH, first: $first) {
  id queue name data failedReason attemptsMade createdAt processedAt finishedAt } }`;

async function failedJobs(key: string): Promise<FailedJob[]> {
  const res = await gql<{ failedJobs: FailedJob[] }>(t.base, FAILED_JOBS, { key, variables: { first: 10 } });
  return res.body.data!.failedJobs;
}

beforeAll(async () => {
  t = await startTestHub();
  stockPush = new Queue('stock-push', { connection: { url: process.env.TEST_REDIS_URL }, prefix: t.queuePrefix });
  keys.ops = await createKey('OPS');
  keys.readOnly = await createKey('READ_ONLY');
  // An active Shopify channel whose connector cannot be built (no credentials stored): every push fails.
  await sql(
    t.db.url,
    `insert into channel (id, kind, name, enabled, stock_buffer, backorder_policy) values ('shop-vis', 'shopify', 'Vis', true, 0, 'backorder')`,
  );
});

afterAll(async () => {
  await stockPush.close();
  await t.stop();
});

describe('failed channel jobs stay visible and can be retried', () => {
  it('lists a failed job with its reason and attempts, and retryJob runs it again', async () => {
    await stockPush.add('push', { channelId: 'shop-vis' }, { jobId: 'vis-1', attempts: 1 });
    let listed: FailedJob[] = [];
    await waitFor(
      async () => (listed = await failedJobs(keys.ops)).some((j) => j.id === 'vis-1'),
      20_000,
      'the job to fail',
    );
    const job = listed.find((j) => j.id === 'vis-1')!;
    expect(job).toMatchObject({ queue: 'STOCK_PUSH', name: 'push', attemptsMade: 1 });
    expect(JSON.parse(job.data)).toEqual({ channelId: 'shop-vis' });
    expect(job.failedReason).toEqual(expect.any(String));
    expect(job.failedReason!.length).toBeGreaterThan(0);
    expect(new Date(job.finishedAt!).getTime()).toBeGreaterThanOrEqual(new Date(job.createdAt).getTime());

    const retried = await gql<{ retryJob: FailedJob }>(
      t.base,
      'mutation { retryJob(queue: STOCK_PUSH, id: "vis-1") { id queue } }',
      { key: t.adminKey },
    );
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data!.retryJob).toEqual({ id: 'vis-1', queue: 'STOCK_PUSH' });
    // It ran again (a later finish) and, the channel still having no credentials, failed again.
    await waitFor(
      async () => {
        const again = (await failedJobs(keys.ops)).find((j) => j.id === 'vis-1');
        return again !== undefined && new Date(again.finishedAt!).getTime() > new Date(job.finishedAt!).getTime();
      },
      20_000,
      'the retried job to run',
    );
  });

  it('answers NOT_FOUND for an unknown job and CONFLICT for one that has not failed', async () => {
    const unknown = await gql(t.base, 'mutation { retryJob(queue: STOCK_PUSH, id: "no-such-job") { id } }', {
      key: t.adminKey,
    });
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    // A push for a channel that does not exist completes (nothing to push).
    await stockPush.add('push', { channelId: 'no-such-channel' }, { jobId: 'vis-done' });
    await waitFor(async () => (await stockPush.getJob('vis-done'))?.finishedOn !== undefined, 20_000, 'the job');
    const done = await gql(t.base, 'mutation { retryJob(queue: STOCK_PUSH, id: "vis-done") { id } }', {
      key: t.adminKey,
    });
    expect(codesOf(done)).toEqual(['CONFLICT']);
  });

  it('lets ops read failed jobs but only admins retry them; other roles are FORBIDDEN', async () => {
    const readOnly = await gql(t.base, FAILED_JOBS, { key: keys.readOnly, variables: { first: 1 } });
    expect(codesOf(readOnly)).toEqual(['FORBIDDEN']);
    const opsRetry = await gql(t.base, 'mutation { retryJob(queue: STOCK_PUSH, id: "vis-1") { id } }', {
      key: keys.ops,
    });
    expect(codesOf(opsRetry)).toEqual(['FORBIDDEN']);
    const tooMany = await gql(t.base, FAILED_JOBS, { key: keys.ops, variables: { first: 101 } });
    expect(codesOf(tooMany)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the queue dashboard at /admin/queues', () => {
  const open = (key?: string, path = '/admin/queues') =>
    fetch(`${t.base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('answers 401 without a key or with a wrong one', async () => {
    expect((await open()).status).toBe(401);
    expect((await open('not-a-key')).status).toBe(401);
    expect((await open(undefined, '/admin/queues/api/queues')).status).toBe(401);
  });

  it('answers 403 to a key that is not admin', async () => {
    expect((await open(keys.ops)).status).toBe(403);
    expect((await open(keys.readOnly, '/admin/queues/api/queues')).status).toBe(403);
  });

  it('serves the dashboard and its API to an admin key, listing every queue', async () => {
    const page = await open(t.adminKey);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await open(t.adminKey, '/admin/queues/api/queues');
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    // Every queue the hub has, none left out as queues are added.
    expect(body.queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
  });
});
