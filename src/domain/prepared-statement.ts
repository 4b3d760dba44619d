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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A Buffer bound to a `text` parameter: node-postgres sends it as it is, in binary format, and
 * the server checks its encoding (22021 for bytes that are not UTF-8 or hold a NUL). PGlite
 * would take it for `bytea`, so there it is decoded here, refused the same way.
 */
function bufferAsText(value: unknown): unknown {
  if (!Buffer.isBuffer(value)) return value;
  if (value.includes(0))
    throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
  try {
    return utf8.decode(value);
  } catch {
    throw Object.assign(new Error('invalid byte sequence for encoding "UTF8"'), { code: '22021' });
  }
}

/**
 * Runs one statement outside any transaction. On PostgreSQL it goes to the ORM's own `pg` pool
 * as a named (prepared) statement, so each connection parses and plans it once instead of on
 * every call — for the large placement statement that planning costs about as much as running
 * it. On PGlite (one in-process connection, whose transactions the ORM serialises) it goes
 * through the ORM like any other query. `sql` uses `?` placeholders. A Buffer value bound to a
 * `text` parameter is sent as raw bytes, neither decoded nor escaped (bufferAsText).
 */
export async function runPrepared<T>(em: EntityManager, name: string, sql: string, values: unknown[]): Promise<T[]> {
  const native = await pgPoolOf(em);
  if (!native) return em.getConnection().execute<T[]>(sql, values.map(bufferAsText));
  let text = numberedByName.get(name);
  if (text === undefined) numberedByName.set(name, (text = numbered(sql)));
  const result = await native.query({ name, text, values });
  return result.rows as T[];
}
