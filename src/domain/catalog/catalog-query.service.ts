import type { FilterQuery } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { newestFirstPage } from '../newest-first-page.js';
import type { Page } from '../pagination.js';
import { containsPattern } from '../text-search.js';
import { Product } from './product.entity.js';
import { Variant } from './variant.entity.js';

/** Products, newest first, optionally searched by title (case-insensitive "contains"). */
export async function listProducts(
  ctx: OperationContext,
  args: { search?: string | null; first?: number | null; after?: string | null },
): Promise<Page<Product>> {
  const pattern = containsPattern('search', args.search);
  const where: FilterQuery<Product> = pattern === null ? {} : { title: { $ilike: pattern } };
  return newestFirstPage(ctx.em, Product, where, args);
}

/** Variants of many products in one query, oldest first, for batching. */
export async function variantsOfProducts(
  ctx: OperationContext,
  productIds: readonly string[],
): Promise<Map<string, Variant[]>> {
  const variants = await ctx.em.find(
    Variant,
    { product: { $in: [...productIds] } },
    { orderBy: [{ createdAt: 'asc' }, { sku: 'asc' }] },
  );
  const out = new Map<string, Variant[]>(productIds.map((id) => [id, []]));
  for (const v of variants) out.get(v.product.id)?.push(v);
  return out;
}

/** Products by id in one query, for batching. */
export async function productsByIds(ctx: OperationContext, ids: readonly string[]): Promise<Map<string, Product>> {
  const products = await ctx.em.find(Product, { id: { $in: [...ids] } });
  return new Map(products.map((p) => [p.id, p]));
}
