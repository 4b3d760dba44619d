import { badInput } from '../errors.js';
import { minorToDecimal } from '../money-decimal.js';
import type { RateQuote } from './carrier.js';

/**
 * Rate shopping: which of a carrier's rates a label is bought at. A rule is data, stored as text
 * (`CHEAPEST`, `FASTEST`, `CHEAPEST_WITHIN_DAYS(3)`) on the label, a channel or a location.
 */
export const RATE_RULE_KINDS = ['CHEAPEST', 'FASTEST', 'CHEAPEST_WITHIN_DAYS'] as const;
export type RateRuleKind = (typeof RATE_RULE_KINDS)[number];

export type RateRule = { kind: 'CHEAPEST' } | { kind: 'FASTEST' } | { kind: 'CHEAPEST_WITHIN_DAYS'; days: number };

export const DEFAULT_RATE_RULE: RateRule = { kind: 'CHEAPEST' };
export const MAX_WITHIN_DAYS = 60;

/** The rule as a client sends it: a kind, and the days for CHEAPEST_WITHIN_DAYS. */
export interface RateRuleInput {
  kind: RateRuleKind;
  withinDays?: number | null;
}

export function validRateRule(field: string, input: RateRuleInput): RateRule {
  if (!RATE_RULE_KINDS.includes(input.kind))
    throw badInput(`${field}.kind`, `must be one of ${RATE_RULE_KINDS.join(', ')}`);
  const days = input.withinDays ?? null;
  if (input.kind !== 'CHEAPEST_WITHIN_DAYS') {
    if (days !== null) throw badInput(`${field}.withinDays`, `is only for CHEAPEST_WITHIN_DAYS, not ${input.kind}`);
    return { kind: input.kind };
  }
  if (days === null || !Number.isInteger(days) || days < 1 || days > MAX_WITHIN_DAYS)
    throw badInput(
      `${field}.withinDays`,
      `must be a whole number of days from 1 to ${MAX_WITHIN_DAYS} for CHEAPEST_WITHIN_DAYS`,
      {
        min: 1,
        max: MAX_WITHIN_DAYS,
      },
    );
  return { kind: 'CHEAPEST_WITHIN_DAYS', days };
}

export function ruleText(rule: RateRule): string {
  return rule.kind === 'CHEAPEST_WITHIN_DAYS' ? `CHEAPEST_WITHIN_DAYS(${rule.days})` : rule.kind;
}

/** The stored text back to a rule; throws on text this code never wrote. */
export function parseRule(text: string): RateRule {
  if (text === 'CHEAPEST' || text === 'FASTEST') return { kind: text };
  const match = /^CHEAPEST_WITHIN_DAYS\((\d{1,3})\)$/.exec(text);
  if (match) return validRateRule('rule', { kind: 'CHEAPEST_WITHIN_DAYS', withinDays: Number(match[1]) });
  throw new Error(`not a rate rule: ${text}`);
}

/** The rule as the API names it: its kind and, for CHEAPEST_WITHIN_DAYS, the days. */
export function ruleInputOf(rule: RateRule): { kind: RateRuleKind; withinDays: number | null } {
  return { kind: rule.kind, withinDays: rule.kind === 'CHEAPEST_WITHIN_DAYS' ? rule.days : null };
}

export type RateChoice = { chosen: RateQuote; why: string } | { chosen: null; why: string };

const name = (r: RateQuote) => `${r.carrier} ${r.service}`;
const days = (r: RateQuote) =>
  r.deliveryDays === null ? 'transit time unknown' : `${r.deliveryDays} day${r.deliveryDays === 1 ? '' : 's'}`;
export const describeRate = (r: RateQuote) =>
  `${name(r)} ${minorToDecimal(r.amount, r.currency)} ${r.currency} (${days(r)})`;

/** Cheaper first; then faster (unknown transit last), then by name, so a choice never depends on the carrier's order. */
const byPrice = (a: RateQuote, b: RateQuote) =>
  a.amount - b.amount || byDays(a, b) || name(a).localeCompare(name(b)) || a.id.localeCompare(b.id);
/** Faster first (unknown transit last); then cheaper. */
const byTransit = (a: RateQuote, b: RateQuote) => byDays(a, b) || byPrice(a, b);
function byDays(a: RateQuote, b: RateQuote): number {
  return (a.deliveryDays ?? Number.MAX_SAFE_INTEGER) - (b.deliveryDays ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Picks the rate a rule asks for and says why, naming the runner-up so the timeline shows what
 * the choice saved or gained. No rate (none offered, none within the days, rates in several
 * currencies that cannot be compared) is `chosen: null` with the reason: nothing is bought then.
 */
export function chooseRate(rates: readonly RateQuote[], rule: RateRule): RateChoice {
  if (rates.length === 0) return { chosen: null, why: 'the carrier offered no rate for this parcel' };
  const currencies = [...new Set(rates.map((r) => r.currency))];
  if (currencies.length > 1)
    return {
      chosen: null,
      why: `the rates come in several currencies (${currencies.join(', ')}) and cannot be compared`,
    };
  const runnerUp = (sorted: RateQuote[]) => (sorted[1] ? `; next: ${describeRate(sorted[1])}` : '');
  const count = `${rates.length} rate${rates.length === 1 ? '' : 's'}`;
  if (rule.kind === 'CHEAPEST') {
    const sorted = [...rates].sort(byPrice);
    return { chosen: sorted[0]!, why: `cheapest of ${count}: ${describeRate(sorted[0]!)}${runnerUp(sorted)}` };
  }
  if (rule.kind === 'FASTEST') {
    const sorted = [...rates].sort(byTransit);
    return { chosen: sorted[0]!, why: `fastest of ${count}: ${describeRate(sorted[0]!)}${runnerUp(sorted)}` };
  }
  const within = rates.filter((r) => r.deliveryDays !== null && r.deliveryDays <= rule.days).sort(byPrice);
  const excluded = rates.length - within.length;
  const left = excluded === 0 ? '' : `; ${excluded} slower or of unknown transit time left out`;
  if (within.length === 0) {
    const fastest = [...rates].sort(byTransit)[0]!;
    return {
      chosen: null,
      why: `none of ${count} delivers within ${rule.days} day${rule.days === 1 ? '' : 's'}; the fastest is ${describeRate(fastest)}`,
    };
  }
  return {
    chosen: within[0]!,
    why: `cheapest of ${within.length} within ${rule.days} day${rule.days === 1 ? '' : 's'}: ${describeRate(within[0]!)}${runnerUp(within)}${left}`,
  };
}
