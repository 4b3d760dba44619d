import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { formatFuzzReport } from '../support/graphql-fuzz/fuzz-report.js';
import { runFuzzSession, type FuzzSessionResult } from '../support/graphql-fuzz/fuzz-session.js';
import { randomSeed } from '../support/graphql-fuzz/random.js';

/**
 * Schema-driven fuzzing at a small size: every Query and Mutation field with valid-looking and
 * hostile arguments, sent over HTTP to the built hub. FUZZ_SEED=<n> replays a run, FUZZ_OPS=<n>
 * changes its size; `npm run fuzz -- --ops 100000` is the long run.
 */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomSeed();
const operations = process.env.FUZZ_OPS ? Number(process.env.FUZZ_OPS) : 600;
let db: TestDatabase;
let result: FuzzSessionResult;

beforeAll(async () => {
  db = await createTestDatabase();
  const started = Date.now();
  result = await runFuzzSession({
    main: new URL('../../dist/src/main.js', import.meta.url),
    databaseUrl: db.url,
    redisUrl: process.env.TEST_REDIS_URL!,
    operations,
    seed,
  });
  const report = formatFuzzReport(result.tally, result.violations, result.hubExit, result.hubLog);
  process.stdout.write(`${report}\nin ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}, 180_000);
afterAll(async () => {
  await db?.drop();
});

describe(`GraphQL fuzzing (seed ${seed}; replay with FUZZ_SEED=${seed})`, () => {
  it('sends every query and mutation', () => {
    expect(result.tally.operations).toBe(operations);
    expect(Object.keys(result.tally.byField).length).toBeGreaterThan(40);
  });

  it('answers every operation with no 5xx, no INTERNAL error and no dropped connection', () => {
    const failures = result.tally.failures.map((f) => `#${f.index} ${f.field} as ${f.caller}: ${f.status} ${f.code}`);
    expect(failures).toEqual([]);
    expect(result.tally.dropped).toBe(0);
  });

  it('leaves the invariants holding and the hub stopping cleanly', () => {
    expect(result.violations).toEqual([]);
    expect(result.hubExit).toBe(0);
  });
});
