import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { PostalAddress } from '../address.js';
import { Channel } from '../channels/channel.entity.js';
import { Customer } from './customer.entity.js';
import { ORDER_STATUSES } from './order-status.js';

export const ORDER_SOURCES = ['web', 'phone', 'in_store', 'b2b', 'marketplace'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

/**
 * An order from any channel; `(channel, externalId)` is unique, so one external order seen twice
 * is one order. Money is integer minor units in `currency`; the database checks
 * total = subtotal + shipping + tax − discount. `version` serialises concurrent edits.
 */
/**
 * The version an order allocated at placement leaves placement with. The general path stores it
 * twice (inserted at version 1 with its lines, then moved on and flushed once more, in
 * place-order.service.ts); the one-statement path writes the row once and takes this number, so
 * the two agree. The generated equality test (orders-place-fast-path.test.ts) compares versions.
 */
export const VERSION_AFTER_PLACEMENT = 2;

export const OrderSchema = defineEntity({
  name: 'Order',
  tableName: 'order',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    number: p.string().length(64),
    channel: () => p.manyToOne(Channel),
    externalId: p.string().length(128),
    /** Channel orders: the platform's updatedAt of the version held (ingest-channel-orders.ts); null for direct orders. */
    externalUpdatedAt: p.datetime().nullable(),
    /** Channel orders: the platform's own name for the order ("#1001"). */
    externalName: p.string().length(128).nullable(),
    /** Marketplace orders: the platform account that placed it (eBay username), for account deletion. Personal data. */
    channelBuyer: p.string().length(128).nullable(),
    /** The buyer's note as the channel last sent it. */
    note: p.string().length(5000).nullable(),
    status: p.enum([...ORDER_STATUSES]),
    source: p.enum([...ORDER_SOURCES]),
    purchaseOrderNumber: p.string().length(64).nullable(),
    paymentTerms: p.string().length(32).nullable(),
    customer: () => p.manyToOne(Customer).nullable(),
    email: p.string().length(320).nullable(),
    shippingAddress: p.json<PostalAddress>().nullable(),
    /** Optional; hold rules compare it with the shipping address (ORDER_HOLD_ON_ADDRESS_MISMATCH). */
    billingAddress: p.json<PostalAddress>().nullable(),
    currency: p.string().length(3),
    subtotalAmount: p.bigint('number'),
    shippingAmount: p.bigint('number').default(0),
    taxAmount: p.bigint('number').default(0),
    discountAmount: p.bigint('number').default(0),
    totalAmount: p.bigint('number'),
    holdReason: p.string().length(500).nullable(),
    /** While ON_HOLD: the status it was held from, where releasing the hold returns it (src/domain/orders/order-hold.ts). */
    heldFromStatus: p.enum([...ORDER_STATUSES]).nullable(),
    idempotencyKey: p.string().length(128).nullable(),
    /** SHA-256 of the validated input first sent with the key: a different order under it is a CONFLICT. */
    idempotencyFingerprint: p.string().length(64).nullable(),
    version: p.integer().version(),
    placedAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Order extends OrderSchema.class {}
OrderSchema.setClass(Order);
