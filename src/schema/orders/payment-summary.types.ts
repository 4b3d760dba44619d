import { Field, ObjectType, registerEnumType } from 'type-graphql';
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
  description: 'Where an order’s payment stands, derived from the amounts authorised, voided and refunded.',
  valuesConfig: {
    NONE: { description: 'Never authorised, e.g. an order held at placement.' },
    AUTHORIZED: { description: 'Authorised; nothing voided or refunded yet.' },
    PARTIALLY_VOIDED: { description: 'Part of the authorisation voided (e.g. a line cancelled); nothing refunded.' },
    VOIDED: { description: 'The whole authorisation voided (e.g. the order cancelled); nothing refunded.' },
    PARTIALLY_REFUNDED: {
      description: 'Something refunded (e.g. a return), part of the payment still open. Outranks a void.',
    },
    REFUNDED: { description: 'Something refunded and nothing left open. Outranks a void.' },
  },
});

@ObjectType('PaymentSummary', {
  description:
    'The order’s payment as its timeline records it, amounts in the order currency: open = authorized − voided − refunded (never below 0).',
})
export class PaymentSummaryNode {
  @Field(() => String, {
    nullable: true,
    description: 'The payment provider, e.g. manual; null when never authorised.',
  })
  provider!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The provider’s reference of the latest authorisation; null when never authorised.',
  })
  reference!: string | null;

  @Field(() => PaymentStatusEnum)
  status!: PaymentStatus;

  @Field(() => Money, {
    description: 'Every authorisation: at placement or hold release, and after edits raised the total.',
  })
  authorized!: Money;

  @Field(() => Money, { description: 'Given back by voiding the authorisation (cancellations, edits).' })
  voided!: Money;

  @Field(() => Money, { description: 'Given back by refund (returns; cancellations of channel orders).' })
  refunded!: Money;

  @Field(() => Money, { description: 'What the payment still holds: what may still be collected or given back.' })
  open!: Money;
}

/** From the order's timeline (oldest first), as an `OrderEvent` list or plain records of one. */
export function paymentSummaryOf(events: Iterable<PaymentEventRecord>, currency: string): PaymentSummaryNode {
  const ledger = ledgerOfEvents(events);
  return {
    provider: ledger.provider,
    reference: ledger.reference,
    status: paymentStatusOf(ledger),
    authorized: moneyOf(ledger.authorized, currency),
    voided: moneyOf(ledger.voided, currency),
    refunded: moneyOf(ledger.refunded, currency),
    open: moneyOf(ledger.open, currency),
  };
}
