import { createTemplateDatabase, createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { startTestServices, type TestServices } from '../../test/support/services.js';
import type { BenchContext } from './benchmark.js';

/**
 * Throwaway PostgreSQL and Redis on loopback and a fresh copy of the migrated template, all
 * released when the benchmark ends.
 */
export async function startBenchServices(
  ctx: BenchContext,
): Promise<{ services: TestServices; database: TestDatabase }> {
  ctx.log('starting PostgreSQL and Redis');
  const services = await startTestServices();
  ctx.defer('PostgreSQL and Redis', () => services.stop());
  // createTestDatabase reads the server from here; startTestServices has already used it, or set it.
  process.env.TEST_DATABASE_URL = services.databaseUrl;
  await createTemplateDatabase(services.databaseUrl);
  const database = await createTestDatabase();
  ctx.defer('benchmark database', () => database.drop());
  return { services, database };
}
