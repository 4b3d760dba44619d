import type { EntityManager } from '@mikro-orm/core';

interface NamedQueryPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  totalCount: number;
}

/** node-postgres's Pool (PGlite's client has no pool counters). */
function isPgPool(client: unknown): client is NamedQueryPool {
  return (
    typeof client === 'object' &&
    client !== null &&
    'totalCount' in client &&
    typeof (client as NamedQueryPool).query === 'function'
  );
}

/** Turns `?` placeholders into PostgreSQL's `$1, $2…` (the statements using this contain no other `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const numberedByName = new Map<string, string>();

async function pgPoolOf(em: EntityManager): Promise<NamedQueryPool | null> {
  const connection = em.getConnection() as unknown as { getNativeClient?: () => Promise<unknown> };
  const native = await connection.getNativeClient?.();
  return isPgPool(native) ? native : null;
}

/**
 * Whether statements outside a transaction are really on their own here. On PostgreSQL they
 * are (each takes a pooled connection). On PGlite they are not: its one connection is shared,
 * and kysely's PGlite driver runs any statement issued while some request's transaction is open
 * inside that transaction — so a write meant to commit alone could be rolled back with it.
 */
export async function hasIndependentStatements(em: EntityManager): Promise<boolean> {
  return (await pgPoolOf(em)) !== null;
}

/**
 * Runs one statement outside any transaction. On PostgreSQL it goes to the ORM's own `pg` pool
 * as a named (prepared) statement, so each connection parses and plans it once instead of on
 * every call — for the large placement statement that planning costs about as much as running
 * it. On PGlite (one in-process connection, whose transactions the ORM serialises) it goes
 * through the ORM like any other query. `sql` uses `?` placeholders.
 */
export async function runPrepared<T>(em: EntityManager, name: string, sql: string, values: unknown[]): Promise<T[]> {
  const native = await pgPoolOf(em);
  if (!native) return em.getConnection().execute<T[]>(sql, values);
  let text = numberedByName.get(name);
  if (text === undefined) numberedByName.set(name, (text = numbered(sql)));
  const result = await native.query({ name, text, values });
  return result.rows as T[];
}
