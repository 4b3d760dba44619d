import { badInput } from '../../domain/errors.js';

/**
 * Refuses an oversized input list in the resolver, before any domain work or database query.
 * The domain checks the same limits; this keeps the API's own promise visible where the
 * input is read (and in the field descriptions).
 */
export function assertMaxItems(field: string, items: readonly unknown[] | null | undefined, max: number): void {
  if (items && items.length > max)
    throw badInput(field, `must hold at most ${max} items, got ${items.length}`, { max });
}
