import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import {
  StripeSimulator,
  type StripeSimulatorOptions,
} from '../../src/connectors/stripe/simulator/stripe-simulator.js';
import { StripeGateway } from '../../src/connectors/stripe/stripe-gateway.js';
import { verifyStripeSignature } from '../../src/connectors/stripe/stripe-signature.js';
import { SYSTEM_PRINCIPAL } from '../../src/domain/auth/principal.js';
import type { PaymentGateway } from '../../src/domain/payments/payment-gateway.js';
import { OutboxRelay } from '../../src/jobs/outbox-relay.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { startWorkers, type WorkerRunner } from '../../src/jobs/worker-runner.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { cardPayments, stripeProviderWebhook } from '../../src/platform/payments.js';
import { createRedis } from '../../src/platform/redis.js';
import { quietLogger } from './context.js';
import { createTestDatabase, sql, type TestDatabase } from './database.js';

/**
 * Card payments as the hub's worker role runs them, on real parts: a fresh database, the queues
 * under a prefix of their own on the test Redis, the payments worker and the outbox relay
 * feeding it, the StripeGateway (the official client) against the Stripe simulator, and a local
 * endpoint that takes the simulator's signed webhooks and applies them through the Stripe
 * provider webhook's handler, as the webhooks worker does after the inbox.
 */
export interface PaymentsRig {
  db: TestDatabase;
  orm: Orm;
  sim: StripeSimulator;
  gateway: StripeGateway;
  queues: QueueRegistry;
  prefix: string;
  /** Events the endpoint applied (event id, outcome) or failed to. */
  webhookOutcomes: { id: string; type: string; outcome: string }[];
  /** The scan's clock: real time plus what `advanceClock` added (the simulator's moves with it). */
  now(): number;
  advanceClock(ms: number): void;
  close(): Promise<void>;
}

export async function startPaymentsRig(
  options: {
    sim?: StripeSimulatorOptions;
    /** Wraps the gateway the worker uses (to kill a job mid-call, say). */
    wrapGateway?: (gateway: PaymentGateway) => PaymentGateway;
    jobLockMs?: number;
    /** Start no payments worker (a test brings its own). */
    workers?: boolean;
  } = {},
): Promise<PaymentsRig> {
  const prefix = `{test-${randomBytes(4).toString('hex')}}`;
  let offset = 0;
  const now = () => Date.now() + offset;
  const sim = new StripeSimulator({ webhooks: { maxAttempts: 5, retryBaseMs: 50 }, ...options.sim });
  await sim.start();
  const gateway = new StripeGateway({ secretKey: sim.secretKey, apiBase: sim.url, timeoutMs: 3_000 });
  const db = await createTestDatabase();
  const orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  const producer: Redis = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  const workerRedis: Redis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  const queues = createQueueRegistry(producer, prefix);
  const jobLockMs = options.jobLockMs ?? 30_000;
  const payments = cardPayments({
    orm,
    queues,
    gateway: options.wrapGateway ? options.wrapGateway(gateway) : gateway,
    config: { captureMarginMs: 24 * 3_600_000, scanEveryMs: 3_600_000 },
    jobLockMs,
    logger: quietLogger,
    now,
  });
  const workers: WorkerRunner | undefined =
    options.workers === false
      ? undefined
      : startWorkers(payments.processors, workerRedis, prefix, quietLogger, jobLockMs);
  const relay = new OutboxRelay(
    orm,
    { publish: async () => undefined },
    { logger: quietLogger, consumers: [payments.consumer] },
  );
  relay.start();

  const webhook = stripeProviderWebhook({
    gateway,
    adapter: { verify: () => ({ ok: false, status: 401, reason: 'not used here' }) },
    secret: () => String(sim.webhookSecret),
  });
  const webhookOutcomes: PaymentsRig['webhookOutcomes'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['stripe-signature'];
      const check = verifyStripeSignature(
        raw,
        typeof header === 'string' ? header : undefined,
        String(sim.webhookSecret),
        Math.floor(Date.now() / 1000),
      );
      if (!check.ok) return void res.writeHead(401).end();
      const event = JSON.parse(raw.toString('utf8')) as { id: string; type: string };
      const ctx = { actor: SYSTEM_PRINCIPAL, requestId: `webhook-${event.id}`, em: orm.em.fork(), logger: quietLogger };
      webhook
        .handle(ctx, { id: event.id, deliveryId: event.id, topic: event.type, body: raw.toString('utf8') })
        .then((r) => {
          webhookOutcomes.push({ id: event.id, type: event.type, outcome: `${r.status}: ${r.outcome}` });
          res.writeHead(200).end();
        })
        .catch((err: Error) => {
          webhookOutcomes.push({ id: event.id, type: event.type, outcome: `error: ${err.message}` });
          res.writeHead(500).end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sim.addWebhookEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`);

  return {
    db,
    orm,
    sim,
    gateway,
    queues,
    prefix,
    webhookOutcomes,
    now,
    advanceClock(ms) {
      offset += ms;
      sim.advanceClock(ms);
    },
    async close() {
      await relay.stop();
      await workers?.close(10_000);
      await sim.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeQueueRegistry(queues);
      producer.disconnect();
      workerRedis.disconnect();
      await orm.close(true);
      await db.drop();
    },
  };
}

/** Polls until `probe` returns something other than undefined, or fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PaymentRow {
  intent_id: string | null;
  intent_status: string | null;
  amount: number;
  authorized_amount: number;
  captured_amount: number;
  voided_amount: number;
  refunded_amount: number;
  next_action: string | null;
  capture_before: Date | null;
  last_error: string | null;
}

export async function paymentOf(url: string, orderId: string): Promise<PaymentRow | undefined> {
  const [row] = await sql<PaymentRow>(
    url,
    `select intent_id, intent_status, amount::float8 as amount, authorized_amount::float8 as authorized_amount,
            captured_amount::float8 as captured_amount, voided_amount::float8 as voided_amount,
            refunded_amount::float8 as refunded_amount, next_action, capture_before, last_error
       from payment where order_id = $1`,
    [orderId],
  );
  return row;
}

export async function stepsOf(
  url: string,
  orderId: string,
): Promise<{ key: string; kind: string; amount: number; final: boolean; status: string; attempts: number }[]> {
  return sql(
    url,
    `select key, kind, amount::float8 as amount, final, status, attempts from payment_step where order_id = $1 order by seq`,
    [orderId],
  );
}

export async function orderStatusOf(
  url: string,
  orderId: string,
): Promise<{ status: string; hold_reason: string | null }> {
  const [row] = await sql<{ status: string; hold_reason: string | null }>(
    url,
    'select status, hold_reason from "order" where id = $1',
    [orderId],
  );
  return row!;
}
