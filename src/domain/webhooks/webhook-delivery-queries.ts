import type { FilterQuery } from '@mikro-orm/core';
import { channelFilterFor, scopedChannelId } from '../channels/channel-scope.js';
import type { OperationContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { newestFirstPage } from '../newest-first-page.js';
import type { Page } from '../pagination.js';
import { WEBHOOK_DELIVERY_STATUSES, WebhookDelivery, type WebhookDeliveryStatus } from './webhook-delivery.entity.js';

export interface WebhookDeliveryFilter {
  channelId?: string | null;
  status?: WebhookDeliveryStatus | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Deliveries newest first, optionally of one channel and status. A channel-scoped key sees
 * only its own channel's (asking for another is FORBIDDEN, as everywhere). Bodies are not read.
 */
export async function listWebhookDeliveries(
  ctx: OperationContext,
  filter: WebhookDeliveryFilter,
): Promise<Page<WebhookDelivery>> {
  const channelId = channelFilterFor(ctx.actor, filter.channelId);
  if (filter.status && !WEBHOOK_DELIVERY_STATUSES.includes(filter.status))
    throw badInput('status', `must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`);
  const where: FilterQuery<WebhookDelivery> = {
    ...(channelId ? { channelId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  return newestFirstPage(ctx.em, WebhookDelivery, where, filter);
}

/** One delivery as the caller may see it (another channel's is NOT_FOUND for a scoped key). */
export async function getWebhookDelivery(ctx: OperationContext, id: string): Promise<WebhookDelivery> {
  const delivery = isUuid(id) ? await ctx.em.findOne(WebhookDelivery, { id }) : null;
  const scope = scopedChannelId(ctx.actor);
  if (!delivery || (scope !== null && delivery.channelId !== scope)) throw notFound('WebhookDelivery', id);
  return delivery;
}
