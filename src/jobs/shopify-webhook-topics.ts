import { UnrecoverableError } from 'bullmq';
import { mapShopifyWebhookOrder } from '../connectors/shopify/shopify-order.mapper.js';
import type { ChannelOrder } from '../domain/channels/channel-order.js';
import { ingestChannelOrders, type IngestDeps } from '../domain/channels/ingest-channel-orders.js';
import type { OperationContext } from '../domain/context.js';
import { claimChannelBatch, markDeliveryError, type ClaimedDelivery } from '../domain/webhooks/delivery-claims.js';
import { newestVersions } from '../domain/webhooks/newest-versions.js';
import {
  disableUninstalledChannel,
  PlatformRequestRefused,
  recordDataRequest,
  redactChannelCustomer,
  redactChannelCustomers,
  redactDeliveryBodies,
} from '../domain/webhooks/platform-requests.js';

/** refunds/create: the refund payload onto the order it belongs to (ingest's to implement). */
export type RefundHandler = (ctx: OperationContext, channelId: string, payload: unknown) => Promise<string>;

export interface WebhookHandlerDeps {
  ingest: IngestDeps;
  /** How many waiting order deliveries of one channel one job ingests together. */
  batchSize: number;
  /** Absent until refund ingestion exists: refunds/create deliveries then fail, visibly and replayably. */
  refunds?: RefundHandler;
}

/** What became of one delivery (the one claimed, or one drained with it into a batch). */
export type DeliveryResult =
  { id: string; status: 'processed' | 'ignored'; outcome: string; error?: undefined } | { id: string; error: string };

const ORDER_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled'] as const;

function parse(delivery: ClaimedDelivery): Record<string, unknown> {
  const body: unknown = JSON.parse(delivery.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new UnrecoverableError(`${delivery.topic} body is not a JSON object`);
  return body as Record<string, unknown>;
}

const stringField = (o: Record<string, unknown>, key: string): string | null =>
  typeof o[key] === 'string' && (o[key] as string).trim() !== '' ? (o[key] as string) : null;

/** Dispatch by Shopify topic. Order topics may drain more deliveries of the channel (a batch). */
export async function handleShopifyDelivery(
  ctx: OperationContext,
  deps: WebhookHandlerDeps,
  delivery: ClaimedDelivery,
): Promise<DeliveryResult[]> {
  const one = (status: 'processed' | 'ignored', outcome: string): DeliveryResult[] => [
    { id: delivery.id, status, outcome },
  ];
  const ref = `delivery ${delivery.deliveryId}`;
  switch (delivery.topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled':
      return ingestOrderBatch(ctx, deps, delivery);
    case 'refunds/create': {
      if (!deps.refunds) throw new UnrecoverableError('refunds/create is not ingested yet (no refund handler wired)');
      return one('processed', await deps.refunds(ctx, delivery.channelId, parse(delivery)));
    }
    case 'app/uninstalled':
      return one('processed', await disableUninstalledChannel(ctx.em, delivery.channelId));
    case 'customers/data_request': {
      const customer = (parse(delivery).customer ?? {}) as Record<string, unknown>;
      return one('processed', await recordDataRequest(ctx, delivery.channelId, stringField(customer, 'email'), ref));
    }
    case 'customers/redact': {
      const customer = (parse(delivery).customer ?? {}) as Record<string, unknown>;
      const email = stringField(customer, 'email');
      const phone = stringField(customer, 'phone');
      const outcome = await refusedAsError(() => redactChannelCustomer(ctx, delivery.channelId, email, ref));
      // The inbox itself must not keep what was erased: this request and finished deliveries naming them.
      await redactDeliveryBodies(
        ctx.em,
        delivery.channelId,
        [email, phone].filter((v): v is string => !!v),
        [delivery.id],
      );
      return one('processed', outcome);
    }
    case 'shop/redact':
      return one('processed', await refusedAsError(() => redactChannelCustomers(ctx, delivery.channelId, ref)));
    default:
      // The adapter admits only the topics above; a row from an older version is left alone.
      return one('ignored', `topic ${delivery.topic} is not processed`);
  }
}

/** A request the hub must not carry out alone fails at once, with its reason, for an operator. */
async function refusedAsError(work: () => Promise<string>): Promise<string> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PlatformRequestRefused) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/**
 * The claimed order delivery plus up to batchSize − 1 other waiting ones of the channel, in one
 * ingest call. Of several versions of one order only the newest (updatedAt, then when Shopify
 * says it triggered, then arrival) is ingested; the others are `ignored` as superseded, and
 * ingestion itself leaves alone a version not newer than the one held. A body that does not map
 * fails on its own; if ingestion fails, the other deliveries go back to pending for their own
 * jobs and the error is rethrown for this one (BullMQ retries it).
 */
async function ingestOrderBatch(
  ctx: OperationContext,
  deps: WebhookHandlerDeps,
  first: ClaimedDelivery,
): Promise<DeliveryResult[]> {
  const more = await claimChannelBatch(ctx.em, first.channelId, ORDER_TOPICS, deps.batchSize - 1);
  const deliveries = [first, ...more];
  const results: DeliveryResult[] = [];
  const mapped: { delivery: ClaimedDelivery; order: ChannelOrder }[] = [];
  for (const delivery of deliveries) {
    try {
      mapped.push({ delivery, order: mapShopifyWebhookOrder(parse(delivery)) });
    } catch (error) {
      if (delivery === first) throw new UnrecoverableError(`payload does not map: ${(error as Error).message}`);
      results.push({ id: delivery.id, error: `payload does not map: ${(error as Error).message}` });
    }
  }
  const { newest: chosen, superseded } = newestVersions(mapped);
  for (const { version, by } of superseded)
    results.push({
      id: version.delivery.id,
      status: 'ignored',
      outcome: `superseded by delivery ${by.delivery.deliveryId}`,
    });
  if (chosen.length === 0) return results;
  let outcomes;
  try {
    outcomes = await ingestChannelOrders(
      ctx,
      deps.ingest,
      first.channelId,
      chosen.map((c) => c.order),
    );
  } catch (error) {
    for (const d of more) await markDeliveryError(ctx.em, d.id, `batch failed: ${(error as Error).message}`, false);
    throw error;
  }
  const byExternalId = new Map(outcomes.map((o) => [o.externalId, o]));
  for (const { delivery, order } of chosen) {
    const outcome = byExternalId.get(order.externalId);
    if (!outcome) results.push({ id: delivery.id, error: `ingestion returned nothing for ${order.externalId}` });
    else if (outcome.result === 'unchanged')
      results.push({ id: delivery.id, status: 'ignored', outcome: `unchanged order ${outcome.orderId}` });
    else results.push({ id: delivery.id, status: 'processed', outcome: `${outcome.result} order ${outcome.orderId}` });
  }
  return results;
}
