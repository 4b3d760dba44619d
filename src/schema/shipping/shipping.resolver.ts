import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { buyShippingLabel, voidShippingLabel, type LabelResult } from '../../domain/shipping/buy-shipping-label.js';
import { listShippingRules, setShippingRule } from '../../domain/shipping/shipping-rules.service.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { shipmentNodeOf } from '../orders/lifecycle/fulfilment.types.js';
import { orderNodeOf } from '../orders/order.types.js';
import {
  RateRuleInput,
  rateRuleNodeOf,
  SetShippingRuleInput,
  ShippingLabelPayload,
  shippingLabelNodeOf,
  ShippingRuleNode,
} from './shipping.types.js';

const payloadOf = (r: LabelResult): ShippingLabelPayload => ({
  order: orderNodeOf(r.order),
  shipment: shipmentNodeOf(r.shipment),
  label: shippingLabelNodeOf(r.label),
});

@Resolver()
export class ShippingResolver {
  @Authorized(allowed('buyShippingLabel'))
  @Mutation(() => ShippingLabelPayload, {
    description:
      "Asks for a CREATED shipment's carrier label: the label is PENDING until the labels queue buys it at the rate the rule chooses (given, else the location's, the channel's, or CHEAPEST). Asking again returns the same label; a FAILED one is asked for again.",
  })
  async buyShippingLabel(
    @Arg('shipmentId', () => ID) shipmentId: string,
    @Arg('rule', () => RateRuleInput, { nullable: true }) rule: RateRuleInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ShippingLabelPayload> {
    const deps = ctx.services.shipping ?? { carrierId: null };
    return payloadOf(await buyShippingLabel(operationContext(ctx), deps, shipmentId, { rule }));
  }

  @Authorized(allowed('voidShippingLabel'))
  @Mutation(() => ShippingLabelPayload, {
    description:
      "Asks for a shipment's label back before the parcel leaves: VOIDING until the carrier answers, then VOIDED (or PURCHASED again, with the carrier's reason, when it refuses).",
  })
  async voidShippingLabel(
    @Arg('shipmentId', () => ID) shipmentId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ShippingLabelPayload> {
    return payloadOf(await voidShippingLabel(operationContext(ctx), shipmentId));
  }

  @Authorized(allowed('setShippingRule'))
  @Mutation(() => ShippingRuleNode, {
    description: 'Sets or removes the rate-shopping rule of a channel or a location.',
  })
  async setShippingRule(
    @Arg('input', () => SetShippingRuleInput) input: SetShippingRuleInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ShippingRuleNode> {
    const set = await setShippingRule(operationContext(ctx), input);
    return { scope: set.scope, scopeId: set.scopeId, rule: set.rule ? rateRuleNodeOf(set.rule) : null };
  }

  @Authorized(allowed('shippingRules'))
  @Query(() => [ShippingRuleNode], { description: 'Every channel and location rate-shopping rule.' })
  async shippingRules(@Ctx() ctx: GraphQLContext): Promise<ShippingRuleNode[]> {
    return (await listShippingRules(operationContext(ctx))).map((r) => ({
      scope: r.scope,
      scopeId: r.scopeId,
      rule: rateRuleNodeOf(r.rule),
    }));
  }
}
