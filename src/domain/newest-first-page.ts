import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import { badInput } from './errors.js';
import { isUuid } from './ids.js';
import { decodeCursor, encodeCursor, validatePageRequest, type Page } from './pagination.js';

/**
 * One page of rows newest first, keyset-paged over (createdAt, id): stable under inserts,
 * index-friendly, and the total counted over the same filter. Shared by every "newest first"
 * connection (API keys, products, customers).
 */
export async function newestFirstPage<T extends { id: string; createdAt: Date }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: { first?: number | null; after?: string | null },
): Promise<Page<T>> {
  const page = validatePageRequest(args.first, args.after);
  const keyset = page.after ? decodeCursor(page.after) : null;
  // A cursor from another connection (stock movements number their rows) must not reach SQL as an id.
  if (keyset && !isUuid(keyset.id))
    throw badInput('after', 'is not a cursor this API returned (use pageInfo.endCursor)');
  const pageWhere = (
    keyset
      ? {
          $and: [
            where,
            {
              $or: [{ createdAt: { $lt: keyset.createdAt } }, { createdAt: keyset.createdAt, id: { $lt: keyset.id } }],
            },
          ],
        }
      : where
  ) as FilterQuery<T>;
  const [rows, totalCount] = await Promise.all([
    em.find(entity, pageWhere, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] as never, limit: page.first + 1 }),
    em.count(entity, where),
  ]);
  const items = rows.slice(0, page.first) as T[];
  return {
    items,
    hasNextPage: rows.length > page.first,
    totalCount,
    cursors: items.map((r) => encodeCursor({ createdAt: r.createdAt, id: r.id })),
  };
}
