import type { EntityManager } from '@mikro-orm/core';

/** Runs one SQL statement in `em`'s transaction (if any) and returns its rows. */
export async function sqlRows<T extends object>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const rows = (await em.getConnection().execute(sql, params, 'all', em.getTransactionContext())) as T[];
  return rows;
}
