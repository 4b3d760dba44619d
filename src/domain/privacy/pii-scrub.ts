import type { PostalAddress } from '../address.js';

/** What replaces a person's data inside free text and JSON that is kept after an erasure. */
export const ERASED = '[erased]';

/** Values shorter than this are not searched for in free text: "TX" would match too much. */
const MIN_VALUE_LENGTH = 3;

/**
 * The personal values to look for in text kept after an erasure: the customer's name, email,
 * phone and address lines, and each of their orders' email, shipping and billing address. Region and
 * country stay (they are kept on the order as a country anyway). Longest first, so a full
 * value is replaced before a part of it is.
 */
export function piiValues(input: {
  strings: (string | null | undefined)[];
  addresses: (PostalAddress | null | undefined)[];
}): string[] {
  const values = new Set<string>();
  const add = (v: string | null | undefined) => {
    const t = v?.trim();
    if (t && t.length >= MIN_VALUE_LENGTH) values.add(t);
  };
  input.strings.forEach(add);
  for (const a of input.addresses) {
    if (!a) continue;
    [a.name, a.company, a.line1, a.line2, a.city, a.postalCode, a.phone].forEach(add);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** An address reduced to its country (enough for tax and shipping statistics), or null. */
export function anonymisedAddress(address: PostalAddress | null | undefined): PostalAddress | null {
  if (!address) return null;
  const countryCode = typeof address.countryCode === 'string' ? address.countryCode : null;
  return countryCode ? ({ countryCode } as PostalAddress) : null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every occurrence of each value replaced (case-insensitive); null stays null. */
export function scrubText(text: string | null | undefined, values: readonly string[]): string | null {
  if (text === null || text === undefined) return null;
  let out = text;
  for (const v of values) out = out.replace(new RegExp(escapeRegExp(v), 'gi'), ERASED);
  return out;
}

function looksLikeAddress(value: Record<string, unknown>): boolean {
  return typeof value.countryCode === 'string' && ('line1' in value || 'city' in value || 'postalCode' in value);
}

/**
 * A JSON value with personal data removed: address-shaped objects become `{ countryCode }`,
 * strings have the known values replaced. Everything else (ids, amounts, statuses) is kept.
 */
export function scrubJson(value: unknown, values: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, values);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, values));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (looksLikeAddress(record)) return { countryCode: record.countryCode };
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, scrubJson(v, values)]));
  }
  return value;
}

/** True when scrubbing changed something (so only changed rows are written). */
export function changed(before: unknown, after: unknown): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}
