import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { emailAddress } from '../input-formats.js';
import { checkAmount, MAX_LINE_QUANTITY, MAX_ORDER_TOTAL, MAX_UNIT_PRICE } from '../input-limits.js';
import { MAX_ORDER_LINES } from '../orders/place-order.input.js';
import type { HoldPolicy } from '../orders/hold-rules.js';
import { inTransaction } from '../transaction.js';
import type { ListingSkuLookup } from './channel-line-match.js';
import type { ChannelOrder } from './channel-order.js';
import { createChannelOrdersAtOnce } from './channel-batch-create.js';
import { createChannelOrder } from './channel-order-create.js';
import { updateChannelOrder } from './channel-order-update.js';
import { Channel } from './channel.entity.js';

export interface IngestDeps {
  policy: HoldPolicy;
  /**
   * The channel listings (platform variant → our SKU). Optional until the listings are wired:
   * without it lines match by SKU only (channel-line-match.ts).
   */
  listingSkus?: ListingSkuLookup;
  /**
   * Whether first sightings that need nothing but placement go through the one-statement batch
   * (channel-batch-create.ts; PostgreSQL only). Default on; the equality test turns it off.
   */
  batchCreate?: boolean;
}

export type IngestResult = 'created' | 'updated' | 'unchanged' | 'held' | 'cancelled';

export interface IngestOutcome {
  externalId: string;
  orderId: string;
  result: IngestResult;
}

/** Attempts per order when a concurrent ingester of the same order won a race (then it re-reads). */
const MAX_ATTEMPTS = 5;

/**
 * The one domain operation behind webhooks, pulls and backfills: each platform order is
 * created, updated, cancelled or left unchanged, idempotently by (channel, externalId).
 *
 * Batching: one read finds the versions held for the whole batch, so versions that are not newer
 * (duplicates and stale redeliveries, the bulk of a webhook storm) cost no transaction at all;
 * duplicates inside the batch collapse to their newest version first. First sightings that need
 * nothing but placement (the bulk of a burst of new orders) are written together in one statement
 * (channel-batch-create.ts). Every other order that changes is written in its own transaction, so
 * one order's failure never rolls back another's, and a retried batch repeats only what did not
 * commit.
 *
 * Concurrency: two ingesters of one new order race on the unique (channel, external_id) key; the
 * loser's transaction rolls back whole and it runs again as an update of the winner's order
 * (then 'unchanged' for the same version). Updates lock the order row and compare versions under
 * the lock.
 */
export async function ingestChannelOrders(
  ctx: OperationContext,
  deps: IngestDeps,
  channelId: string,
  orders: readonly ChannelOrder[],
): Promise<IngestOutcome[]> {
  const channel = await ctx.em.fork().findOne(Channel, { id: channelId });
  if (!channel) throw notFound('Channel', channelId);
  if (channel.kind === 'direct') throw badInput('channelId', `channel ${channelId} takes no platform orders`);
  const newest = new Map<string, ChannelOrder>();
  for (const [i, raw] of orders.entries()) {
    const co = checkChannelOrder(`orders[${i}]`, raw);
    const seen = newest.get(co.externalId);
    if (!seen || seen.updatedAt.getTime() < co.updatedAt.getTime()) newest.set(co.externalId, co);
  }
  const held = await heldVersions(ctx, channelId, [...newest.keys()]);
  const done = new Map<string, { orderId: string; result: IngestResult }>();
  if (deps.batchCreate !== false) {
    const firstSightings = [...newest.values()].filter((co) => !held.has(co.externalId));
    const created = await createChannelOrdersAtOnce(ctx, deps, channelId, firstSightings);
    for (const [externalId, orderId] of created) done.set(externalId, { orderId, result: 'created' });
  }
  for (const co of newest.values()) {
    if (done.has(co.externalId)) continue;
    done.set(co.externalId, await ingestOne(ctx, deps, channelId, co, held.get(co.externalId) ?? null));
  }
  return orders.map((o) => {
    const outcome = done.get(o.externalId.trim())!;
    // A duplicate older than the batch's newest version of its order changed nothing by itself.
    const applied = newest.get(o.externalId.trim())!.updatedAt.getTime() === o.updatedAt.getTime();
    return { externalId: o.externalId, orderId: outcome.orderId, result: applied ? outcome.result : 'unchanged' };
  });
}

interface HeldVersion {
  orderId: string;
  externalUpdatedAt: Date | null;
}

/** One round trip: the order id and platform version held for each external id of the batch. */
async function heldVersions(
  ctx: OperationContext,
  channelId: string,
  externalIds: string[],
): Promise<Map<string, HeldVersion>> {
  if (externalIds.length === 0) return new Map();
  const rows: { id: string; external_id: string; external_updated_at: Date | string | null }[] = await ctx.em
    .getConnection()
    .execute(
      'select id, external_id, external_updated_at from "order" where channel_id = ? and external_id = any(array(select jsonb_array_elements_text(?::jsonb)))',
      [channelId, JSON.stringify(externalIds)],
    );
  return new Map(
    rows.map((r) => [
      r.external_id,
      { orderId: r.id, externalUpdatedAt: r.external_updated_at === null ? null : new Date(r.external_updated_at) },
    ]),
  );
}

async function ingestOne(
  ctx: OperationContext,
  deps: IngestDeps,
  channelId: string,
  co: ChannelOrder,
  known: HeldVersion | null,
): Promise<{ orderId: string; result: IngestResult }> {
  let held = known;
  for (let attempt = 1; ; attempt++) {
    try {
      if (held === null) {
        // Chosen outside the transaction: a rerun after a deadlock keeps the same id.
        const orderId = randomUUID();
        const result = await inTransaction(ctx.em, async (tx) =>
          createChannelOrder(tx, ctx, deps, await tx.findOneOrFail(Channel, { id: channelId }), co, orderId),
        );
        return { orderId, result };
      }
      if (held.externalUpdatedAt !== null && held.externalUpdatedAt.getTime() >= co.updatedAt.getTime()) {
        return { orderId: held.orderId, result: 'unchanged' };
      }
      const orderId = held.orderId;
      const result = await inTransaction(ctx.em, (tx) => updateChannelOrder(tx, ctx, deps, orderId, co));
      return { orderId, result };
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !lostRace(error)) throw error;
      // Someone else wrote this order (or this customer) meanwhile: read what is there now.
      held = (await heldVersions(ctx, channelId, [co.externalId])).get(co.externalId) ?? null;
    }
  }
}

/** A concurrent ingester created the order or its customer first, or changed it under our claim. */
function lostRace(error: unknown): boolean {
  if (error instanceof UniqueConstraintViolationException) {
    const constraint = (error as { constraint?: string }).constraint ?? '';
    return (
      constraint === 'order_channel_id_external_id_key' || constraint === 'customer_email_idx' || constraint === ''
    );
  }
  return error instanceof DomainError && error.code === ErrorCode.CONFLICT;
}

/**
 * A connector's ChannelOrder, held to the domain's limits before anything is written: ids and
 * texts within their columns, amounts within the input limits, an email the hub can keep (one it
 * cannot is dropped rather than refusing a paid order).
 */
export function checkChannelOrder(field: string, co: ChannelOrder): ChannelOrder {
  const externalId = (co.externalId ?? '').trim();
  if (!externalId || externalId.length > 128) throw badInput(`${field}.externalId`, 'must be 1 to 128 characters');
  for (const key of ['updatedAt', 'placedAt'] as const) {
    if (!(co[key] instanceof Date) || Number.isNaN(co[key].getTime()))
      throw badInput(`${field}.${key}`, 'must be a time');
  }
  for (const key of ['shippingAmount', 'taxAmount', 'discountAmount', 'totalAmount', 'paidAmount'] as const)
    checkAmount(`${field}.${key}`, co[key], MAX_ORDER_TOTAL);
  co.refunds.forEach((r, i) => {
    checkAmount(`${field}.refunds[${i}].amount`, r.amount, MAX_ORDER_TOTAL);
    if (!r.externalRefundId?.trim()) throw badInput(`${field}.refunds[${i}].externalRefundId`, 'is required');
  });
  if (co.lines.length > MAX_ORDER_LINES)
    throw badInput(`${field}.lines`, `must hold at most ${MAX_ORDER_LINES} lines`, { max: MAX_ORDER_LINES });
  co.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY)
      throw badInput(`${field}.lines[${i}].quantity`, `must be a whole number from 1 to ${MAX_LINE_QUANTITY}`, {
        min: 1,
        max: MAX_LINE_QUANTITY,
      });
    checkAmount(`${field}.lines[${i}].unitPriceAmount`, l.unitPriceAmount, MAX_UNIT_PRICE);
  });
  let email: string | null = null;
  if (co.email) {
    try {
      email = emailAddress(`${field}.email`, co.email);
    } catch {
      email = null;
    }
  }
  return {
    ...co,
    externalId,
    externalName: co.externalName?.slice(0, 128) ?? null,
    email,
    customerName: co.customerName?.slice(0, 200) ?? null,
    buyerAccount: co.buyerAccount?.slice(0, 128) ?? null,
    phone: co.phone?.slice(0, 40) ?? null,
    note: co.note?.slice(0, 5000) ?? null,
    cancelReason: co.cancelReason?.slice(0, 200) ?? null,
  };
}
