import { GraphQLSafeInt } from 'graphql-scalars';
import { ArgsType, Field, InputType, Int, registerEnumType } from 'type-graphql';
import type { OrderStatus } from '../../domain/orders/order-status.js';
import { ORDER_SORTS, type OrderSort } from '../../domain/orders/order-sort.js';
import type { OrderSource } from '../../domain/orders/order.entity.js';
import { MAX_EMAIL_LENGTH } from '../../domain/input-formats.js';
import { MAX_LINE_QUANTITY, MAX_ORDER_TOTAL } from '../../domain/input-limits.js';
import { MAX_ORDER_LINES } from '../../domain/orders/place-order.input.js';
import { AddressInput } from '../common/address.type.js';
import { OrderSourceEnum, OrderStatusEnum } from './order.types.js';
import { enumOf } from '../common/enum-of.js';

export const OrderSortEnum = enumOf(ORDER_SORTS);
registerEnumType(OrderSortEnum, {
  name: 'OrderSort',
  description:
    'Order of an orders page; ties are broken by id. TOTAL_DESC compares minor units, whatever the currency.',
});

@InputType({
  description: 'Filters that combine with AND; all optional. A channel-scoped key only ever sees its own channel.',
})
export class OrdersFilter {
  @Field(() => [OrderStatusEnum], { nullable: true, description: 'Any of these statuses.' })
  statuses?: OrderStatus[] | null;

  @Field(() => String, { nullable: true })
  channelId?: string | null;

  @Field(() => String, { nullable: true })
  customerId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after (inclusive).' })
  createdFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before (exclusive).' })
  createdTo?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Updated at or after (inclusive).' })
  updatedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Updated before (exclusive).' })
  updatedTo?: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case-insensitive "contains" over number, external id, email and customer name; at most 200 characters.',
  })
  search?: string | null;
}

@ArgsType()
export class OrdersArgs {
  @Field(() => OrdersFilter, { nullable: true })
  filter?: OrdersFilter | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (required).' })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'pageInfo.endCursor of the previous page, read with the same orderBy.',
  })
  after?: string | null;

  @Field(() => OrderSortEnum, { defaultValue: 'CREATED_AT_DESC' })
  orderBy!: OrderSort;
}

@InputType()
export class OrderCustomerInput {
  @Field(() => String, {
    nullable: true,
    description: `Orders with the same email share one customer. A valid address of at most ${MAX_EMAIL_LENGTH} characters; null when there is none (blank is refused).`,
  })
  email?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}

@InputType()
export class OrderLineInput {
  @Field()
  sku!: string;

  @Field(() => Int, { description: `1 to ${MAX_LINE_QUANTITY}.` })
  quantity!: number;
}

@InputType({ description: 'An order to place. Prices come from the catalog; amounts are integer minor units.' })
export class PlaceOrderInput {
  @Field(() => String, {
    nullable: true,
    description:
      'Send one per order and repeat it on retries: the same key always returns the same order. 1 to 128 of A-Z a-z 0-9 . _ : - (blank is refused; omit it or send null instead).',
  })
  idempotencyKey?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Default (when omitted or null): the key’s channel, else "direct". Blank is refused.',
  })
  channelId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The order id on its channel; required for channels other than direct.',
  })
  externalId?: string | null;

  @Field(() => OrderSourceEnum, { nullable: true, description: 'Default WEB.' })
  source?: OrderSource | null;

  @Field({ description: 'An ISO 4217 currency code; every line’s price must be in this currency.' })
  currency!: string;

  @Field(() => OrderCustomerInput, { nullable: true })
  customer?: OrderCustomerInput | null;

  @Field(() => AddressInput, { nullable: true, description: 'Required when any line must be shipped.' })
  shippingAddress?: AddressInput | null;

  @Field(() => AddressInput, {
    nullable: true,
    description:
      'Optional. When it differs from the shipping address the order may go ON_HOLD for review (ORDER_HOLD_ON_ADDRESS_MISMATCH).',
  })
  billingAddress?: AddressInput | null;

  @Field(() => [OrderLineInput], {
    description: `1 to ${MAX_ORDER_LINES} lines, each SKU once. The order's subtotal and total may be at most ${MAX_ORDER_TOTAL} minor units.`,
  })
  lines!: OrderLineInput[];

  @Field(() => GraphQLSafeInt, { nullable: true, description: `Minor units, 0 to ${MAX_ORDER_TOTAL}; default 0.` })
  shippingAmount?: number | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: `Minor units, 0 to ${MAX_ORDER_TOTAL}; default 0.` })
  taxAmount?: number | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: `Minor units, 0 to ${MAX_ORDER_TOTAL}; default 0.` })
  discountAmount?: number | null;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: 'The total the client computed; the order is refused (BAD_USER_INPUT) when the server’s differs.',
  })
  expectedTotalAmount?: number | null;

  @Field(() => String, { nullable: true })
  purchaseOrderNumber?: string | null;

  @Field(() => String, { nullable: true })
  paymentTerms?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Direct orders, when the hub takes card payments (Stripe): a payment method id such as pm_card_visa, authorised (not captured) after the order commits; captured as it ships. Omitted: the order waits in CONFIRMED until the storefront confirms the payment with `payment.clientSecret`. Refused (BAD_USER_INPUT) where no card payment is taken.',
  })
  paymentMethod?: string | null;
}
