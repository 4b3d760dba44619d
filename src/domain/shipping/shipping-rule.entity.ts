import { defineEntity, p } from '@mikro-orm/core';

/** The rate-shopping rule a channel or a location uses when a label request names none. */
export const ShippingRuleSchema = defineEntity({
  name: 'ShippingRule',
  tableName: 'shipping_rule',
  properties: {
    scope: p.enum(['channel', 'location'] as const).primary(),
    scopeId: p.string().length(64).primary(),
    rule: p.string().length(40),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class ShippingRule extends ShippingRuleSchema.class {}
ShippingRuleSchema.setClass(ShippingRule);
