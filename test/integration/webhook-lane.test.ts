import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { secretsFrom, serveInbox, signedDelivery } from '../support/webhook-inbox.js';

/**
 * The webhook lane serves POST /webhooks/<channel> from node:http ahead of express: what the
 * app's middleware gave these requests must still hold (request id, body limits and encodings,
 * JSON errors), and every other request must still reach the app.
 */
const SECRET = 'lane-secret';
let db: TestDatabase;
let orm: Orm;
let inbox: { base: string; close: () => Promise<void> };
const enqueued: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await sql(db.url, `insert into channel (id, kind, name) values ('shop-l', 'shopify', 'Lane')`);
  inbox = await serveInbox(orm, {
    secretFor: secretsFrom({ 'shop-l': SECRET }),
    enqueue: async (id) => void enqueued.push(id),
  });
});
afterAll(async () => {
  await inbox.close();
  await orm.close(true);
  await db.drop();
});

/** A raw request, so the test controls Content-Length, chunking and encoding itself. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: Buffer[] } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(path, inbox.base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString() }),
      );
    });
    // The server may answer and close before a refused body is fully sent.
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    );
    for (const c of options.chunks ?? []) req.write(c);
    req.end();
  });
}

const rows = async (deliveryId: string) =>
  sql<{ body: string }>(db.url, 'select body from webhook_delivery where delivery_id = $1', [deliveryId]);

describe('the webhook lane', () => {
  it('accepts a delivery, echoes a sane X-Request-Id or makes one, and enqueues after answering', async () => {
    const signed = signedDelivery(SECRET, { id: 1 }, { eventId: 'lane-1' });
    const res = await send('/webhooks/shop-l', {
      headers: { ...signed.headers, 'x-request-id': 'req-lane-1' },
      chunks: [signed.body],
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-lane-1');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as { status: string; id: string };
    expect(body.status).toBe('accepted');
    expect(enqueued).toContain(body.id);
    const bad = signedDelivery(SECRET, { id: 2 }, { eventId: 'lane-2' });
    const made = await send('/webhooks/shop-l', {
      headers: { ...bad.headers, 'x-request-id': 'not a sane id!' },
      chunks: [bad.body],
    });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes a body sent in many chunks, and a gzip body verified and stored as its decompressed bytes', async () => {
    const signed = signedDelivery(SECRET, { id: 3, pad: 'p'.repeat(50_000) }, { eventId: 'lane-3' });
    const pieces = [signed.body.subarray(0, 7), signed.body.subarray(7, 30_000), signed.body.subarray(30_000)];
    expect((await send('/webhooks/shop-l', { headers: signed.headers, chunks: pieces })).status).toBe(200);
    expect((await rows('lane-3'))[0]!.body).toBe(signed.body.toString());
    const zipped = signedDelivery(SECRET, { id: 4 }, { eventId: 'lane-4' });
    const res = await send('/webhooks/shop-l', {
      headers: { ...zipped.headers, 'content-encoding': 'gzip' },
      chunks: [gzipSync(zipped.body)],
    });
    expect(res.status).toBe(200);
    expect((await rows('lane-4'))[0]!.body).toBe(zipped.body.toString());
  });

  it('refuses too large bodies (declared or streamed, and once decompressed) with 413, odd encodings with 415, storing nothing', async () => {
    const before = (await sql(db.url, 'select count(*)::int as n from webhook_delivery'))[0]!.n;
    const huge = signedDelivery(SECRET, { pad: 'x'.repeat(1024 * 1024) }, { eventId: 'lane-huge' });
    const declared = await send('/webhooks/shop-l', { headers: huge.headers, chunks: [huge.body] });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 1024 * 1024,
    });
    const { 'content-type': type } = huge.headers;
    const streamed = await send('/webhooks/shop-l', {
      headers: { 'content-type': type!, 'transfer-encoding': 'chunked' },
      chunks: [huge.body.subarray(0, 600_000), huge.body.subarray(600_000)],
    });
    expect(streamed.status).toBe(413);
    const bomb = await send('/webhooks/shop-l', {
      headers: { ...huge.headers, 'content-encoding': 'gzip' },
      chunks: [gzipSync(huge.body)],
    });
    expect(bomb.status).toBe(413);
    const odd = await send('/webhooks/shop-l', {
      headers: { ...huge.headers, 'content-encoding': 'compress' },
      chunks: [Buffer.from('{}')],
    });
    expect(odd.status).toBe(415);
    const notGzip = await send('/webhooks/shop-l', {
      headers: { ...huge.headers, 'content-encoding': 'gzip' },
      chunks: [Buffer.from('{}')],
    });
    expect(notGzip.status).toBe(400);
    expect((await sql(db.url, 'select count(*)::int as n from webhook_delivery'))[0]!.n).toBe(before);
  });

  it('leaves every other request to the app', async () => {
    const get = await send('/webhooks/shop-l', { method: 'GET' });
    expect(get.status).toBe(404);
    expect(get.body).toContain('No route GET /webhooks/shop-l');
    expect((await send('/livez', { method: 'GET' })).status).toBe(200);
    const nested = await send('/webhooks/shop-l/extra', { chunks: [Buffer.from('{}')] });
    expect(nested.status).toBe(404);
    expect(nested.body).toContain('No route POST');
  });
});
