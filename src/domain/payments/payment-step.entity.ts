import { defineEntity, p } from '@mikro-orm/core';
import { Order } from '../orders/order.entity.js';

export const PAYMENT_STEP_KINDS = ['authorize', 'capture', 'void', 'refund'] as const;
export type PaymentStepKind = (typeof PAYMENT_STEP_KINDS)[number];

/**
 * pending: decided and stored, the call not yet known to have an outcome (a job makes it, again
 * with the same key after a crash or a timeout). succeeded / failed: the gateway's answer is
 * applied. skipped: nothing was left to do when the job came (e.g. a void of an intent never
 * created).
 */
export const PAYMENT_STEP_STATUSES = ['pending', 'succeeded', 'failed', 'skipped'] as const;
export type PaymentStepStatus = (typeof PAYMENT_STEP_STATUSES)[number];

/**
 * One call the hub makes to the payment gateway, stored in the transaction that decided it —
 * before the call — under the idempotency key it sends (`order-<id>-capture-<n>`, see
 * payment-keys.ts). A job makes the call and stores the outcome; a retried job reuses the key, so
 * the gateway answers it from its idempotency store instead of moving money twice. `seq` orders
 * the steps of one order: they run one at a time, oldest first.
 */
export const PaymentStepSchema = defineEntity({
  name: 'PaymentStep',
  tableName: 'payment_step',
  properties: {
    key: p.string().length(255).primary(),
    order: () => p.manyToOne(Order),
    seq: p.integer(),
    kind: p.enum([...PAYMENT_STEP_KINDS]),
    /** Minor units: to authorise, capture or refund; for a void, 0 (it releases what is left). */
    amount: p.bigint('number'),
    /** A capture that releases the rest of the authorisation (the last shipment's). */
    final: p.boolean().default(false),
    reason: p.string().length(500).nullable(),
    /** The shipment a capture is for, the return a refund is for. */
    shipmentId: p.uuid().nullable(),
    returnId: p.uuid().nullable(),
    /** The payment method an authorisation confirms with (`pm_…`); null: the storefront confirms it. */
    paymentMethod: p.string().length(255).nullable(),
    status: p.enum([...PAYMENT_STEP_STATUSES]).default('pending'),
    attempts: p.integer().default(0),
    lastError: p.string().length(1000).nullable(),
    /** What the gateway answered, reduced to what the hub reads back (intent status, refund id). */
    result: p.json<Record<string, unknown>>().nullable(),
    requestedAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
  },
});
export class PaymentStep extends PaymentStepSchema.class {}
PaymentStepSchema.setClass(PaymentStep);
