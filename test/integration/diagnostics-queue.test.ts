import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueEvents } from 'bullmq';
import { DomainError } from '../../src/domain/errors.js';
import { requestDiagnosticPing } from '../../src/domain/diagnostics/diagnostics.service.js';
import { sql } from '../support/database.js';
import { contextFor } from '../support/context.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

let t: TestHub;
let orm: Orm;
beforeAll(async () => {
  t = await startTestHub();
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
});
afterAll(async () => {
  await orm.close(true);
  await t.stop();
});

interface Ping {
  id: string;
  status: string;
  attempts: number;
  finishedAt: string | null;
}

async function waitForPing(id: string, status: string, timeoutMs = 10_000): Promise<Ping> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await gql<{ diagnosticPing: Ping }>(
      t.base,
      'query($id: ID!) { diagnosticPing(id: $id) { id status attempts finishedAt } }',
      {
        key: t.adminKey,
        variables: { id },
      },
    );
    const ping = res.body.data!.diagnosticPing;
    if (ping.status === status || Date.now() > deadline) return ping;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('diagnostic pings through BullMQ on real Redis', () => {
  it('travel API → queue → worker → database exactly once', async () => {
    const res = await gql<{ requestDiagnosticPing: Ping }>(
      t.base,
      'mutation { requestDiagnosticPing(delayMs: 50) { id status attempts } }',
      {
        key: t.adminKey,
      },
    );
    expect(res.body.data!.requestDiagnosticPing).toMatchObject({ status: 'QUEUED', attempts: 0 });
    const done = await waitForPing(res.body.data!.requestDiagnosticPing.id, 'DONE');
    expect(done).toMatchObject({ status: 'DONE', attempts: 1 });
    expect(new Date(done.finishedAt!).toISOString()).toBe(done.finishedAt);
  });

  it('keep many concurrent pings apart: each done once', async () => {
    const events = new QueueEvents('diagnostics', {
      connection: { url: process.env.TEST_REDIS_URL },
      prefix: t.queuePrefix,
    });
    let stalled = 0;
    events.on('stalled', () => stalled++);
    await events.waitUntilReady();
    const ids = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const r = await gql<{ requestDiagnosticPing: Ping }>(
          t.base,
          'mutation { requestDiagnosticPing(delayMs: 10) { id } }',
          { key: t.adminKey },
        );
        return r.body.data!.requestDiagnosticPing.id;
      }),
    );
    const finished = await Promise.all(ids.map((id) => waitForPing(id, 'DONE', 20_000)));
    expect(finished.map((p) => `${p.status}/${p.attempts}`)).toEqual(ids.map(() => 'DONE/1'));
    expect(stalled).toBe(0);
    await events.close();
  });

  it('refuses a delay out of range with BAD_USER_INPUT and stores nothing', async () => {
    const before = await sql(t.db.url, 'select count(*)::int as n from diagnostic_ping');
    const res = await gql(t.base, 'mutation { requestDiagnosticPing(delayMs: 60001) { id } }', { key: t.adminKey });
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'delayMs', max: 60000 });
    expect(await sql(t.db.url, 'select count(*)::int as n from diagnostic_ping')).toEqual(before);
  });

  it('answers UNAVAILABLE and leaves no row behind when the queue cannot take the job', async () => {
    const before = await sql(t.db.url, 'select count(*)::int as n from diagnostic_ping');
    const broken = {
      dispatch: async () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    };
    await expect(requestDiagnosticPing(contextFor(orm.em), broken, 0)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    } as Partial<DomainError>);
    expect(await sql(t.db.url, 'select count(*)::int as n from diagnostic_ping')).toEqual(before);
  });

  it('answers NOT_FOUND for an unknown or malformed ping id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await gql(t.base, 'query($id: ID!) { diagnosticPing(id: $id) { id } }', {
        key: t.adminKey,
        variables: { id },
      });
      expect(res.body.errors![0]!.extensions?.code).toBe('NOT_FOUND');
    }
  });
});
