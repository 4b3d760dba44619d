import { badInput } from './errors.js';

/** Relay-style page request, validated once here for every connection. */
export interface PageRequest {
  first: number;
  after: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
  /** Opaque cursor of each item, in order. */
  cursors: string[];
}

export const MAX_PAGE_SIZE = 100;

export function validatePageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  if (first === null || first === undefined) {
    throw badInput('first', `is required: ask for 1 to ${MAX_PAGE_SIZE} items`, { max: MAX_PAGE_SIZE });
  }
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}, got ${first}`, { min: 1, max: MAX_PAGE_SIZE });
  }
  return { first, after: after ?? null };
}

/** Keyset cursor over (createdAt, id): stable under inserts, unlike offsets. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): KeysetPosition {
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = iso ? new Date(iso) : new Date(NaN);
  if (rest.length > 0 || !id || Number.isNaN(createdAt.getTime())) {
    throw badInput(field, 'is not a cursor this API returned (use pageInfo.endCursor)');
  }
  return { createdAt, id };
}
