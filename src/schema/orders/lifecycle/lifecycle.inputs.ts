import { Field, ID, InputType, Int } from 'type-graphql';
import { AddressInput } from '../../common/address.type.js';

@InputType({ description: 'Units of one line of the order.' })
export class OrderLineQuantityInput {
  @Field(() => ID)
  lineId!: string;

  @Field(() => Int)
  quantity!: number;
}

@InputType()
export class AddOrderLineInput {
  @Field()
  sku!: string;

  @Field(() => Int, { description: '1 to 100000.' })
  quantity!: number;
}

@InputType({ description: 'What to change; everything optional, at least one change. At most 250 entries per list.' })
export class EditOrderInput {
  @Field(() => [OrderLineQuantityInput], {
    nullable: true,
    description: 'New quantity of existing lines: the units wanted, not counting units already cancelled.',
  })
  lines?: OrderLineQuantityInput[] | null;

  @Field(() => [AddOrderLineInput], { nullable: true })
  addLines?: AddOrderLineInput[] | null;

  @Field(() => [ID], { nullable: true, description: 'Lines to drop: their open units become cancelled.' })
  removeLineIds?: string[] | null;

  @Field(() => AddressInput, { nullable: true })
  shippingAddress?: AddressInput | null;

  @Field(() => AddressInput, {
    nullable: true,
    description: 'Replaces the billing address; hold rules are not run again.',
  })
  billingAddress?: AddressInput | null;

  @Field(() => String, { nullable: true, description: 'Why, for the timeline.' })
  reason?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The order version the change was prepared from; CONFLICT when it moved on.',
  })
  expectedVersion?: number | null;
}

@InputType()
export class CancelOrderInput {
  @Field({ description: 'Why, for the timeline and the payment reversal (1 to 500 characters).' })
  reason!: string;

  @Field(() => [OrderLineQuantityInput], {
    nullable: true,
    description: 'Cancel only these units; without it the whole order.',
  })
  lines?: OrderLineQuantityInput[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The order version the change was prepared from; CONFLICT when it moved on.',
  })
  expectedVersion?: number | null;
}

@InputType()
export class CreateShipmentInput {
  @Field(() => [OrderLineQuantityInput], {
    nullable: true,
    description: 'Units to ship; without it every allocated unit not yet in a shipment.',
  })
  lines?: OrderLineQuantityInput[] | null;

  @Field(() => ID, { nullable: true, description: 'Ship only from this location.' })
  locationId?: string | null;
}

@InputType()
export class MarkShipmentShippedInput {
  @Field({ description: '1 to 64 characters, e.g. UPS.' })
  carrier!: string;

  @Field({ description: '1 to 100 characters.' })
  trackingNumber!: string;

  @Field(() => String, { nullable: true, description: 'An absolute http(s) URL, at most 500 characters.' })
  trackingUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'The carrier service, e.g. Ground.' })
  service?: string | null;
}

@InputType()
export class ReturnLineRequestInput {
  @Field(() => ID)
  lineId!: string;

  @Field(() => Int, { description: 'At most the units shipped and not already being returned.' })
  quantity!: number;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType()
export class RequestReturnInput {
  @Field(() => [ReturnLineRequestInput])
  lines!: ReturnLineRequestInput[];

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType()
export class ReceivedReturnLineInput {
  @Field(() => ID, { description: 'The order line (as in the return).' })
  lineId!: string;

  @Field(() => Int, { description: 'Units that arrived: 0 to the units the return asked for.' })
  quantity!: number;

  @Field({ description: 'Put the units back on hand at the location that shipped them.' })
  restock!: boolean;
}

@InputType()
export class ReceiveReturnInput {
  @Field(() => [ReceivedReturnLineInput], { description: 'Lines not named arrived with nothing.' })
  lines!: ReceivedReturnLineInput[];

  @Field(() => String, { nullable: true })
  note?: string | null;
}
