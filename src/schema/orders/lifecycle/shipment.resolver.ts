import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { createShipment } from '../../../domain/orders/lifecycle/create-shipment.js';
import { markShipmentDelivered } from '../../../domain/orders/lifecycle/mark-shipment-delivered.js';
import { markShipmentShipped } from '../../../domain/orders/lifecycle/mark-shipment-shipped.js';
import { MAX_ORDER_LINES } from '../../../domain/orders/place-order.input.js';
import { allowed } from '../../auth/policy.js';
import { assertMaxItems } from '../../common/input-limits.js';
import { operationContext, type GraphQLContext } from '../../context.js';
import { orderNodeOf } from '../order.types.js';
import { CreateShipmentPayload, ShipmentPayload, shipmentNodeOf } from './fulfilment.types.js';
import { CreateShipmentInput, MarkShipmentShippedInput } from './lifecycle.inputs.js';

@Resolver()
export class ShipmentResolver {
  @Authorized(allowed('createShipment'))
  @Mutation(() => CreateShipmentPayload, {
    description:
      'Creates shipments for allocated units (ALLOCATED, BACKORDERED or PARTIALLY_SHIPPED orders): one per location holding them. Stock moves when it is marked shipped.',
  })
  async createShipment(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('input', () => CreateShipmentInput, { nullable: true }) input: CreateShipmentInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateShipmentPayload> {
    assertMaxItems('lines', input?.lines, MAX_ORDER_LINES);
    const result = await createShipment(operationContext(ctx), orderId, input ?? {});
    return { order: orderNodeOf(result.order), shipments: result.shipments.map(shipmentNodeOf) };
  }

  @Authorized(allowed('markShipmentShipped'))
  @Mutation(() => ShipmentPayload, {
    description: 'The parcel left: its stock is consumed and the order becomes PARTIALLY_SHIPPED or SHIPPED.',
  })
  async markShipmentShipped(
    @Arg('shipmentId', () => ID) shipmentId: string,
    @Arg('input') input: MarkShipmentShippedInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ShipmentPayload> {
    const result = await markShipmentShipped(operationContext(ctx), shipmentId, input);
    return { order: orderNodeOf(result.order), shipment: shipmentNodeOf(result.shipment) };
  }

  @Authorized(allowed('markShipmentDelivered'))
  @Mutation(() => ShipmentPayload, {
    description: 'The parcel arrived; a SHIPPED order whose parcels all arrived becomes DELIVERED.',
  })
  async markShipmentDelivered(
    @Arg('shipmentId', () => ID) shipmentId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ShipmentPayload> {
    const result = await markShipmentDelivered(operationContext(ctx), shipmentId);
    return { order: orderNodeOf(result.order), shipment: shipmentNodeOf(result.shipment) };
  }
}
