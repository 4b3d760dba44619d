import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { StripeGateway } from '../connectors/stripe/stripe-gateway.js';
import type { ProviderWebhook } from '../connectors/provider-webhook.js';
import type { WebhookAdapter } from '../connectors/webhook-adapter.js';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { settleExpiringAuthorizations } from '../domain/payments/authorization-expiry.js';
import type { PaymentGateway } from '../domain/payments/payment-gateway.js';
import { stalePendingSteps } from '../domain/payments/payment-lease.js';
import { handleStripeEvent } from '../domain/payments/stripe-events.js';
import { paymentDispatcher, paymentJob } from '../jobs/payment-dispatcher.js';
import { paymentProcessor } from '../jobs/payment.worker.js';
import type { OutboxPublisher } from '../jobs/outbox-relay.js';
import type { QueueRegistry } from '../jobs/queues.js';
import type { ProcessorMap } from '../jobs/worker-runner.js';
import type { Orm } from './database.js';

/** Payments looked at per scan (authorisations about to lapse; steps left pending). */
const SCAN_LIMIT = 500;
/** A step still pending this long after it was requested has lost its job (Redis lost it, say). */
const STALE_STEP_MS = 60_000;

const systemContext = (orm: Orm, logger: Logger, requestId: string): OperationContext => ({
  actor: SYSTEM_PRINCIPAL,
  requestId,
  em: orm.em.fork(),
  logger,
});

/** The card gateway the configuration names: Stripe when STRIPE_SECRET_KEY is set (STRIPE_API_BASE: the simulator). */
export function paymentGatewayFor(config: Config): PaymentGateway | undefined {
  const { secretKey, apiBase } = config.stripe;
  return secretKey ? new StripeGateway({ secretKey, apiBase }) : undefined;
}

/**
 * Card payments' wiring on worker roles (only with a gateway configured): the outbox consumer
 * that enqueues payment steps, the worker that runs them, and the scheduled scan that captures
 * or voids authorisations about to lapse and re-enqueues steps whose job was lost. `sweep` does
 * the latter at once (at start, and when Redis comes back without its last jobs). `now` is the
 * scan's clock (tests pass a fake one).
 */
export function cardPayments(deps: {
  orm: Orm;
  queues: QueueRegistry;
  gateway: PaymentGateway;
  config: Config['payments'];
  jobLockMs: number;
  logger: Logger;
  now?: () => number;
}): {
  processors: ProcessorMap;
  consumer: OutboxPublisher;
  schedule: () => Promise<void>;
  sweep: (olderThanMs?: number) => Promise<number>;
} {
  const { orm, queues, logger } = deps;
  const now = deps.now ?? Date.now;
  /** Enqueues pending steps again (same job ids: a step whose job still exists gets no second one). */
  const sweep = async (olderThanMs = STALE_STEP_MS) => {
    const stale = await stalePendingSteps(orm.em.fork(), olderThanMs, SCAN_LIMIT);
    if (stale.length > 0) await queues.payments.addBulk(stale.map(paymentJob));
    return stale.length;
  };
  return {
    sweep,
    consumer: paymentDispatcher(queues.payments),
    processors: {
      payments: {
        process: paymentProcessor({ orm, gateway: deps.gateway, leaseMs: 2 * deps.jobLockMs, logger }),
        concurrency: 4,
      },
      'payment-maintenance': {
        process: async () => {
          const stale = await sweep();
          const settled = await settleExpiringAuthorizations(systemContext(orm, logger, 'payment-expiry'), {
            now: new Date(now()),
            marginMs: deps.config.captureMarginMs,
            limit: SCAN_LIMIT,
          });
          return `${stale} steps re-enqueued; ${settled.length} authorisations about to lapse: ${settled
            .map((s) => `${s.orderId} ${s.outcome}`)
            .join('; ')}`;
        },
        concurrency: 1,
      },
    },
    schedule: async () => {
      await queues['payment-maintenance'].upsertJobScheduler(
        'payment-maintenance',
        { every: deps.config.scanEveryMs },
        { name: 'scan', data: {} },
      );
    },
  };
}

/**
 * Stripe's webhook as a provider of the inbox (`POST /webhooks/stripe`): the adapter verifies
 * `Stripe-Signature` over the raw bytes; stored deliveries are applied by re-reading the intent
 * (domain/payments/stripe-events.ts).
 */
export function stripeProviderWebhook(deps: {
  gateway: PaymentGateway;
  adapter: WebhookAdapter;
  secret: () => string | undefined;
}): ProviderWebhook {
  return {
    provider: 'stripe',
    adapter: deps.adapter,
    secret: deps.secret,
    handle: (ctx, delivery) => handleStripeEvent(ctx, { gateway: deps.gateway }, delivery.body),
  };
}
