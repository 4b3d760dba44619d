import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { CardPaymentView } from '../../domain/payments/card-payment-view.js';
import {
  ledgerOfEvents,
  PAYMENT_STATUSES,
  paymentStatusOf,
  type PaymentEventRecord,
  type PaymentStatus,
} from '../../domain/orders/lifecycle/order-payment.js';
import { Money, moneyOf } from '../common/money.type.js';
import { enumOf } from '../common/enum-of.js';

/** The GraphQL enum PaymentStatus: the domain's statuses (order-payment.ts), same names. */
export const PaymentStatusEnum = enumOf(PAYMENT_STATUSES);
registerEnumType(PaymentStatusEnum, {
  name: 'PaymentStatus',
  description:
    'Where an order’s payment stands: for `manual` payments derived from the amounts authorised, voided and refunded on the timeline; for card payments from the gateway’s intent and amounts.',
  valuesConfig: {
    NONE: { description: 'Never authorised, e.g. an order held at placement.' },
    AUTHORIZED: { description: 'Authorised; nothing captured, voided or refunded yet.' },
    PARTIALLY_VOIDED: { description: 'Part of the authorisation voided (e.g. a line cancelled); nothing refunded.' },
    VOIDED: { description: 'The whole authorisation voided (e.g. the order cancelled); nothing refunded.' },
    PARTIALLY_REFUNDED: {
      description: 'Something refunded (e.g. a return), part of the payment still open. Outranks a void.',
    },
    REFUNDED: { description: 'Something refunded and nothing left open. Outranks a void.' },
    PENDING: { description: 'Card: the payment is being set up with the gateway (the payments job is on it).' },
    REQUIRES_PAYMENT_METHOD: {
      description: 'Card: waiting for the storefront to confirm a payment method with `clientSecret`.',
    },
    REQUIRES_ACTION: {
      description: 'Card: the customer must authenticate (3-D Secure); `nextAction` and `clientSecret` say how.',
    },
    PROCESSING: { description: 'Card: the gateway is processing the payment.' },
    DECLINED: {
      description:
        'Card: the last attempt was declined (`failureReason`); the storefront may confirm another method with `clientSecret`.',
    },
    FAILED: { description: 'Card: the payment could not be set up (`failureReason`).' },
    PARTIALLY_CAPTURED: { description: 'Card: part captured (shipments left), more may be captured.' },
    CAPTURED: { description: 'Card: captured; the rest of the authorisation, if any, released.' },
  },
});

@ObjectType('PaymentSummary', {
  description:
    'The order’s payment, amounts in the order currency: open = authorized − voided − refunded (never below 0). Card payments read the gateway’s figures (the `payment` table); `manual` ones the timeline.',
})
export class PaymentSummaryNode {
  @Field(() => String, {
    nullable: true,
    description: 'The payment provider, e.g. manual or stripe; null when never authorised.',
  })
  provider!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The provider’s reference of the latest authorisation (Stripe: the PaymentIntent id); null when there is none yet.',
  })
  reference!: string | null;

  @Field(() => PaymentStatusEnum)
  status!: PaymentStatus;

  @Field(() => Money, {
    description: 'Every authorisation: at placement or hold release, and after edits raised the total.',
  })
  authorized!: Money;

  @Field(() => Money, {
    description: 'Captured from the card (at shipment, or before the authorisation lapses); 0 for manual payments.',
  })
  captured!: Money;

  @Field(() => Money, {
    description:
      'Given back by voiding (releasing) the authorisation: cancellations, edits, the rest after a final capture.',
  })
  voided!: Money;

  @Field(() => Money, { description: 'Given back by refund (returns; cancellations after capture; channel orders).' })
  refunded!: Money;

  @Field(() => Money, { description: 'What the payment still holds: what may still be collected or given back.' })
  open!: Money;

  @Field(() => String, {
    nullable: true,
    description: 'Card, REQUIRES_ACTION: what the customer must do (`use_stripe_sdk`, `redirect_to_url`, …).',
  })
  nextAction!: string | null;

  @Field(() => GraphQLDateTimeISO, {
    nullable: true,
    description: 'Card: when the authorisation lapses unless captured (the hub captures or voids before).',
  })
  captureBefore!: Date | null;

  @Field(() => String, { nullable: true, description: 'Card: the last decline or failure, as the gateway worded it.' })
  failureReason!: string | null;

  /** The intent, and whether the customer still has something to do: what `clientSecret` reads. */
  cardIntent!: { id: string; needsCustomer: boolean } | null;
}

/** From the order's timeline (oldest first), as an `OrderEvent` list or plain records of one. */
export function paymentSummaryOf(events: Iterable<PaymentEventRecord>, currency: string): PaymentSummaryNode {
  const ledger = ledgerOfEvents(events);
  return {
    provider: ledger.provider,
    reference: ledger.reference,
    status: paymentStatusOf(ledger),
    authorized: moneyOf(ledger.authorized, currency),
    captured: moneyOf(0, currency),
    voided: moneyOf(ledger.voided, currency),
    refunded: moneyOf(ledger.refunded, currency),
    open: moneyOf(ledger.open, currency),
    nextAction: null,
    captureBefore: null,
    failureReason: null,
    cardIntent: null,
  };
}

/** From the order's card payment (its `payment` row). */
export function cardPaymentSummaryOf(view: CardPaymentView, currency: string): PaymentSummaryNode {
  return {
    provider: view.provider,
    reference: view.intentId,
    status: view.status,
    authorized: moneyOf(view.authorized, currency),
    captured: moneyOf(view.captured, currency),
    voided: moneyOf(view.voided, currency),
    refunded: moneyOf(view.refunded, currency),
    open: moneyOf(view.open, currency),
    nextAction: view.nextAction,
    captureBefore: view.captureBefore,
    failureReason: view.failureReason,
    cardIntent: view.intentId ? { id: view.intentId, needsCustomer: view.needsCustomer } : null,
  };
}
