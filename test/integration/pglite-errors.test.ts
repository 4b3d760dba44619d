import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, type Orm } from '../../src/platform/database.js';

/**
 * PGlite 0.5.8 (the version @mikro-orm/pglite pins) lost a little of its WebAssembly stack on
 * every SQL error, and after about 2,000 errors every statement failed with "stack depth limit
 * exceeded" until the process restarted. package.json overrides it with a release that does
 * not; this keeps the embedded database working after many refused statements.
 */
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
  it('keeps working after 5,000 failed statements', async () => {
    let refused = 0;
    for (let i = 0; i < 5_000; i++) {
      try {
        await orm.em.getConnection().execute('insert into probe values (1)');
      } catch (error) {
        if (!/duplicate key/.test((error as Error).message)) throw error;
        refused++;
      }
    }
    expect(refused).toBe(5_000);
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
