import { parseArgs } from 'node:util';
import { createTemplateDatabase, createTestDatabase } from '../test/support/database.js';
import { formatFuzzReport } from '../test/support/graphql-fuzz/fuzz-report.js';
import { runFuzzSession } from '../test/support/graphql-fuzz/fuzz-session.js';
import { randomSeed } from '../test/support/graphql-fuzz/random.js';
import { startTestServices } from '../test/support/services.js';

/**
 * npm run fuzz -- [--ops N | N] [--seed S] [--concurrency C]: the schema-driven GraphQL fuzzer
 * at any size, on throwaway PostgreSQL and Redis (or TEST_DATABASE_URL / TEST_REDIS_URL).
 * Prints progress to stderr and the figures to stdout; exits 1 on any 5xx, INTERNAL error,
 * dropped connection or broken invariant, 64 on bad arguments.
 */
const log = (message: string) => process.stderr.write(`[fuzz] ${message}\n`);

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ops: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' } },
    allowPositionals: true,
  });
  const operations = Number(values.ops ?? positionals[0] ?? 10_000);
  const seed = values.seed !== undefined ? Number(values.seed) : randomSeed();
  const concurrency = Number(values.concurrency ?? 4);
  if (
    ![operations, seed, concurrency].every((n) => Number.isInteger(n) && n >= 0) ||
    operations < 1 ||
    concurrency < 1
  ) {
    process.stderr.write('usage: npm run fuzz -- [--ops N] [--seed S] [--concurrency C] (whole numbers)\n');
    return 64;
  }
  log(`seed ${seed} (replay with --seed ${seed}), ${operations} operations, ${concurrency} in flight`);
  const services = await startTestServices();
  // Ctrl-C reaches the hub through the process group; PostgreSQL and Redis are stopped here.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void services.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
  try {
    process.env.TEST_DATABASE_URL = services.databaseUrl;
    await createTemplateDatabase(services.databaseUrl);
    const database = await createTestDatabase();
    try {
      const started = Date.now();
      let reported = 0;
      const progressEvery = Math.min(5_000, Math.max(100, Math.round(operations / 20)));
      const result = await runFuzzSession({
        main: new URL('../src/main.js', import.meta.url),
        databaseUrl: database.url,
        redisUrl: services.redisUrl,
        operations,
        seed,
        concurrency,
        onProgress: (tally) => {
          if (tally.operations - reported < progressEvery && tally.operations < operations) return;
          reported = tally.operations;
          const rate = tally.operations / ((Date.now() - started) / 1000);
          log(`${tally.operations} operations, ${tally.failures.length} failures, ${rate.toFixed(0)}/s`);
        },
      });
      process.stdout.write(`${formatFuzzReport(result.tally, result.violations, result.hubExit, result.hubLog)}\n`);
      const clean =
        result.tally.failures.length === 0 &&
        result.tally.dropped === 0 &&
        result.violations.length === 0 &&
        result.hubExit === 0;
      return clean ? 0 : 1;
    } finally {
      await database.drop();
    }
  } finally {
    await services.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
