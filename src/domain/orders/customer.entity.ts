import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { PostalAddress } from '../address.js';

/** A buyer. PII: exportable and erasable (erasure blanks the fields and sets erasedAt). */
export const CustomerSchema = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    email: p.string().length(320).nullable(),
    name: p.string().length(200).nullable(),
    phone: p.string().length(40).nullable(),
    addresses: p.json<PostalAddress[]>().default([]),
    createdAt: p.datetime().onCreate(() => new Date()),
    erasedAt: p.datetime().nullable(),
  },
});
export class Customer extends CustomerSchema.class {}
CustomerSchema.setClass(Customer);
