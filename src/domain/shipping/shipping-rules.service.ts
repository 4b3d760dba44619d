import type { EntityManager } from '@mikro-orm/core';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { Location } from '../inventory/location.entity.js';
import {
  DEFAULT_RATE_RULE,
  parseRule,
  ruleText,
  validRateRule,
  type RateRule,
  type RateRuleInput,
} from './rate-rules.js';
import { ShippingRule } from './shipping-rule.entity.js';

export type RuleScope = 'channel' | 'location';

export interface ShippingRuleView {
  scope: RuleScope;
  scopeId: string;
  rule: RateRule;
  updatedAt: Date;
}

export interface SetShippingRuleInput {
  channelId?: string | null;
  locationId?: string | null;
  /** null removes the rule: labels then fall back to the next scope. Left out: refused. */
  rule?: RateRuleInput | null;
}

/**
 * Sets (or with `rule: null` removes) the rate-shopping rule of one channel or one location. A
 * label request without a rule takes its shipment's location's rule, else its order's channel's,
 * else CHEAPEST: the warehouse knows its carriers' pickups best, the channel its promises.
 */
export async function setShippingRule(
  ctx: OperationContext,
  input: SetShippingRuleInput,
): Promise<{ scope: RuleScope; scopeId: string; rule: RateRule | null }> {
  const channelId = input.channelId?.trim() || null;
  const locationId = input.locationId?.trim() || null;
  if ((channelId === null) === (locationId === null))
    throw badInput('channelId', 'give exactly one of channelId and locationId');
  // Left out is not "remove": a client that forgot the rule must not delete one by accident.
  if (input.rule === undefined) throw badInput('rule', 'give a rule, or rule: null to remove the one set here');
  const rule = input.rule === null ? null : validRateRule('rule', input.rule);
  const em = ctx.em.fork();
  const scope: RuleScope = channelId !== null ? 'channel' : 'location';
  const scopeId = (channelId ?? locationId)!;
  if (scope === 'channel' && !(await em.findOne(Channel, { id: scopeId }))) throw notFound('Channel', scopeId);
  if (scope === 'location' && !(isUuid(scopeId) && (await em.findOne(Location, { id: scopeId }))))
    throw notFound('Location', scopeId);
  if (rule === null) {
    await em.nativeDelete(ShippingRule, { scope, scopeId });
  } else {
    await em.upsert(ShippingRule, { scope, scopeId, rule: ruleText(rule), updatedAt: new Date() });
  }
  return { scope, scopeId, rule };
}

export async function listShippingRules(ctx: OperationContext): Promise<ShippingRuleView[]> {
  const rows = await ctx.em.fork().find(ShippingRule, {}, { orderBy: { scope: 'asc', scopeId: 'asc' } });
  return rows.map((r) => ({ scope: r.scope, scopeId: r.scopeId, rule: parseRule(r.rule), updatedAt: r.updatedAt }));
}

/** The rule a label request without one uses, and where it came from (for the timeline). */
export async function configuredRule(
  em: EntityManager,
  where: { locationId: string; channelId: string },
): Promise<{ rule: RateRule; source: string }> {
  const rows = await em.find(ShippingRule, {
    $or: [
      { scope: 'location', scopeId: where.locationId },
      { scope: 'channel', scopeId: where.channelId },
    ],
  });
  const location = rows.find((r) => r.scope === 'location');
  if (location) return { rule: parseRule(location.rule), source: "the location's rule" };
  const channel = rows.find((r) => r.scope === 'channel');
  if (channel) return { rule: parseRule(channel.rule), source: `channel ${where.channelId}'s rule` };
  return { rule: DEFAULT_RATE_RULE, source: 'the default' };
}
