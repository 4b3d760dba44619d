import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { OrderAllocationView } from '../../domain/orders/order-allocation.service.js';
import type { OrderStatus } from '../../domain/orders/order-status.js';
import { OrderStatusEnum } from '../orders/order.types.js';

@ObjectType({ description: 'Units of an order line held at a location.' })
export class OrderReservation {
  @Field(() => ID)
  lineId!: string;

  @Field()
  sku!: string;

  @Field(() => ID)
  locationId!: string;

  @Field()
  locationCode!: string;

  @Field(() => Int)
  quantity!: number;
}

@ObjectType({ description: 'Units of an order line still waiting for stock.' })
export class OpenOrderQuantity {
  @Field(() => ID)
  lineId!: string;

  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@ObjectType({ description: 'Where an order’s stock stands after (re)allocation, and why.' })
export class OrderAllocation {
  @Field(() => ID)
  orderId!: string;

  @Field()
  orderNumber!: string;

  @Field(() => OrderStatusEnum)
  status!: OrderStatus;

  @Field({ description: 'Why these locations: the sourcing decision, also on the order’s timeline.' })
  explanation!: string;

  @Field(() => [OrderReservation], { description: 'Active reservations, by line.' })
  reservations!: OrderReservation[];

  @Field(() => [OpenOrderQuantity], { description: 'What no reservation covers yet (empty when ALLOCATED).' })
  open!: OpenOrderQuantity[];
}

export function orderAllocationOf(a: OrderAllocationView): OrderAllocation {
  return {
    orderId: a.order.id,
    orderNumber: a.order.number,
    status: a.order.status,
    explanation: a.explanation,
    reservations: a.reservations,
    open: a.open,
  };
}
