import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Order } from '../orders/order.entity.js';
import type { GatewayIntentStatus } from './payment-gateway.js';

/**
 * An order's card payment through a gateway (Stripe): the intent, the amounts the gateway
 * reported and where the intent stands. One per order paid that way; orders paid `manual`ly or on
 * their channel have none and keep their payment on the timeline (lifecycle/order-payment.ts).
 * Amounts are integer minor units of `currency` (the order's, upper case). Written only by the
 * payment code (payment-store.ts, apply-intent.ts); the lease columns are SQL-only.
 */
export const PaymentSchema = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    order: () => p.manyToOne(Order),
    /** The gateway's id (`stripe`). */
    provider: p.string().length(32),
    /** The gateway's intent (`pi_…`); null until the authorise step created it. */
    intentId: p.string().length(255).nullable(),
    currency: p.string().length(3),
    /** What the intent asks for: the order's total at placement, the most that may ever be captured. */
    amount: p.bigint('number'),
    /** Held on the card once the gateway authorised it. */
    authorizedAmount: p.bigint('number').default(0),
    capturedAmount: p.bigint('number').default(0),
    /** Authorised and released without being captured (a void, the rest after a final capture). */
    voidedAmount: p.bigint('number').default(0),
    refundedAmount: p.bigint('number').default(0),
    /** The intent's status as last read from the gateway; null before the intent exists. */
    intentStatus: p.string().length(32).nullable().$type<GatewayIntentStatus | null>(),
    /** What the customer must do when the status is `requires_action` (`use_stripe_sdk`, …). */
    nextAction: p.string().length(64).nullable(),
    /** When the authorisation lapses unless captured. */
    captureBefore: p.datetime().nullable(),
    cancellationReason: p.string().length(64).nullable(),
    /** The last decline or failure: the gateway's code, decline code and message. */
    errorCode: p.string().length(64).nullable(),
    declineCode: p.string().length(64).nullable(),
    lastError: p.string().length(1000).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Payment extends PaymentSchema.class {}
PaymentSchema.setClass(Payment);
