import { Queue } from 'bullmq';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookAdapterFor } from '../../src/connectors/connector-registry.js';
import type { WebhookChannel } from '../../src/domain/webhooks/record-delivery.js';
import { createHttpApp } from '../../src/http/app.js';
import { Metrics } from '../../src/http/metrics.js';
import { webhookAcceptor, type WebhookAcceptorDeps } from '../../src/http/webhook-acceptor.js';
import { webhookLane, withWebhookLane } from '../../src/http/webhook-lane.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import type { Orm } from '../../src/platform/database.js';
import { quietLogger } from './context.js';

/** The inbox on the hub's webhook lane ahead of the hub's express app, on a free loopback port. */
export async function serveInbox(
  orm: Pick<Orm, 'em'>,
  overrides: Partial<WebhookAcceptorDeps> & Pick<WebhookAcceptorDeps, 'secretFor' | 'enqueue'>,
): Promise<{ base: string; close: () => Promise<void> }> {
  const metrics = new Metrics([]);
  const app = createHttpApp({
    logger: quietLogger,
    metrics,
    readiness: { check: async () => ({}) },
    bodyLimitBytes: 1024 * 1024,
  });
  const acceptor = webhookAcceptor({
    em: () => orm.em.fork(),
    adapterFor: webhookAdapterFor,
    topicsWhileOff: new Set(['customers/data_request', 'customers/redact', 'shop/redact']),
    logger: quietLogger,
    ...overrides,
  });
  const lane = webhookLane(acceptor, { logger: quietLogger, metrics, bodyLimitBytes: 1024 * 1024 });
  const server: Server = createServer(withWebhookLane(lane, app));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Secrets by channel id, as the hub's decrypted credentials would give them. */
export const secretsFrom =
  (secrets: Record<string, string>) =>
  async (channel: WebhookChannel): Promise<string> => {
    const s = secrets[channel.id];
    if (s === undefined) throw new Error(`no secret for ${channel.id}`);
    return s;
  };

export function webhooksQueue(prefix: string): Queue<QueuePayloads['webhooks'], unknown, string> {
  return new Queue('webhooks', { connection: { url: process.env.TEST_REDIS_URL }, prefix });
}

export const newQueuePrefix = () => `{test-${randomBytes(4).toString('hex')}}`;

export interface Signed {
  body: Buffer;
  headers: Record<string, string>;
}

/** A delivery signed as Shopify signs: base64 HMAC-SHA256 of the raw body under the app secret. */
export function signedDelivery(
  secret: string,
  payload: unknown,
  options: { topic?: string; eventId?: string; webhookId?: string; triggeredAt?: string } = {},
): Signed {
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
      'x-shopify-topic': options.topic ?? 'orders/create',
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': '2026-04',
      'x-shopify-webhook-id': options.webhookId ?? `wh-${randomBytes(6).toString('hex')}`,
      ...(options.eventId === ''
        ? {}
        : { 'x-shopify-event-id': options.eventId ?? `ev-${randomBytes(6).toString('hex')}` }),
      'x-shopify-triggered-at': options.triggeredAt ?? new Date().toISOString(),
    },
  };
}

export async function post(
  base: string,
  channelId: string,
  signed: Signed,
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}/webhooks/${channelId}`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body, ms };
}
