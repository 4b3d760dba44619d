import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { checkAmount, MAX_UNIT_PRICE } from '../input-limits.js';
import { MAX_VARIANTS, validDescription, validVariant, type VariantInput } from './catalog.service.js';
import { Product } from './product.entity.js';
import { DIMENSION_FIELDS, dimensionMm } from './variant-dimensions.js';
import { Variant } from './variant.entity.js';

/**
 * Changes to one existing variant, found by SKU. Omitted (undefined) means unchanged; for the
 * optional columns (weight, dimensions, barcode) null clears the value. SKU and currency do not change:
 * they are what orders and channel listings refer to.
 */
export interface VariantPatch {
  sku: string;
  title?: string | null;
  priceAmount?: number | null;
  weightGrams?: number | null;
  lengthMm?: number | null;
  widthMm?: number | null;
  heightMm?: number | null;
  barcode?: string | null;
  requiresShipping?: boolean | null;
}

export interface UpdateProductInput {
  title?: string | null;
  /** null or blank clears the description. */
  description?: string | null;
  variants?: VariantPatch[] | null;
  addVariants?: VariantInput[] | null;
}

/**
 * Edits a product and its variants in one transaction. Prices on orders already placed do not
 * change: order lines keep the price they were placed at.
 */
export async function updateProduct(
  ctx: OperationContext,
  id: string,
  patch: UpdateProductInput,
): Promise<{ product: Product; variants: Variant[] }> {
  const patches = patch.variants ?? [];
  const additions = patch.addVariants ?? [];
  if (patches.length > MAX_VARIANTS)
    throw badInput('variants', `must hold at most ${MAX_VARIANTS} changes`, { max: MAX_VARIANTS });
  if (additions.length > MAX_VARIANTS)
    throw badInput('addVariants', `must hold at most ${MAX_VARIANTS} variants`, { max: MAX_VARIANTS });
  const title = patch.title === undefined || patch.title === null ? null : patch.title.trim();
  if (title !== null && (!title || title.length > 300)) throw badInput('title', 'must be 1 to 300 characters');
  const description = patch.description === undefined ? undefined : validDescription(patch.description);

  const em = ctx.em.fork();
  const addedSkus = new Set<string>();
  try {
    return await em.transactional(async (tx) => {
      const product = isUuid(id) ? await tx.findOne(Product, { id }) : null;
      if (!product) throw notFound('Product', id);
      const existing = await tx.find(Variant, { product }, { orderBy: [{ createdAt: 'asc' }, { sku: 'asc' }] });
      let changed = false;
      if (title !== null && title !== product.title) {
        product.title = title;
        changed = true;
      }
      if (description !== undefined) {
        if (description !== (product.description ?? null)) {
          product.description = description;
          changed = true;
        }
      }

      const bySku = new Map(existing.map((v) => [v.sku, v]));
      const patched = new Set<string>();
      patches.forEach((p, i) => {
        const sku = (p.sku ?? '').trim();
        const variant = bySku.get(sku);
        if (!variant)
          throw badInput(
            `variants[${i}].sku`,
            `${sku || '(empty)'} is not a SKU of this product; add new ones with addVariants`,
          );
        if (patched.has(sku)) throw badInput(`variants[${i}].sku`, `${sku} appears twice`);
        patched.add(sku);
        if (applyVariantPatch(variant, p, `variants[${i}]`)) changed = true;
      });

      if (existing.length + additions.length > MAX_VARIANTS) {
        throw badInput('addVariants', `a product holds at most ${MAX_VARIANTS} variants; it has ${existing.length}`, {
          max: MAX_VARIANTS,
        });
      }
      const added = additions.map((v, i) => {
        const valid = validVariant(v, i, product.title, 'addVariants');
        if (addedSkus.has(valid.sku) || bySku.has(valid.sku))
          throw badInput(`addVariants[${i}].sku`, `${valid.sku} appears twice`);
        addedSkus.add(valid.sku);
        return tx.create(Variant, { id: randomUUID(), product, ...valid });
      });
      if (added.length > 0) changed = true;
      if (changed) product.updatedAt = new Date();
      return { product, variants: [...existing, ...added] };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException && addedSkus.size > 0) {
      const taken = await ctx.em.fork().find(Variant, { sku: { $in: [...addedSkus] } });
      throw new DomainError(ErrorCode.CONFLICT, `SKU already exists: ${taken.map((t) => t.sku).join(', ')}`, {
        field: 'addVariants.sku',
        skus: taken.map((t) => t.sku),
      });
    }
    throw error;
  }
}

/** Applies one patch to a variant; true when anything changed. */
function applyVariantPatch(variant: Variant, p: VariantPatch, field: string): boolean {
  const snapshot = () =>
    JSON.stringify([
      variant.title,
      variant.priceAmount,
      variant.weightGrams,
      variant.lengthMm,
      variant.widthMm,
      variant.heightMm,
      variant.barcode,
      variant.requiresShipping,
    ]);
  const before = snapshot();
  if (p.title !== undefined && p.title !== null) {
    const title = p.title.trim();
    if (!title || title.length > 300) throw badInput(`${field}.title`, 'must be 1 to 300 characters');
    variant.title = title;
  }
  if (p.priceAmount !== undefined && p.priceAmount !== null) {
    variant.priceAmount = checkAmount(`${field}.priceAmount`, p.priceAmount, MAX_UNIT_PRICE);
  }
  if (p.weightGrams !== undefined) {
    if (p.weightGrams !== null && (!Number.isInteger(p.weightGrams) || p.weightGrams < 0))
      throw badInput(`${field}.weightGrams`, 'must be a whole, non-negative number');
    variant.weightGrams = p.weightGrams;
  }
  for (const side of DIMENSION_FIELDS) {
    if (p[side] !== undefined) variant[side] = dimensionMm(`${field}.${side}`, p[side]);
  }
  if (p.barcode !== undefined) {
    const barcode = p.barcode?.trim() || null;
    if (barcode && barcode.length > 64) throw badInput(`${field}.barcode`, 'must be at most 64 characters');
    variant.barcode = barcode;
  }
  if (p.requiresShipping !== undefined && p.requiresShipping !== null) variant.requiresShipping = p.requiresShipping;
  return before !== snapshot();
}
