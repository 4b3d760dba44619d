import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const ProductSchema = defineEntity({
  name: 'Product',
  tableName: 'product',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    title: p.string().length(300),
    description: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Product extends ProductSchema.class {}
ProductSchema.setClass(Product);
