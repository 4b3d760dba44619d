import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { currencyCode } from '../input-formats.js';
import { checkAmount, MAX_DESCRIPTION_LENGTH, MAX_UNIT_PRICE } from '../input-limits.js';
import { Product } from './product.entity.js';
import { dimensionMm } from './variant-dimensions.js';
import { Variant } from './variant.entity.js';

export interface VariantInput {
  sku: string;
  title?: string | null;
  priceAmount: number;
  currency: string;
  weightGrams?: number | null;
  /** Packed size in millimetres; all three or none are useful for parcels. */
  lengthMm?: number | null;
  widthMm?: number | null;
  heightMm?: number | null;
  barcode?: string | null;
  requiresShipping?: boolean | null;
}

export interface CreateProductInput {
  title: string;
  description?: string | null;
  variants: VariantInput[];
}

const SKU = /^[A-Za-z0-9._\-/]{1,100}$/;
export const MAX_VARIANTS = 250;

/** A product description: trimmed, blank means none, at most MAX_DESCRIPTION_LENGTH characters. */
export function validDescription(value: string | null | undefined): string | null {
  const description = value?.trim() || null;
  if (description && description.length > MAX_DESCRIPTION_LENGTH)
    throw badInput('description', `must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${description.length}`, {
      max: MAX_DESCRIPTION_LENGTH,
    });
  return description;
}

/** Checks one new variant; `list` names the input list in errors (`variants[2].sku`). */
export function validVariant(v: VariantInput, i: number, productTitle: string, list = 'variants') {
  const field = `${list}[${i}]`;
  const sku = (v.sku ?? '').trim();
  if (!SKU.test(sku)) throw badInput(`${field}.sku`, 'must be 1 to 100 letters, digits or . _ - /');
  const priceAmount = checkAmount(`${field}.priceAmount`, v.priceAmount, MAX_UNIT_PRICE);
  const currency = currencyCode(`${field}.currency`, v.currency);
  if (v.weightGrams != null && (!Number.isInteger(v.weightGrams) || v.weightGrams < 0))
    throw badInput(`${field}.weightGrams`, 'must be a whole, non-negative number');
  const title = (v.title ?? '').trim() || productTitle;
  if (title.length > 300) throw badInput(`${field}.title`, 'must be at most 300 characters');
  const barcode = v.barcode?.trim() || null;
  if (barcode && barcode.length > 64) throw badInput(`${field}.barcode`, 'must be at most 64 characters');
  return {
    sku,
    title,
    priceAmount,
    currency,
    weightGrams: v.weightGrams ?? null,
    lengthMm: dimensionMm(`${field}.lengthMm`, v.lengthMm),
    widthMm: dimensionMm(`${field}.widthMm`, v.widthMm),
    heightMm: dimensionMm(`${field}.heightMm`, v.heightMm),
    barcode,
    requiresShipping: v.requiresShipping ?? true,
  };
}

export async function createProduct(
  ctx: OperationContext,
  input: CreateProductInput,
): Promise<{ product: Product; variants: Variant[] }> {
  const title = (input.title ?? '').trim();
  if (!title || title.length > 300) throw badInput('title', 'must be 1 to 300 characters');
  if (!Array.isArray(input.variants) || input.variants.length === 0)
    throw badInput('variants', 'must hold at least one variant (SKU)');
  if (input.variants.length > MAX_VARIANTS) throw badInput('variants', `must hold at most ${MAX_VARIANTS} variants`);
  const description = validDescription(input.description);
  const valid = input.variants.map((v, i) => validVariant(v, i, title));
  const skus = new Set<string>();
  valid.forEach((v, i) => {
    if (skus.has(v.sku)) throw badInput(`variants[${i}].sku`, `${v.sku} appears twice`);
    skus.add(v.sku);
  });
  const em = ctx.em.fork();
  try {
    return await em.transactional(async (tx) => {
      const product = tx.create(Product, { id: randomUUID(), title, description });
      const variants = valid.map((v) => tx.create(Variant, { id: randomUUID(), product, ...v }));
      return { product, variants };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      const taken = await em.find(Variant, { sku: { $in: [...skus] } });
      throw new DomainError(ErrorCode.CONFLICT, `SKU already exists: ${taken.map((t) => t.sku).join(', ')}`, {
        field: 'variants.sku',
        skus: taken.map((t) => t.sku),
      });
    }
    throw error;
  }
}

export async function variantBySku(ctx: OperationContext, sku: string): Promise<Variant> {
  const variant = await ctx.em.findOne(Variant, { sku: sku.trim() });
  if (!variant) throw notFound('Variant', sku);
  return variant;
}

export async function productById(ctx: OperationContext, id: string): Promise<Product> {
  const product = isUuid(id) ? await ctx.em.findOne(Product, { id }) : null;
  if (!product) throw notFound('Product', id);
  return product;
}
