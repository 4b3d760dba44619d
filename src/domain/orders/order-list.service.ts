import type { EntityData, FilterQuery } from '@mikro-orm/core';
import type { QBFilterQuery, SqlEntityManager } from '@mikro-orm/sql';
import type { OperationContext } from '../context.js';
import { badInput } from '../errors.js';
import { isUuid } from '../ids.js';
import { validatePageRequest, type Page } from '../pagination.js';
import { containsPattern } from '../text-search.js';
import { orderRecordsOf, type OrderRecord } from './order-record.js';
import { channelFilterFor } from '../channels/channel-scope.js';
import { decodeOrderCursor, encodeOrderCursor, ORDER_SORT_SPECS, ORDER_SORTS, type OrderSort } from './order-sort.js';
import { ORDER_STATUSES, type OrderStatus } from './order-status.js';
import { Order } from './order.entity.js';

/** Filters for listing orders; every one is optional and they combine with AND. */
export interface OrderFilter {
  statuses?: readonly string[] | null;
  channelId?: string | null;
  customerId?: string | null;
  /** Inclusive lower and exclusive upper bounds. */
  createdFrom?: Date | null;
  createdTo?: Date | null;
  updatedFrom?: Date | null;
  updatedTo?: Date | null;
  /** Case-insensitive "contains" over number, external id, email and customer name. */
  search?: string | null;
}

export interface ListOrdersArgs {
  filter?: OrderFilter | null;
  first?: number | null;
  after?: string | null;
  orderBy?: string | null;
}

/**
 * Orders matching a filter, one keyset page at a time, with the total over all pages when asked
 * for (counting every match is most of the cost of a page on a large table). A channel-scoped
 * key always gets its own channel only. The page is read as plain records, not entities: the
 * same query `em.find` would run, without hydrating a page of entities into the identity map.
 */
export async function listOrders(
  ctx: OperationContext,
  args: ListOrdersArgs,
  options: { withTotal: boolean } = { withTotal: true },
): Promise<Page<OrderRecord>> {
  const page = validatePageRequest(args.first, args.after);
  const sort = (args.orderBy ?? 'CREATED_AT_DESC') as OrderSort;
  if (!ORDER_SORTS.includes(sort))
    throw badInput('orderBy', `must be one of ${ORDER_SORTS.join(', ')}`, { allowed: ORDER_SORTS });
  const where = orderFilterQuery(ctx, args.filter ?? {});
  const { field, direction } = ORDER_SORT_SPECS[sort];
  const conditions: FilterQuery<Order>[] = [where];
  if (page.after) {
    const at = decodeOrderCursor(sort, page.after);
    const beyond = direction === 'desc' ? '$lt' : '$gt';
    conditions.push({
      $or: [{ [field]: { [beyond]: at.value } }, { [field]: at.value, id: { [beyond]: at.id } }],
    } as FilterQuery<Order>);
  }
  const [rows, totalCount] = await Promise.all([
    (ctx.em as SqlEntityManager)
      .createQueryBuilder(Order, 'o')
      .select('*')
      .where({ $and: conditions } as QBFilterQuery<Order>)
      .orderBy([{ [field]: direction }, { id: direction }])
      .limit(page.first + 1)
      .execute<EntityData<Order>[]>('all', true),
    options.withTotal ? ctx.em.count(Order, where) : Promise.resolve(-1),
  ]);
  const items = orderRecordsOf(ctx.em, rows.slice(0, page.first));
  return {
    items,
    hasNextPage: rows.length > page.first,
    totalCount,
    cursors: items.map((o) => encodeOrderCursor(sort, o)),
  };
}

/** The validated filter as a query (channel scope applied); throws BAD_USER_INPUT naming the field. */
export function orderFilterQuery(ctx: OperationContext, filter: OrderFilter): FilterQuery<Order> {
  const and: FilterQuery<Order>[] = [];
  const channelId = channelFilterFor(ctx.actor, filter.channelId);
  if (channelId !== null) and.push({ channel: channelId });
  if (filter.statuses && filter.statuses.length > 0) {
    const bad = filter.statuses.find((s) => !(ORDER_STATUSES as readonly string[]).includes(s));
    if (bad !== undefined) throw badInput('filter.statuses', `unknown status ${bad}`, { allowed: ORDER_STATUSES });
    and.push({ status: { $in: [...new Set(filter.statuses)] as OrderStatus[] } });
  }
  if (filter.customerId) {
    if (!isUuid(filter.customerId)) throw badInput('filter.customerId', 'is not a customer id');
    and.push({ customer: filter.customerId });
  }
  const range = (name: 'created' | 'updated', from: Date | null | undefined, to: Date | null | undefined) => {
    if (from && to && from.getTime() > to.getTime())
      throw badInput(`filter.${name}To`, `must not be before ${name}From`);
    const property = name === 'created' ? 'createdAt' : 'updatedAt';
    if (from) and.push({ [property]: { $gte: from } });
    if (to) and.push({ [property]: { $lt: to } });
  };
  range('created', filter.createdFrom, filter.createdTo);
  range('updated', filter.updatedFrom, filter.updatedTo);
  const pattern = containsPattern('filter.search', filter.search);
  if (pattern !== null) {
    and.push({
      $or: [
        { number: { $ilike: pattern } },
        { externalId: { $ilike: pattern } },
        { email: { $ilike: pattern } },
        { customer: { name: { $ilike: pattern } } },
      ],
    });
  }
  return and.length === 0 ? {} : { $and: and };
}
