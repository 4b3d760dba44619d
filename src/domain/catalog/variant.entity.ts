import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Product } from './product.entity.js';

/** A sellable SKU. Its price is integer minor units in one ISO 4217 currency. */
export const VariantSchema = defineEntity({
  name: 'Variant',
  tableName: 'variant',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    product: () => p.manyToOne(Product),
    sku: p.string().length(100).unique(),
    title: p.string().length(300),
    priceAmount: p.bigint('number'),
    currency: p.string().length(3),
    weightGrams: p.integer().nullable(),
    /** Packed size in millimetres (variant-dimensions.ts). */
    lengthMm: p.integer().nullable(),
    widthMm: p.integer().nullable(),
    heightMm: p.integer().nullable(),
    barcode: p.string().length(64).nullable(),
    requiresShipping: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Variant extends VariantSchema.class {}
VariantSchema.setClass(Variant);
