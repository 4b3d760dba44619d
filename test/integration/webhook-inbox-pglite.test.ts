import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, runPendingMigrations, type Orm } from '../../src/platform/database.js';
import { post, secretsFrom, serveInbox, signedDelivery } from '../support/webhook-inbox.js';

/**
 * On the embedded database (`npm start`, the Shopify sandbox) the inbox's prepared statements go
 * through the ORM instead (runPrepared): the full path and the one-round-trip shortcut must
 * answer there as on PostgreSQL.
 */
const SECRET = 'pglite-secret';
let dir: string;
let orm: Orm;
let inbox: { base: string; close: () => Promise<void> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-pglite-inbox-'));
  orm = await createOrm({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  await runPendingMigrations(orm);
  await orm.em.getConnection().execute(`insert into channel (id, kind, name) values ('shop-p', 'shopify', 'P')`);
  inbox = await serveInbox(orm, { secretFor: secretsFrom({ 'shop-p': SECRET }), enqueue: async () => undefined });
});
afterAll(async () => {
  await inbox?.close();
  await orm?.close(true);
  rmSync(dir, { recursive: true, force: true });
});

describe('the webhook inbox on PGlite', () => {
  it('stores, dedupes and refuses through both the full path and the shortcut', async () => {
    const first = signedDelivery(SECRET, { id: 1 }, { eventId: 'p-1', triggeredAt: '2026-12-07T10:00:00.250Z' });
    const answers = [];
    answers.push(await post(inbox.base, 'shop-p', first)); // full path: the channel is not known yet
    answers.push(await post(inbox.base, 'shop-p', signedDelivery(SECRET, { id: 2 }, { eventId: 'p-2' }))); // shortcut
    answers.push(await post(inbox.base, 'shop-p', first)); // shortcut, a duplicate
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [200, 'accepted'],
      [200, 'accepted'],
      [200, 'duplicate'],
    ]);
    const rows = (await orm.em
      .getConnection()
      .execute(`select delivery_id, triggered_at, body from webhook_delivery order by delivery_id`)) as {
      delivery_id: string;
      triggered_at: Date | string;
      body: string;
    }[];
    expect(rows.map((r) => [r.delivery_id, r.body])).toEqual([
      ['p-1', '{"id":1}'],
      ['p-2', '{"id":2}'],
    ]);
    expect(new Date(rows[0]!.triggered_at).toISOString()).toBe('2026-12-07T10:00:00.250Z');
    await orm.em.getConnection().execute(`update channel set enabled = false where id = 'shop-p'`);
    expect((await post(inbox.base, 'shop-p', signedDelivery(SECRET, { id: 3 }))).status).toBe(409);
  });
});
