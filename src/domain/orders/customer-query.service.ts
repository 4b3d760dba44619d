import { raw, type FilterQuery } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { newestFirstPage } from '../newest-first-page.js';
import type { Page } from '../pagination.js';
import { containsPattern } from '../text-search.js';
import { Customer } from './customer.entity.js';
import { scopedChannelId } from '../channels/channel-scope.js';

/**
 * A channel-scoped key sees only customers who ordered on its channel; anyone else is
 * NOT_FOUND, as if they did not exist.
 */
function scopeCondition(ctx: OperationContext): FilterQuery<Customer> {
  const channelId = scopedChannelId(ctx.actor);
  if (channelId === null) return {};
  return {
    [raw(
      (alias) => `exists (select 1 from "order" o where o.customer_id = ${alias}.id and o.channel_id = ?)`,
      [channelId],
    )]: true,
  } as FilterQuery<Customer>;
}

export async function customerById(ctx: OperationContext, id: string): Promise<Customer> {
  const customer = isUuid(id) ? await ctx.em.findOne(Customer, { $and: [{ id }, scopeCondition(ctx)] }) : null;
  if (!customer) throw notFound('Customer', id);
  return customer;
}

/** Customers, newest first, optionally searched by email or name (case-insensitive "contains"). */
export async function listCustomers(
  ctx: OperationContext,
  args: { search?: string | null; first?: number | null; after?: string | null },
): Promise<Page<Customer>> {
  const pattern = containsPattern('search', args.search);
  const where: FilterQuery<Customer> = {
    $and: [
      scopeCondition(ctx),
      pattern === null ? {} : { $or: [{ email: { $ilike: pattern } }, { name: { $ilike: pattern } }] },
    ],
  };
  return newestFirstPage(ctx.em, Customer, where, args);
}

/** Customers by id in one query, for batching; ids come from orders the caller can see. */
export async function customersByIds(ctx: OperationContext, ids: readonly string[]): Promise<Map<string, Customer>> {
  const customers = await ctx.em.find(Customer, { id: { $in: [...ids] } });
  return new Map(customers.map((c) => [c.id, c]));
}
