import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliveryGroupCommit, type UnchangedRecord } from '../../src/domain/webhooks/delivery-group-commit.js';
import { InvalidDeliveryBody, type WebhookChannel } from '../../src/domain/webhooks/record-delivery.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { watchNamedStatements } from '../support/path-equality.js';

/**
 * Group commit of the webhook ack: deliveries arriving while a statement runs are stored by the
 * next one together, and each caller gets its own answer — stored, a duplicate (also of another
 * delivery in the same group), or `changed` when its channel snapshot no longer holds.
 */
let db: TestDatabase;
let orm: Orm;
const statements: string[] = [];

const open: WebhookChannel = {
  id: 'shop-g',
  kind: 'shopify',
  enabled: true,
  disconnectedAt: null,
  credentialsCiphertext: 'sealed-1',
};

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await watchNamedStatements(orm, ({ name }) => {
    statements.push(name);
    return null;
  });
  await sql(
    db.url,
    `insert into channel (id, kind, name, credentials_ciphertext) values ('shop-g', 'shopify', 'G', 'sealed-1')`,
  );
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

const delivery = (deliveryId: string) => ({
  channelId: 'shop-g',
  deliveryId,
  topic: 'orders/create',
  triggeredAt: new Date('2026-12-07T03:00:00.000Z'),
  body: JSON.stringify({ id: deliveryId, note: 'quote " and \\ backslash, ünïcode' }),
});

describe('DeliveryGroupCommit', () => {
  it('stores 300 concurrent deliveries in far fewer statements, each answered as its own insert would be', async () => {
    const group = new DeliveryGroupCommit(orm.em, { inFlight: 2, maxGroup: 100 });
    statements.length = 0;
    // 250 new ids, 50 repeats of ids in the same burst (some land in the same group as their first).
    const ids = [
      ...Array.from({ length: 250 }, (_, i) => `g-${i}`),
      ...Array.from({ length: 50 }, (_, i) => `g-${i * 5}`),
    ];
    const answers = await Promise.all(ids.map((id) => group.record(open, delivery(id))));
    const stored = answers.filter((a): a is { id: string; duplicate: false } => 'id' in a);
    expect(stored).toHaveLength(250);
    expect(answers.filter((a) => 'duplicate' in a && a.duplicate)).toHaveLength(50);
    const rows = await sql<{ id: string; delivery_id: string; body: string; triggered_at: Date }>(
      db.url,
      `select id, delivery_id, body, triggered_at from webhook_delivery where channel_id = 'shop-g'`,
    );
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(stored.map((s) => s.id)));
    const row = rows.find((r) => r.delivery_id === 'g-7')!;
    expect(row.body).toBe(delivery('g-7').body);
    expect(row.triggered_at.toISOString()).toBe('2026-12-07T03:00:00.000Z');
    const writes = statements.filter((s) => s.startsWith('switchyard_record_webhook_deliveries_')).length;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(10);
    process.stdout.write(`group commit: 300 deliveries in ${writes} statements\n`);
  });

  it('answers `changed` and stores nothing for a snapshot the channel row no longer matches, in a mixed group', async () => {
    const group = new DeliveryGroupCommit(orm.em, { inFlight: 1, maxGroup: 100 });
    const stale = { ...open, credentialsCiphertext: 'sealed-0' };
    const disabled = { ...open, enabled: false };
    const answers: UnchangedRecord[] = await Promise.all([
      group.record(open, delivery('m-1')),
      group.record(stale, delivery('m-2')),
      group.record(open, delivery('m-3')),
      group.record(disabled, delivery('m-4')),
      group.record({ ...open, id: 'no-such-channel' }, { ...delivery('m-5'), channelId: 'no-such-channel' }),
    ]);
    expect(answers.map((a) => ('changed' in a ? 'changed' : a.duplicate ? 'duplicate' : 'stored'))).toEqual([
      'stored',
      'changed',
      'stored',
      'changed',
      'changed',
    ]);
    const ids = await sql<{ delivery_id: string }>(
      db.url,
      `select delivery_id from webhook_delivery where delivery_id like 'm-%' order by delivery_id`,
    );
    expect(ids.map((r) => r.delivery_id)).toEqual(['m-1', 'm-3']);
  });

  it('a group whose statement failed is written one by one: only the delivery that fails alone is refused', async () => {
    const group = new DeliveryGroupCommit(orm.em, { inFlight: 1, maxGroup: 100 });
    // The first goes alone; the next two wait for it and go together. One of those has a
    // delivery id longer than the column: their statement fails whole, then each is written alone.
    const results = await Promise.allSettled([
      group.record(open, delivery('f-0')),
      group.record(open, delivery('f-1')),
      group.record(open, delivery(`f-${'x'.repeat(400)}`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const ids = await sql<{ delivery_id: string }>(
      db.url,
      `select delivery_id from webhook_delivery where delivery_id like 'f-%'`,
    );
    expect(ids.map((r) => r.delivery_id).sort()).toEqual(['f-0', 'f-1']);
  });

  it('stores raw bytes exactly and refuses, alone, a body that is not UTF-8 JSON or holds a NUL', async () => {
    const group = new DeliveryGroupCommit(orm.em, { inFlight: 1, maxGroup: 100 });
    const bytes = (deliveryId: string, body: Buffer) => ({ ...delivery(deliveryId), body });
    const exact = Buffer.from('{ "id" : "b-1", "dup": 1, "dup": 2, "text": "ünï\\u0000" }\n', 'utf8');
    const results = await Promise.allSettled([
      group.record(open, bytes('b-0', Buffer.from('{}'))),
      // These go together after b-0: one bad body fails their statement, then each is written alone.
      group.record(open, bytes('b-1', exact)),
      group.record(open, bytes('b-2', Buffer.from('{"id": 1,'))),
      group.record(open, bytes('b-3', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))),
      // A raw NUL byte inside a string (JSON's escaped \\u0000, as in b-1, is fine).
      group.record(open, bytes('b-4', Buffer.from('{"a":"\u0000"}', 'utf8'))),
      group.record(open, bytes('b-5', Buffer.from('{"id": 5}'))),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidDeliveryBody);
    const rows = await sql<{ delivery_id: string; body: string }>(
      db.url,
      `select delivery_id, body from webhook_delivery where delivery_id like 'b-%' order by delivery_id`,
    );
    expect(rows.map((r) => r.delivery_id)).toEqual(['b-0', 'b-1', 'b-5']);
    // Whitespace, key order and duplicate keys as sent: the stored text is the signed text.
    expect(rows[1]!.body).toBe(exact.toString('utf8'));
  });
});
