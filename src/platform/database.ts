import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PgliteDriver } from '@mikro-orm/pglite';
import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { entities } from '../domain/entities.js';
import { migrationsList } from '../migrations/index.js';
import { withMigrationLock } from './migration-lock.js';
import { acquirePgliteLock, releasePgliteLock } from './pglite-lock.js';
import { redactUrl } from './redact-url.js';

export type Orm = MikroORM;

/**
 * One ORM configuration over two drivers: PostgreSQL (production, tests, benchmarks) and
 * PGlite, in-process PostgreSQL, as the zero-setup default. The same migrations serve both.
 */
export async function createOrm(database: Config['database']): Promise<Orm> {
  const orm = await initOrm(database);
  try {
    // Connections open lazily: ask once now, so a bad URL fails at start with a clear message.
    await orm.em.fork().getConnection().execute('select 1');
  } catch (error) {
    await orm.close(true).catch(() => undefined);
    const where =
      database.kind === 'postgres' ? `PostgreSQL at ${redactUrl(database.url)}` : `PGlite in ${database.dataDir}`;
    throw new Error(`Cannot reach ${where}: ${(error as Error).message}`, { cause: error });
  }
  return orm;
}

async function initOrm(database: Config['database']): Promise<Orm> {
  const common: Partial<Options> = {
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
  };
  if (database.kind === 'postgres') {
    return MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: database.url,
      pool: { min: 0, max: database.poolMax },
    } as Options);
  }
  await mkdir(database.dataDir, { recursive: true });
  acquirePgliteLock(database.dataDir);
  try {
    const orm = await MikroORM.init({ ...common, driver: PgliteDriver, dbName: database.dataDir } as Options);
    const close = orm.close.bind(orm);
    orm.close = async (force?: boolean) => {
      await close(force);
      releasePgliteLock(database.dataDir);
    };
    return orm;
  } catch (error) {
    releasePgliteLock(database.dataDir);
    throw error;
  }
}

/** Applies pending migrations; concurrent callers on one database take turns (migration-lock.ts). */
export async function runPendingMigrations(orm: Orm): Promise<string[]> {
  const applied = await withMigrationLock(orm, () => orm.migrator.up());
  return applied.map((m) => m.name);
}

/**
 * The migrations not applied yet. Under the migration lock too: on a fresh database the first
 * read creates the migrations table, which two processes must not do at once.
 */
export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await withMigrationLock(orm, () => orm.migrator.getPending())).map((m) => m.name);
}

/** True when the database answers a trivial query. */
export async function pingDatabase(orm: Orm): Promise<boolean> {
  try {
    await orm.em.fork().getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}
