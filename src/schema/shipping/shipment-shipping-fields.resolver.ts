import DataLoader from 'dataloader';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ShippingLabel } from '../../domain/shipping/shipping-label.entity.js';
import { labelsOfShipments, trackingEventsOfShipments } from '../../domain/shipping/shipping-query.js';
import type { TrackingEvent } from '../../domain/shipping/tracking-event.entity.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { ShipmentNode } from '../orders/lifecycle/fulfilment.types.js';
import {
  ShippingLabelNode,
  shippingLabelNodeOf,
  ShippingRateNode,
  TrackingEventNode,
  trackingEventNodeOf,
} from './shipping.types.js';

interface ShippingLoaders {
  labels: DataLoader<string, ShippingLabel | null>;
  tracking: DataLoader<string, TrackingEvent[]>;
}

/** Per request (keyed on its context, gone with it): a page of shipments costs one query per field. */
const perRequest = new WeakMap<object, ShippingLoaders>();

function loadersOf(ctx: GraphQLContext): ShippingLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) {
    const op = () => operationContext(ctx);
    loaders = {
      labels: new DataLoader(async (ids) => {
        const found = await labelsOfShipments(op(), ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
      tracking: new DataLoader(async (ids) => {
        const found = await trackingEventsOfShipments(op(), ids);
        return ids.map((id) => found.get(id) ?? []);
      }),
    };
    perRequest.set(ctx.loaders, loaders);
  }
  return loaders;
}

/** Shipping's fields on Shipment (the shipment itself was read through its order, in scope). */
@Resolver(() => ShipmentNode)
export class ShipmentShippingFieldsResolver {
  @FieldResolver(() => ShippingLabelNode, {
    nullable: true,
    description: 'Its carrier label: the one in use, else the last voided one; null when none was asked for.',
  })
  async label(@Root() shipment: ShipmentNode, @Ctx() ctx: GraphQLContext): Promise<ShippingLabelNode | null> {
    const label = await loadersOf(ctx).labels.load(shipment.id);
    return label ? shippingLabelNodeOf(label) : null;
  }

  @FieldResolver(() => [ShippingRateNode], {
    description: "The rates its label's rule chose from (the chosen one marked); empty before the carrier quoted.",
  })
  async ratesConsidered(@Root() shipment: ShipmentNode, @Ctx() ctx: GraphQLContext): Promise<ShippingRateNode[]> {
    const label = await loadersOf(ctx).labels.load(shipment.id);
    return label ? shippingLabelNodeOf(label).ratesConsidered : [];
  }

  @FieldResolver(() => [TrackingEventNode], { description: 'Every scan its carrier reported, oldest first.' })
  async trackingEvents(@Root() shipment: ShipmentNode, @Ctx() ctx: GraphQLContext): Promise<TrackingEventNode[]> {
    return (await loadersOf(ctx).tracking.load(shipment.id)).map(trackingEventNodeOf);
  }
}
