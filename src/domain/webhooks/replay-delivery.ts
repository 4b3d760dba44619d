import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { getWebhookDelivery } from './webhook-delivery-queries.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';

/** Hands a stored delivery to the queue (implemented where the queues live: a BullMQ job). */
export interface WebhookDispatcher {
  dispatch(deliveryId: string): Promise<void>;
}

/**
 * Processes a stored delivery again, from its stored raw body: back to `pending`, then handed
 * to the queue. Any delivery may be replayed (processing is idempotent), except one a worker
 * holds right now (CONFLICT: wait for it). If the queue is unreachable the row stays pending
 * and the sweeper enqueues it once Redis is back, so the replay is never lost.
 */
export async function replayWebhookDelivery(
  ctx: OperationContext,
  dispatcher: WebhookDispatcher,
  id: string,
  leaseSeconds: number,
): Promise<WebhookDelivery> {
  const delivery = await getWebhookDelivery(ctx, id);
  const changed = await ctx.em.getConnection().execute<{ id: string }[]>(
    `update webhook_delivery set status = 'pending', claimed_at = null, processed_at = null
      where id = ? and not (status = 'processing' and claimed_at >= now() - make_interval(secs => ?))
      returning id`,
    [delivery.id, leaseSeconds],
    'all',
  );
  if (changed.length === 0)
    throw new DomainError(ErrorCode.CONFLICT, `Webhook delivery ${delivery.id} is being processed right now`, {
      id: delivery.id,
    });
  ctx.logger.info({ deliveryId: delivery.id, channelId: delivery.channelId }, 'webhook delivery replayed');
  await dispatcher
    .dispatch(delivery.id)
    .catch((err: Error) =>
      ctx.logger.warn({ deliveryId: delivery.id, err: err.message }, 'replay not enqueued now; the sweeper will'),
    );
  await ctx.em.refresh(delivery);
  return delivery;
}
