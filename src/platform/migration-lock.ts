import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Orm } from './database.js';

/**
 * Session-level advisory lock key held while one process reads or applies migrations. Advisory
 * locks are per database, so hubs on different databases never contend; the outbox relay uses
 * 7_316_001 (outbox-store.ts). A fixed number: `hashtext` is not a stable API.
 */
export const MIGRATION_LOCK_KEY = 7_316_002;

/**
 * Runs `work` (creating the migrations table, reading what is pending, applying it) while
 * holding the migration lock, so processes started at once on a fresh database take turns: the
 * first applies the migrations, the others wait, then find nothing pending. Without it two
 * starters both create the same tables and one fails (`duplicate key value violates unique
 * constraint "pg_type_typname_nsp_index"`).
 *
 * The lock lives on a connection of its own, outside the ORM's pool: a session lock taken on a
 * pooled connection could be released by another caller's statement, and holding a pooled
 * connection while the migrator needs one would hang with DB_POOL_MAX=1. It is released when
 * `work` ends, or by PostgreSQL when the connection drops (a killed process holds nothing).
 *
 * PGlite has one process per data directory (pglite-lock.ts), so there is nothing to wait for.
 */
export async function withMigrationLock<T>(orm: Orm, work: () => Promise<T>): Promise<T> {
  // PGlite's configuration carries MikroORM's default clientUrl too: ask the driver, not the URL.
  if (orm.config.get('driver') !== PostgreSqlDriver) return work();
  const client = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  // A connection error after connecting (the server restarted) must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    // Ending the session releases its advisory locks.
    await client.end().catch(() => undefined);
  }
}
