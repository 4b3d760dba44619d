import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { CustomerNode, customerNodeOf } from './customer.types.js';
import { ShipmentNode, shipmentNodeOf } from './lifecycle/fulfilment.types.js';
import { ReturnNode, returnNodeOf } from './lifecycle/return.types.js';
import { OrderEventNode, orderEventNodeOf, OrderLineNode, orderLineNodeOf, OrderNode } from './order.types.js';
import { cardPaymentSummaryOf, PaymentSummaryNode, paymentSummaryOf } from './payment-summary.types.js';

/**
 * Order's nested fields, loaded through the request's DataLoaders: however many orders a page
 * holds, each field costs one query. Access was decided when the order itself was read.
 */
@Resolver(() => OrderNode)
export class OrderFieldsResolver {
  @FieldResolver(() => [OrderLineNode], { description: 'The lines, in the order they were placed.' })
  async lines(@Root() order: OrderNode, @Ctx() ctx: GraphQLContext): Promise<OrderLineNode[]> {
    return (await ctx.loaders.orderLines.load(order.id)).map((l) => orderLineNodeOf(l, order.currency));
  }

  @FieldResolver(() => CustomerNode, { nullable: true })
  async customer(@Root() order: OrderNode, @Ctx() ctx: GraphQLContext): Promise<CustomerNode | null> {
    if (!order.customerId) return null;
    const customer = await ctx.loaders.customers.load(order.customerId);
    return customer ? customerNodeOf(customer) : null;
  }

  @FieldResolver(() => [OrderEventNode], {
    description: 'The timeline, oldest first: every transition and decision, with who and why.',
  })
  async events(@Root() order: OrderNode, @Ctx() ctx: GraphQLContext): Promise<OrderEventNode[]> {
    return (await ctx.loaders.orderEvents.load(order.id)).map(orderEventNodeOf);
  }

  @FieldResolver(() => PaymentSummaryNode, {
    description:
      'The payment: a card payment as the gateway reported it (one query per page of orders); a `manual` one as the timeline records it (authorisations, voids, refunds), read with `events`.',
  })
  async payment(@Root() order: OrderNode, @Ctx() ctx: GraphQLContext): Promise<PaymentSummaryNode> {
    const card = await ctx.loaders.orderCardPayments.load(order.id);
    if (card) return cardPaymentSummaryOf(card, order.currency);
    return paymentSummaryOf(await ctx.loaders.orderEvents.load(order.id), order.currency);
  }

  @FieldResolver(() => [ShipmentNode], {
    description: 'Every shipment of the order, cancelled ones included, oldest first.',
  })
  async shipments(@Root() order: OrderNode, @Ctx() ctx: GraphQLContext): Promise<ShipmentNode[]> {
    return (await ctx.loaders.orderShipments.load(order.id)).map(shipmentNodeOf);
  }

  @FieldResolver(() => [ReturnNode], {
    description: 'Every return (RMA) of the order, rejected ones included, oldest first.',
  })
  async returns(@Root() order: OrderNode, @Ctx() ctx: GraphQLContext): Promise<ReturnNode[]> {
    return (await ctx.loaders.orderReturns.load(order.id)).map(returnNodeOf);
  }
}
