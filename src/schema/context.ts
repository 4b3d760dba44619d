import type { ChannelQuotas } from '../platform/channel-quotas.js';
import type { PublicUrl } from '../platform/public-url.js';
import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Principal } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import type { ChannelDeps, ChannelSyncPort } from '../domain/channels/channel-deps.js';
import type { PingDispatcher } from '../domain/diagnostics/diagnostics.service.js';
import type { PlaceOrderDeps } from '../domain/orders/place-order.service.js';
import type { ShippingDeps } from '../domain/shipping/buy-shipping-label.js';
import type { PaymentGateway } from '../domain/payments/payment-gateway.js';
import type { WebhookDispatcher } from '../domain/webhooks/replay-delivery.js';
import type { ApiKeyAuthenticator } from '../platform/api-key-authenticator.js';
import type { ConsoleSessions } from '../platform/console-sessions.js';
import type { EventPubSub } from './events/event-pubsub.js';
import type { JobInspector } from './jobs/job-inspector.js';
import { createLoaders, type Loaders } from './loaders.js';

/** What resolvers may use: the caller, a forked EntityManager and the adapters the domain needs. */
export interface GraphQLContext {
  principal: Principal | null;
  requestId: string;
  em: EntityManager;
  logger: Logger;
  services: GraphQLServices;
  /** Per-request DataLoaders for nested fields (order lines, customers, events, variants). */
  loaders: Loaders;
}

export interface GraphQLServices {
  authenticator: ApiKeyAuthenticator;
  /** Console sign-in (`/auth`) and the sessions cookies open; absent: API keys only. */
  sessions?: ConsoleSessions;
  pingDispatcher: PingDispatcher;
  /** Payment provider, card gateway and order rules (hold threshold) for placing orders. */
  orders: PlaceOrderDeps;
  /** The card gateway (Stripe), when configured: `Order.payment.clientSecret` is read from it. */
  paymentGateway?: PaymentGateway;
  /** Committed domain events (fed by the outbox relay through Redis) that subscriptions read. */
  events: EventPubSub;
  /** The credentials key and endpoint rule for the channel services. */
  channels: ChannelDeps;
  /** Queues a channel pull (syncChannel); the jobs layer implements it. */
  channelSync: ChannelSyncPort;
  /** The webhook queue, for replays; absent where no queue is configured. */
  webhooks?: { dispatcher: WebhookDispatcher; leaseSeconds: number };
  /** Failed jobs and their retry (failedJobs, retryJob); absent where no queues are wired. */
  jobs?: JobInspector;
  /** The carrier labels are bought through (buyShippingLabel); absent: none configured. */
  shipping?: ShippingDeps;
  /** Where platforms reach the hub: a channel's `webhookUrl`. Absent: the field is null. */
  publicUrl?: Pick<PublicUrl, 'webhookUrl'>;
  /** A channel's daily platform quotas (eBay), on its health; absent: the field is null. */
  channelQuotas?: ChannelQuotas;
}

/**
 * One request's context. The EntityManager and the logger are made on first use: many
 * operations (me, rejected ones) need neither, and forking per request is a measurable share
 * of a cheap request. They are prototype getters, so Apollo's per-operation copy of the
 * context (Object.assign) does not trigger them.
 */
export class RequestContext implements GraphQLContext {
  private forkedEm: EntityManager | undefined = undefined;
  private requestLogger: Logger | undefined = undefined;
  private requestLoaders: Loaders | undefined = undefined;

  constructor(
    readonly principal: Principal | null,
    readonly requestId: string,
    readonly services: GraphQLServices,
    private readonly orm: { em: EntityManager },
    private readonly rootLogger: Logger,
  ) {}

  get em(): EntityManager {
    return (this.forkedEm ??= this.orm.em.fork());
  }

  get logger(): Logger {
    return (this.requestLogger ??= this.rootLogger.child({ requestId: this.requestId }));
  }

  get loaders(): Loaders {
    return (this.requestLoaders ??= createLoaders(() => operationContext(this), this.services.jobs));
  }
}

/** The domain's operation context for an authorised resolver (still lazy about em and logger). */
export function operationContext(ctx: GraphQLContext): OperationContext {
  const actor = ctx.principal;
  if (!actor) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'An API key is required');
  return {
    actor,
    requestId: ctx.requestId,
    get em() {
      return ctx.em;
    },
    get logger() {
      return ctx.logger;
    },
  };
}
