import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SHIPMENT_STATUSES, type ShipmentStatus } from '../../../domain/fulfilment/shipment-status.js';
import type { ShipmentDetail } from '../../../domain/orders/lifecycle/shipment-detail.js';
import { upperCaseEnumOf } from '../../common/enum-of.js';
import { OrderNode } from '../order.types.js';

/** The GraphQL enum ShipmentStatus: UPPER_CASE names for the stored lower-case statuses. */
export const ShipmentStatusEnum = upperCaseEnumOf(SHIPMENT_STATUSES);
registerEnumType(ShipmentStatusEnum, {
  name: 'ShipmentStatus',
  description: 'CREATED holds allocated units at its location; SHIPPED consumed them; CANCELLED gave them back.',
});

@ObjectType('ShipmentLine', { description: 'Units of one order line in a shipment.' })
export class ShipmentLineNode {
  @Field(() => ID)
  orderLineId!: string;

  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@ObjectType('Shipment', { description: 'A parcel leaving one location for one order.' })
export class ShipmentNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  orderId!: string;

  @Field(() => ID, { description: 'The location it leaves from: one per shipment.' })
  locationId!: string;

  @Field(() => ShipmentStatusEnum)
  status!: ShipmentStatus;

  @Field(() => String, { nullable: true })
  carrier!: string | null;

  @Field(() => String, { nullable: true })
  service!: string | null;

  @Field(() => String, { nullable: true })
  trackingNumber!: string | null;

  @Field(() => String, { nullable: true })
  trackingUrl!: string | null;

  @Field(() => [ShipmentLineNode])
  lines!: ShipmentLineNode[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  shippedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;
}

export function shipmentNodeOf({ shipment: s, lines }: ShipmentDetail): ShipmentNode {
  return {
    id: s.id,
    orderId: s.order.id,
    locationId: s.locationId,
    status: s.status,
    carrier: s.carrier ?? null,
    service: s.service ?? null,
    trackingNumber: s.trackingNumber ?? null,
    trackingUrl: s.trackingUrl ?? null,
    lines: lines.map((l) => ({ ...l })),
    createdAt: s.createdAt,
    shippedAt: s.shippedAt ?? null,
    deliveredAt: s.deliveredAt ?? null,
    cancelledAt: s.cancelledAt ?? null,
  };
}

@ObjectType({ description: 'The order and the shipments just created: one per location the units are held at.' })
export class CreateShipmentPayload {
  @Field(() => OrderNode)
  order!: OrderNode;

  @Field(() => [ShipmentNode])
  shipments!: ShipmentNode[];
}

@ObjectType({ description: 'A shipment after a change, with its order.' })
export class ShipmentPayload {
  @Field(() => OrderNode)
  order!: OrderNode;

  @Field(() => ShipmentNode)
  shipment!: ShipmentNode;
}
