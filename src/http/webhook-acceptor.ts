import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { providerInboxId, type ProviderWebhook } from '../connectors/provider-webhook.js';
import type { ChannelWebhookAdapter, WebhookVerdict } from '../connectors/webhook-adapter.js';
import type { ChannelKind } from '../domain/channels/channel.entity.js';
import {
  InvalidDeliveryBody,
  recordDelivery,
  webhookChannel,
  type WebhookChannel,
} from '../domain/webhooks/record-delivery.js';
import { DeliveryGroupCommit } from '../domain/webhooks/delivery-group-commit.js';
import { errorBody } from './errors.js';

export interface WebhookAcceptorDeps {
  /**
   * The EntityManager the inbox's two statements run through. They are standalone prepared
   * statements that never touch an identity map, so the hub hands the root one instead of a
   * fork per request (forking was about 4 % of the ack path's CPU).
   */
  em: () => EntityManager;
  /** The channel's webhook secret (hub: opened from the row's sealed credentials, cached per ciphertext). */
  secretFor: (channel: WebhookChannel) => Promise<string>;
  adapterFor: (kind: ChannelKind) => ChannelWebhookAdapter | undefined;
  /**
   * Platforms that are not channels (Stripe, EasyPost), by their route name: `POST /webhooks/stripe`
   * is theirs, and no channel may take such an id (RESERVED_CHANNEL_IDS).
   */
  providers?: ReadonlyMap<string, ProviderWebhook>;
  /** Topics still taken from a disabled or disconnected channel (data-protection requests). */
  topicsWhileOff?: ReadonlySet<string>;
  /** Hands a stored delivery to the queue; may fail (Redis down): the sweeper catches up. */
  enqueue: (deliveryId: string) => Promise<void>;
  logger: Logger;
  /** The database gets this long per request before the answer is 503 (Shopify waits 5 s). */
  databaseTimeoutMs?: number;
}

class DatabaseTimeout extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeout(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The verdict for a channel that is off, or undefined when its secret cannot be had (then the refusal stands). */
async function verifyQuietly(
  adapter: ChannelWebhookAdapter,
  channel: WebhookChannel,
  raw: Buffer,
  headers: IncomingHttpHeaders,
  secret: () => Promise<string>,
): Promise<WebhookVerdict | undefined> {
  try {
    return await adapter.verify(raw, headers, await secret(), channel);
  } catch {
    return undefined;
  }
}

/** Channels most recently found open, by id: at most this many are remembered. */
const MAX_REMEMBERED_CHANNELS = 1_000;

/** One delivery as the transport read it: the channel id from the path, the raw bytes, the headers. */
export interface WebhookRequest {
  channelId: string;
  raw: Buffer;
  headers: IncomingHttpHeaders;
  /** For log lines only. */
  requestId: string;
}

/**
 * The answer to send; `afterAnswer`, when set, runs once it was written (it hands the stored
 * delivery to the queue, so the answer never waits for Redis).
 */
export interface WebhookAnswer {
  status: number;
  body: unknown;
  afterAnswer?: () => void;
}

const refuse = (status: number, code: string, message: string): WebhookAnswer => ({
  status,
  body: errorBody(message, code),
});

export type WebhookAcceptor = (request: WebhookRequest) => Promise<WebhookAnswer>;

/**
 * POST /webhooks/:channelId, the inbox, free of any HTTP framework (webhook-lane.ts serves it
 * straight from node:http). In order: the channel (404 unknown or direct, 410 disconnected, 409
 * disabled, except for `topicsWhileOff`), the signature over the raw bytes before anything is
 * parsed (401, nothing stored, the body never echoed), the topic (422), then one insert that
 * dedupes on the platform's delivery id (a duplicate is 200 and nothing else) and checks the body
 * is UTF-8 JSON as it stores it (else 400: the event loop never parses it), the answer, and only
 * then the job, so the answer never waits for Redis. Any database failure or slowness is 503
 * (the platform retries), never 2xx without a stored row and never 500. A provider's route
 * (`/webhooks/stripe`) takes the same steps with its configured secret in place of a channel's.
 */
export function webhookAcceptor(deps: WebhookAcceptorDeps): WebhookAcceptor {
  const dbTimeoutMs = deps.databaseTimeoutMs ?? 4_000;
  /**
   * The row of each channel last found open. A delivery to one of them that verifies under its
   * secret is stored in one round trip (DeliveryGroupCommit: stored only if the row is still
   * exactly this, with the deliveries arriving meanwhile in the same statement); anything else
   * (a refusal to give, a row that changed, a body refused) goes the full way below, which
   * answers as if the shortcut had not been tried.
   */
  const openChannels = new Map<string, WebhookChannel>();
  let group: DeliveryGroupCommit | undefined;
  const groupCommit = () => (group ??= new DeliveryGroupCommit(deps.em()));
  const rememberOpen = (channel: WebhookChannel) => {
    openChannels.delete(channel.id);
    if (openChannels.size >= MAX_REMEMBERED_CHANNELS) openChannels.delete(openChannels.keys().next().value!);
    openChannels.set(channel.id, channel);
  };

  const accepted = (
    stored: { id: string; duplicate: false } | { duplicate: true },
    log: () => Logger,
  ): WebhookAnswer => {
    if (stored.duplicate) return { status: 200, body: { status: 'duplicate' } };
    return {
      status: 200,
      body: { status: 'accepted', id: stored.id },
      // After the answer and after the insert committed (it ran outside any transaction).
      afterAnswer: () =>
        void deps
          .enqueue(stored.id)
          .catch((err: Error) =>
            log().warn(
              { deliveryId: stored.id, err: err.message },
              'webhook stored but not enqueued; the sweeper will',
            ),
          ),
    };
  };

  /** The shortcut: the answer when it could give one (stored, or a duplicate), else undefined. */
  async function acceptKnown(
    seen: WebhookChannel,
    request: WebhookRequest,
    log: () => Logger,
  ): Promise<WebhookAnswer | undefined> {
    const adapter = deps.adapterFor(seen.kind);
    if (!adapter) return undefined;
    let secret: string;
    try {
      secret = await within(deps.secretFor(seen), dbTimeoutMs);
    } catch {
      return undefined;
    }
    const given = adapter.verify(request.raw, request.headers, secret, seen);
    // Awaited only when the adapter answers later (eBay): Shopify's ack path stays synchronous here.
    const verdict = given instanceof Promise ? await given : given;
    if (!verdict.ok) return undefined;
    const { deliveryId, topic, triggeredAt } = verdict.delivery;
    let stored: Awaited<ReturnType<DeliveryGroupCommit['record']>>;
    try {
      stored = await within(
        groupCommit().record(seen, { channelId: seen.id, deliveryId, topic, triggeredAt, body: request.raw }),
        dbTimeoutMs,
      );
    } catch (error) {
      // The full path answers it (400, or what the channel's row says by now).
      if (error instanceof InvalidDeliveryBody) return undefined;
      throw error;
    }
    if ('changed' in stored) {
      openChannels.delete(seen.id);
      return undefined;
    }
    return accepted(stored, log);
  }

  const refuseVerdict = (verdict: Extract<WebhookVerdict, { ok: false }>, log: () => Logger): WebhookAnswer => {
    log().warn({ status: verdict.status, reason: verdict.reason }, 'webhook refused');
    return refuse(verdict.status, verdict.status === 401 ? 'UNAUTHENTICATED' : 'BAD_USER_INPUT', verdict.reason);
  };

  /** A provider's delivery: its secret is configuration, its rows are `provider:<name>`'s. */
  async function acceptProvider(
    provider: ProviderWebhook,
    request: WebhookRequest,
    log: () => Logger,
  ): Promise<WebhookAnswer> {
    const secret = provider.secret();
    if (!secret) return refuse(404, 'NOT_FOUND', `This hub takes no ${provider.provider} webhooks: none is configured`);
    const verdict = provider.adapter.verify(request.raw, request.headers, secret);
    if (!verdict.ok) return refuseVerdict(verdict, log);
    const { deliveryId, topic, triggeredAt } = verdict.delivery;
    const stored = await within(
      recordDelivery(deps.em(), {
        channelId: providerInboxId(provider.provider),
        deliveryId,
        topic,
        triggeredAt,
        body: request.raw,
      }),
      dbTimeoutMs,
    );
    return accepted(stored, log);
  }

  async function acceptFully(request: WebhookRequest, log: () => Logger): Promise<WebhookAnswer> {
    const { raw, headers } = request;
    const found = await within(webhookChannel(deps.em(), request.channelId), dbTimeoutMs);
    const { channel, refusal } = found;
    if (!channel) return refuse(refusal.status, refusal.code, refusal.message);
    const adapter = deps.adapterFor(channel.kind);
    if (!adapter) return refuse(404, 'NOT_FOUND', `Channel ${channel.id} takes no webhooks`);
    if (refusal) {
      // Off, but the platform's data-protection requests must still land: verify, then decide.
      const verdict = await verifyQuietly(adapter, channel, raw, headers, () =>
        within(deps.secretFor(channel), dbTimeoutMs),
      );
      if (!verdict?.ok || !deps.topicsWhileOff?.has(verdict.delivery.topic))
        return refuse(refusal.status, refusal.code, refusal.message);
    }
    const secret = await within(deps.secretFor(channel), dbTimeoutMs);
    const given = adapter.verify(raw, headers, secret, channel);
    const verdict = given instanceof Promise ? await given : given;
    if (!verdict.ok) return refuseVerdict(verdict, log);
    const { deliveryId, topic, triggeredAt } = verdict.delivery;
    const stored = await within(
      recordDelivery(deps.em(), { channelId: channel.id, deliveryId, topic, triggeredAt, body: raw }),
      dbTimeoutMs,
    );
    if (!refusal) rememberOpen(channel);
    return accepted(stored, log);
  }

  return async (request) => {
    // Built only when something is logged (refusals, errors): a child logger per accepted
    // delivery cost a few per cent of the ack path's CPU (pino runs its redaction set-up per child).
    const log = () => deps.logger.child({ requestId: request.requestId, channelId: request.channelId.slice(0, 64) });
    try {
      const provider = deps.providers?.get(request.channelId);
      if (provider) return await acceptProvider(provider, request, log);
      const seen = openChannels.get(request.channelId);
      const quick = seen ? await acceptKnown(seen, request, log) : undefined;
      return quick ?? (await acceptFully(request, log));
    } catch (error) {
      if (error instanceof InvalidDeliveryBody) return refuse(400, 'BAD_USER_INPUT', error.message);
      log().error({ err: (error as Error).message }, 'webhook inbox unavailable');
      return refuse(503, 'UNAVAILABLE', 'The inbox cannot store deliveries right now; send it again later');
    }
  };
}
