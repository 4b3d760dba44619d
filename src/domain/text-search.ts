import { badInput } from './errors.js';

export const MAX_SEARCH_LENGTH = 200;

/**
 * A search text as an ILIKE "contains" pattern. `%`, `_` and `\` in what the caller typed match
 * themselves (PostgreSQL's default LIKE escape is the backslash), so "50%" finds "50%", not
 * "50 anything". Returns null for an empty search, meaning: no text filter.
 */
export function containsPattern(field: string, search: string | null | undefined): string | null {
  const text = search?.trim() ?? '';
  if (!text) return null;
  if (text.length > MAX_SEARCH_LENGTH)
    throw badInput(field, `must be at most ${MAX_SEARCH_LENGTH} characters`, { max: MAX_SEARCH_LENGTH });
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
