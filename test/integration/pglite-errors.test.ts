import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, type Orm } from '../../src/platform/database.js';

/**
 * PGlite 0.5.8 (the version @mikro-orm/pglite pins) lost a little of its WebAssembly stack on
 * every SQL error, and after 2,978 errors every statement failed with "stack depth limit
 * exceeded" until the process restarted (measured the same through this ORM and through PGlite
 * directly). package.json overrides it with a release that does not; this keeps the embedded
 * database working after 3,500 refused statements: enough past 0.5.8's limit to catch the leak,
 * and no more, since every error costs time.
 */
const FAILED_STATEMENTS = 3_500;
let dir: string;
let orm: Orm;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-pglite-errors-'));
  orm = await createOrm({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  await orm.em.getConnection().execute('create table probe (id integer primary key)');
  await orm.em.getConnection().execute('insert into probe values (1)');
});
afterAll(async () => {
  await orm?.close(true);
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded PGlite database', () => {
  it('keeps working after 3,500 failed statements', async () => {
    let refused = 0;
    for (let i = 0; i < FAILED_STATEMENTS; i++) {
      try {
        await orm.em.getConnection().execute('insert into probe values (1)');
      } catch (error) {
        if (!/duplicate key/.test((error as Error).message)) throw error;
        refused++;
      }
    }
    expect(refused).toBe(FAILED_STATEMENTS);
    const rows = await orm.em
      .fork()
      .transactional((tx) =>
        tx
          .getConnection()
          .execute<{ n: number }[]>('select count(*)::int as n from probe', [], 'all', tx.getTransactionContext()),
      );
    expect(rows[0]!.n).toBe(1);
  });
});
