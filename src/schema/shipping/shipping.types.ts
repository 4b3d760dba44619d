import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LABEL_STATUSES, type LabelStatus } from '../../domain/shipping/label-status.js';
import {
  MAX_WITHIN_DAYS,
  parseRule,
  RATE_RULE_KINDS,
  ruleInputOf,
  type RateRule,
  type RateRuleKind,
} from '../../domain/shipping/rate-rules.js';
import type { ShippingLabel } from '../../domain/shipping/shipping-label.entity.js';
import type { RuleScope } from '../../domain/shipping/shipping-rules.service.js';
import type { TrackingEvent } from '../../domain/shipping/tracking-event.entity.js';
import { enumOf, upperCaseEnumOf } from '../common/enum-of.js';
import { Money, moneyOf } from '../common/money.type.js';
import { OrderNode } from '../orders/order.types.js';
import { ShipmentNode } from '../orders/lifecycle/fulfilment.types.js';

export const ShippingLabelStatusEnum = upperCaseEnumOf(LABEL_STATUSES);
registerEnumType(ShippingLabelStatusEnum, {
  name: 'ShippingLabelStatus',
  description:
    'PENDING: asked for, being bought; PURCHASED: bought (money spent); FAILED: not bought (lastError says why; buyShippingLabel asks again); VOIDING: its refund is being asked for; VOIDED: taken back by the carrier, or nothing had been bought.',
});

export const RateRuleKindEnum = enumOf(RATE_RULE_KINDS);
registerEnumType(RateRuleKindEnum, {
  name: 'RateRuleKind',
  description:
    'How a label rate is chosen: CHEAPEST; FASTEST (fewest days; the cheaper of equals); CHEAPEST_WITHIN_DAYS (the cheapest delivering within withinDays).',
});

export const RuleScopeEnum = upperCaseEnumOf(['channel', 'location'] as const);
registerEnumType(RuleScopeEnum, { name: 'ShippingRuleScope' });

@InputType({ description: 'A rate-shopping rule.' })
export class RateRuleInput {
  @Field(() => RateRuleKindEnum)
  kind!: RateRuleKind;

  @Field(() => Int, { nullable: true, description: `Only for CHEAPEST_WITHIN_DAYS: 1 to ${MAX_WITHIN_DAYS} days.` })
  withinDays?: number | null;
}

@ObjectType('RateRule', { description: 'A rate-shopping rule.' })
export class RateRuleNode {
  @Field(() => RateRuleKindEnum)
  kind!: RateRuleKind;

  @Field(() => Int, { nullable: true })
  withinDays!: number | null;
}

export const rateRuleNodeOf = (rule: RateRule): RateRuleNode => ruleInputOf(rule);

@ObjectType('ShippingRate', { description: 'A rate the carrier offered for a shipment.' })
export class ShippingRateNode {
  @Field(() => ID)
  id!: string;

  @Field()
  carrier!: string;

  @Field()
  service!: string;

  @Field(() => Money)
  cost!: Money;

  @Field(() => Int, { nullable: true, description: 'Days in transit, when the carrier commits to a number.' })
  deliveryDays!: number | null;

  @Field({ description: 'Whether the rule chose this rate.' })
  chosen!: boolean;
}

@ObjectType('ShippingLabel', { description: 'A carrier label for a shipment, and what its tracker reports.' })
export class ShippingLabelNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ShippingLabelStatusEnum)
  status!: LabelStatus;

  @Field({ description: 'The carrier integration: easypost.' })
  provider!: string;

  @Field(() => RateRuleNode, { description: 'The rule its rate was (or will be) chosen by.' })
  rule!: RateRuleNode;

  @Field(() => String, { nullable: true, description: 'Why the rule chose the rate it did.' })
  chosenBecause!: string | null;

  @Field(() => String, { nullable: true })
  carrier!: string | null;

  @Field(() => String, { nullable: true })
  service!: string | null;

  @Field(() => Money, { nullable: true, description: 'What the label cost.' })
  cost!: Money | null;

  @Field(() => String, { nullable: true })
  trackingCode!: string | null;

  @Field(() => String, { nullable: true, description: "The carrier's public tracking page." })
  trackingUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'The printable label.' })
  labelUrl!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The carrier's latest tracking status (pre_transit, in_transit, out_for_delivery, delivered, …).",
  })
  trackingStatus!: string | null;

  @Field(() => Date, { nullable: true })
  trackingUpdatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, or what it is still waiting for.' })
  lastError!: string | null;

  @Field()
  requestedAt!: Date;

  @Field(() => Date, { nullable: true })
  purchasedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  voidedAt!: Date | null;

  @Field(() => [ShippingRateNode], { description: 'Every rate the carrier offered when the rule chose.' })
  ratesConsidered!: ShippingRateNode[];
}

export function shippingLabelNodeOf(l: ShippingLabel): ShippingLabelNode {
  return {
    id: l.id,
    status: l.status,
    provider: l.provider,
    rule: rateRuleNodeOf(parseRule(l.rule)),
    chosenBecause: l.chosenBecause ?? null,
    carrier: l.carrier ?? null,
    service: l.service ?? null,
    cost: l.costAmount !== null && l.costAmount !== undefined && l.currency ? moneyOf(l.costAmount, l.currency) : null,
    trackingCode: l.trackingCode ?? null,
    trackingUrl: l.trackingUrl ?? null,
    labelUrl: l.labelUrl ?? null,
    trackingStatus: l.trackingStatus ?? null,
    trackingUpdatedAt: l.trackingUpdatedAt ?? null,
    lastError: l.lastError ?? null,
    requestedAt: l.requestedAt,
    purchasedAt: l.purchasedAt ?? null,
    voidedAt: l.voidedAt ?? null,
    ratesConsidered: (l.rates ?? []).map((r) => ({
      id: r.id,
      carrier: r.carrier,
      service: r.service,
      cost: moneyOf(r.amount, r.currency),
      deliveryDays: r.deliveryDays,
      chosen: r.id === l.rateId,
    })),
  };
}

@ObjectType('TrackingEvent', { description: 'One scan the carrier reported for a shipment.' })
export class TrackingEventNode {
  @Field()
  status!: string;

  @Field(() => String, { nullable: true })
  statusDetail!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field()
  occurredAt!: Date;

  @Field(() => String, { nullable: true })
  city!: string | null;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field(() => String, { nullable: true })
  postalCode!: string | null;

  @Field(() => String, { nullable: true })
  countryCode!: string | null;
}

export function trackingEventNodeOf(e: TrackingEvent): TrackingEventNode {
  return {
    status: e.status,
    statusDetail: e.statusDetail ?? null,
    message: e.message ?? null,
    occurredAt: e.occurredAt,
    city: e.city ?? null,
    region: e.region ?? null,
    postalCode: e.postalCode ?? null,
    countryCode: e.countryCode ?? null,
  };
}

@ObjectType({ description: 'A shipment after a label change, with its order and the label.' })
export class ShippingLabelPayload {
  @Field(() => OrderNode)
  order!: OrderNode;

  @Field(() => ShipmentNode)
  shipment!: ShipmentNode;

  @Field(() => ShippingLabelNode)
  label!: ShippingLabelNode;
}

@InputType({ description: 'The rule of one channel or one location (exactly one of the two).' })
export class SetShippingRuleInput {
  @Field(() => ID, { nullable: true })
  channelId?: string | null;

  @Field(() => ID, { nullable: true })
  locationId?: string | null;

  @Field(() => RateRuleInput, { nullable: true, description: 'null removes the rule (the next scope applies).' })
  rule!: RateRuleInput | null;
}

@ObjectType('ShippingRule', {
  description:
    "The rule labels use when a request names none: the shipment's location's, else its order's channel's, else CHEAPEST.",
})
export class ShippingRuleNode {
  @Field(() => RuleScopeEnum)
  scope!: RuleScope;

  @Field(() => ID)
  scopeId!: string;

  @Field(() => RateRuleNode, { nullable: true, description: 'null: removed.' })
  rule!: RateRuleNode | null;
}
